// SPDX-License-Identifier: GPL-2.0
/*
 * config_check.c - `vigil config check [FILE]`: read a configuration file
 * as `vigil run` would (FILE:LINE:COL for every problem, unknown keys
 * included) and compile the policies it names, without loading anything
 * into the kernel. Exit status 0 when `vigil run` would accept it.
 */
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "cmd/policy_opts.h"
#include "config/config.h"
#include "detect/policy.h"

static void config_usage(FILE *f)
{
	fprintf(f, "usage: vigil config check [FILE]   validate a configuration file (default %s)\n"
		   "                                   and the policies it names\n",
		CONFIG_DEFAULT_PATH);
}

int cmd_config(int argc, char **argv)
{
	struct policy_opts none = { 0 }, po;
	struct vigil_config cfg = { 0 };
	const char *path = CONFIG_DEFAULT_PATH;
	struct ruleset *rs;
	int rc = 1;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		config_usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "check") || argc > 3) {
		config_usage(stderr);
		return 2;
	}
	if (argc == 3)
		path = argv[2];
	if (config_load(path, &cfg))
		goto out;
	policy_opts_merge(&po, &none, &cfg);
	if (policy_opts_build(&po, &rs))
		goto out;
	printf("%s: ok (%zu rules from %s%zu policy file%s)\n", path, rs->n,
	       po.no_default ? "" : "the default policy and ", po.nfiles, po.nfiles == 1 ? "" : "s");
	ruleset_free(rs);
	rc = 0;
out:
	config_free(&cfg);
	return rc;
}
