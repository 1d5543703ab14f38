/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exec_plan.h - `action: kill` rules on exec, compiled to the form the
 * kernel evaluates at sched_process_exec (struct vgl_enf_exec_set): a fact
 * vector per exec and must/must_not terms over it.
 *
 * A rule condition is turned into disjunctive normal form over atoms the
 * kernel can compute (exec flags, container or host, stdio kinds, command
 * and executable names, path prefixes) or look up in sets userspace fills
 * as it learns (files by hash, cgroups by container metadata). Exceptions become exception terms
 * of the same rule. A rule whose every disjunct and exception compiles is
 * decided in the kernel alone; one with some disjuncts that do not compile
 * is hybrid (those are left to userspace); the rest are userspace-only.
 *
 * The same plan is evaluated in userspace by the fanotify deny path
 * (exec_plan_decide), with the facts it can compute there.
 */
#ifndef VIGIL_EXEC_PLAN_H
#define VIGIL_EXEC_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"
#include "detect/policy.h"

enum exec_plan_how {
	EXEC_PLAN_KERNEL,	/* every disjunct in the kernel */
	EXEC_PLAN_HYBRID,	/* some disjuncts in the kernel, the rest in userspace */
	EXEC_PLAN_USER,		/* userspace only (reason in why) */
};

struct exec_plan_rule {
	const struct rule *rule;
	enum exec_plan_how how;
	int slot;		/* kernel slot, -1 for EXEC_PLAN_USER */
	bool learns_hashes;	/* tests proc.exe_sha256: files hashed by userspace
				 * are entered in the kernel (enf_inodes) */
	char why[160];		/* what kept (part of) it out of the kernel */
};

struct exec_plan_name {
	struct vgl_enf_name_key key;	/* generation 0; the loader sets the live one */
	uint64_t bits;
};

struct exec_plan_path {
	struct vgl_enf_path_key key;	/* generation 0 */
	uint64_t bits;
	char *s;			/* the prefix or path, for userspace decisions */
};

/* A hash list of a rule: files whose SHA-256 is on it get these bits. */
struct exec_plan_hash {
	char hex[65];
	uint64_t bits;
};

/* A comparison on container metadata (container.name = x, k8s.ns.name in
 * (...)): true for a cgroup's container gives that cgroup the bit. */
struct exec_plan_ctrset {
	const struct expr *cmp;		/* the comparison, in the ruleset's condition */
	unsigned int bit;
};

struct exec_plan {
	struct vgl_enf_exec_set set;
	struct exec_plan_rule *rules;	/* every kill rule that exec events can trigger */
	size_t nrules;
	struct exec_plan_name *names;
	size_t nnames;
	struct exec_plan_path *paths;
	size_t npaths;
	struct exec_plan_hash *hashes;
	size_t nhashes;
	struct exec_plan_ctrset *ctrsets;
	size_t nctrsets;
	unsigned int next_bit;		/* next free fact bit */
	unsigned int gen;		/* generation installed as (exec_plan_install) */
};

/* Compile the kill rules of rs. 0, or -ENOMEM. Rules that do not fit
 * (too many terms, sets or slots) are userspace-only, never an error. */
int exec_plan_build(const struct ruleset *rs, struct exec_plan **out);
void exec_plan_free(struct exec_plan *p);

/* The plan's entry for ruleset index i, or NULL when i is not a kill rule on exec. */
const struct exec_plan_rule *exec_plan_rule_at(const struct exec_plan *p, uint32_t index);

/* Name and prefix set bits for an exec of path by a process named comm
 * (its name after the exec) whose parent is named pcomm; any may be NULL. */
uint64_t exec_plan_string_facts(const struct exec_plan *p, const char *path, const char *comm,
				const char *pcomm);

/*
 * Decide an exec in userspace: facts as the kernel would compute them,
 * known the fact bits the caller could compute (the name and prefix bits
 * count as known when their string was given). A term that tests an
 * unknown fact neither matches nor excepts: the rule is then left to the
 * kernel. Returns the ruleset index of the first rule that acts, or -1.
 */
int exec_plan_decide(const struct exec_plan *p, uint64_t facts, uint64_t known);

/* Fact bits set by exec_plan_string_facts (every name and prefix bit). */
uint64_t exec_plan_string_bits(const struct exec_plan *p);

/* Every container-set bit of the plan. */
uint64_t exec_plan_container_bits(const struct exec_plan *p);

/* Hash-set bits of a file whose SHA-256 is hex (lowercase), 0 if none. */
uint64_t exec_plan_hash_facts(const struct exec_plan *p, const char *hex);

/*
 * Container-set bits of a container (NULL: the host), for enf_cgroups.
 * Evaluates each comparison on the container's metadata alone.
 */
struct container_info;
uint64_t exec_plan_container_facts(const struct exec_plan *p, const struct container_info *ci);

/* FNV-1a as the kernel computes it over a path (vigil_abi.h). */
uint64_t exec_plan_fnv(const char *s, size_t len);

/*
 * Write the plan into the sensor's maps as generation gen (0 or 1), then
 * make it live; kill 0 leaves the kernel evaluating nothing. 0 or -errno.
 */
struct sensor;
int exec_plan_install(struct exec_plan *p, struct sensor *s, unsigned int gen, bool kill);

#endif
