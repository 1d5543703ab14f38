/* SPDX-License-Identifier: GPL-2.0 */
/*
 * open_filter.h - which opens the loaded rules could match, for the kernel
 * to send only those (struct vgl_open_filter, src/bpf/file.bpf.c).
 *
 * An open hook runs on every open of the host, and building and sending an
 * event costs several times what the hook itself costs. The rules rarely
 * want more than a handful of names (/etc/shadow, authorized_keys, a
 * release_agent written), so each rule's condition is over-approximated by
 * what the kernel can test cheaply at sys_exit: the open's flags, whether
 * it failed, the opened file's name (exact or by prefix), its directory's
 * name, the opener's comm. Over-approximated: every open a rule can match
 * is sent; userspace still evaluates the rule exactly. What the filter
 * cannot narrow (a rule on fd.name contains ..., on a process's ancestors)
 * sends every open, and the start-up log names the rule.
 */
#ifndef VIGIL_OPEN_FILTER_H
#define VIGIL_OPEN_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"
#include "detect/policy.h"

struct open_filter_name {
	struct vgl_enf_path_key key;	/* generation 0; the loader sets the live one */
	uint64_t bits;
};

struct open_filter {
	struct vgl_open_filter set;
	struct open_filter_name *names;
	size_t nnames;
	unsigned int next_bit;
	char why_all[160];		/* when set.all: which rule needs every open, why */
};

/* Compile the open rules of rs. 0 or -ENOMEM; what does not fit sends every open. */
int open_filter_build(const struct ruleset *rs, struct open_filter **out);
void open_filter_free(struct open_filter *f);

/* The fact vector the kernel would compute, for tests: flags of the open,
 * failed, the file's name and its directory's (NULL: unknown), comm. */
uint64_t open_filter_facts(const struct open_filter *f, uint32_t flags, bool failed,
			   const char *name, const char *parent, const char *comm, uint64_t *known);

/* The kernel's first probe: false when name is surely in no set of kind
 * (VGL_OF_NAME: exact or by prefix; VGL_OF_PARENT). */
bool open_filter_maybe_named(const struct open_filter *f, unsigned int kind, const char *name);

/* The ancestor bits of a file below directories dirs[0..n) (root first). */
uint64_t open_filter_ancestor_facts(const struct open_filter *f, const char *const *dirs, size_t n);

/* The kernel's decision for those facts. */
bool open_filter_wants(const struct open_filter *f, uint64_t facts, uint64_t known);

/* Install as generation gen and make it live; on false, every open is sent. */
struct sensor;
int open_filter_install(const struct open_filter *f, struct sensor *s, unsigned int gen, bool on);

#endif
