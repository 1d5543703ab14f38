// SPDX-License-Identifier: GPL-2.0
/* policy_opts.c - see policy_opts.h. */
#include <errno.h>
#include <stdlib.h>
#include "cmd/policy_opts.h"
#include "log.h"

int policy_opts_parse(struct policy_opts *po, int opt, const char *arg)
{
	switch (opt) {
	case OPT_POLICY:
		if (po->nfiles == POLICY_FILES_MAX) {
			log_error("too many --policy files (at most %d)", POLICY_FILES_MAX);
			return -1;
		}
		po->files[po->nfiles++] = arg;
		return 1;
	case OPT_NO_DEFAULT:
		po->no_default = true;
		return 1;
	case OPT_DISABLE_RULE:
		if (po->ndisabled == DISABLED_MAX) {
			log_error("too many --disable-rule options (at most %d)", DISABLED_MAX);
			return -1;
		}
		po->disabled[po->ndisabled++] = arg;
		return 1;
	}
	return 0;
}

void policy_opts_merge(struct policy_opts *out, const struct policy_opts *flags,
		       const struct vigil_config *cfg)
{
	*out = *flags;
	if (!flags->nfiles && cfg->policy_files.set) {
		out->nfiles = 0;
		for (size_t i = 0; i < cfg->policy_files.n && i < POLICY_FILES_MAX; i++)
			out->files[out->nfiles++] = cfg->policy_files.v[i];
	}
	if (!flags->no_default && cfg->policy_default_set)
		out->no_default = !cfg->policy_default;
	for (size_t i = 0; i < cfg->disabled_rules.n && out->ndisabled < DISABLED_MAX; i++)
		out->disabled[out->ndisabled++] = cfg->disabled_rules.v[i];
}

int policy_opts_build(const struct policy_opts *po, struct ruleset **out)
{
	struct policy_source srcs[POLICY_FILES_MAX + POLICY_DEFAULTS_MAX];
	size_t n = 0, ndefault = 0;
	struct diags d = { 0 };
	int err = 0;

	if (!po->no_default)
		n = ndefault = policy_defaults(srcs, POLICY_DEFAULTS_MAX);
	for (size_t i = 0; i < po->nfiles; i++) {
		if (policy_read_file(po->files[i], &srcs[n], &d)) {
			err = -1;
			continue;
		}
		n++;
	}
	if (!err) {
		struct ruleset_opts ro = { srcs, n, po->disabled, po->ndisabled };

		err = ruleset_build(&ro, out, &d) ? -1 : 0;
	}
	diags_print(&d, stderr);
	if (err)
		log_error("policy not loaded: %zu problem%s", d.n, d.n == 1 ? "" : "s");
	diags_free(&d);
	for (size_t i = ndefault; i < n; i++)
		policy_source_free(&srcs[i]);
	return err;
}
