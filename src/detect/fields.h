/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fields.h - the event fields rules can test (`proc.exe`, `net.dport`, ...),
 * named like Falco's so its users feel at home. One table describes each
 * field: its name, type, the event types that carry it, and how to read
 * it from an enriched event without copying where possible.
 *
 * docs/rules.md lists the same fields; `vigil rules fields` prints this
 * table so the two can be compared.
 */
#ifndef VIGIL_FIELDS_H
#define VIGIL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "output/format.h"
#include "sensor/event_table.h"

enum ftype { FT_STR, FT_INT, FT_BOOL, FT_ADDR };

/* A field's value for one event. Strings point into the event or into buf. */
struct fval {
	enum ftype type;
	const char *s;		/* FT_STR, FT_ADDR (text form) */
	size_t len;
	int64_t i;		/* FT_INT, FT_BOOL */
	uint8_t addr[16];	/* FT_ADDR */
	uint8_t addr_len;	/* 4 or 16 */
	char buf[256];
};

/* What a getter may consult besides the event. */
struct field_ctx {
	const struct enriched_event *e;
	struct proc_table *procs;	/* may be NULL */
	struct exe_hashes *hashes;	/* may be NULL */
	const char *key;		/* the KEY of a keyed field (k8s.pod.label[KEY]) */
};

struct field_def {
	const char *name;
	enum ftype type;
	bool indexed;		/* takes [N]: N-th ancestor (1 = parent) */
	bool ancestors;		/* without [N]: true if any ancestor matches */
	event_mask_t events;	/* event types that carry it (EVENT_ALL: every type) */
	/* 0 and *out filled, or -1 when the event does not carry it */
	int (*get)(const struct field_ctx *c, int idx, struct fval *out);
	const char *doc;
	bool keyed;		/* takes [KEY]: one entry of a map (labels) */
};

/* Field by name (without the [N] part), or NULL. */
const struct field_def *field_lookup(const char *name, size_t len);

/* All fields, for listing; *n receives the count. */
const struct field_def *field_table(size_t *n);

const char *ftype_name(enum ftype t);

/* Read f (index idx for indexed fields, 0 otherwise). 0 or -1 (absent). */
int field_get(const struct field_def *f, const struct field_ctx *c, int idx, struct fval *out);

/* Parse an IPv4/IPv6 address; returns its length (4, 16) or 0. */
int field_parse_addr(const char *s, uint8_t out[16]);

#endif
