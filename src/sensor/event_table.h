/* SPDX-License-Identifier: GPL-2.0 */
/*
 * event_table.h - the one table of event types: name, category, body size
 * and the BPF programs that produce each. The loader, the decoder, the
 * formatter and the CLI all derive what they need from it.
 */
#ifndef VIGIL_EVENT_TABLE_H
#define VIGIL_EVENT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "vigil_abi.h"

#define EVENT_PROGS_MAX 8

struct event_type_info {
	const char *name;		/* as used by --event and in JSON "type" */
	const char *category;		/* process, file, memory, network, privilege, kernel,
					 * container, integrity */
	uint32_t body_size;		/* sizeof the body struct after the header */
	uint8_t nr_strs;		/* strings the kernel always appends */
	bool lifecycle;			/* feeds the process table: always attached */
	/* programs producing it; a program whose tracepoint is missing on this
	 * kernel is served by the raw sys_exit fallback when fallback is set */
	const char *progs[EVENT_PROGS_MAX];
	bool fallback;
	/* made by userspace from other records (container lifecycle): no
	 * program of its own, always available */
	bool userspace;
};

typedef uint64_t event_mask_t;
#define EVENT_BIT(t)	((event_mask_t)1 << (t))
#define EVENT_ALL	((EVENT_BIT(VGL_EV_MAX) - 1) & ~EVENT_BIT(VGL_EV_NONE))

_Static_assert(VGL_EV_MAX < 64, "event mask must fit 64 bits");

/* Info for type, or NULL for an unknown or invalid type. */
const struct event_type_info *event_info(unsigned int type);

/* Type with that name, or -1. */
int event_type_by_name(const char *name);

/*
 * Parse a comma-separated list of event names or categories ("exec,file")
 * into a mask. "all" selects every type, "none" no type. Returns 0, or -EINVAL and names
 * the bad item in *bad (points into list).
 */
int event_mask_parse(const char *list, event_mask_t *mask, const char **bad, int *bad_len);

#endif
