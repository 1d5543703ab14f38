/* SPDX-License-Identifier: GPL-2.0 */
/* policy_opts.h - the policy options `run` and `rules` share. */
#ifndef VIGIL_POLICY_OPTS_H
#define VIGIL_POLICY_OPTS_H

#include <stdbool.h>
#include "detect/policy.h"
#include "config/config.h"

#define POLICY_FILES_MAX 32
#define DISABLED_MAX 256

struct policy_opts {
	const char *files[POLICY_FILES_MAX];	/* --policy, in order */
	size_t nfiles;
	bool no_default;			/* --no-default-policy */
	const char *disabled[DISABLED_MAX];	/* --disable-rule */
	size_t ndisabled;
};

/* Handle one of the shared options; 1 if it was one, 0 if not, -1 on error. */
int policy_opts_parse(struct policy_opts *po, int opt, const char *arg);

/*
 * The policies of a run: the command line's, and the configuration file's
 * `policy` section where the command line says nothing (--policy replaces
 * policy.files; disabled rules add up). out points into flags and cfg.
 */
struct vigil_config;
void policy_opts_merge(struct policy_opts *out, const struct policy_opts *flags,
		       const struct vigil_config *cfg);

/* Read and compile the policies. Prints every problem to stderr as
 * FILE:LINE:COL: message. 0, or -1 when nothing may be loaded. */
int policy_opts_build(const struct policy_opts *po, struct ruleset **out);

/* getopt codes of the shared long options */
enum { OPT_POLICY = 'P', OPT_NO_DEFAULT = 0x100, OPT_DISABLE_RULE };

#define POLICY_LONGOPTS							\
	{ "policy", required_argument, NULL, OPT_POLICY },		\
	{ "no-default-policy", no_argument, NULL, OPT_NO_DEFAULT },	\
	{ "disable-rule", required_argument, NULL, OPT_DISABLE_RULE }

#define POLICY_USAGE								\
	"  -P, --policy FILE     add a policy file (repeatable, applied in order)\n"	\
	"      --no-default-policy  do not load the embedded default policy\n"	\
	"      --disable-rule ID turn a rule off (repeatable)\n"

#endif
