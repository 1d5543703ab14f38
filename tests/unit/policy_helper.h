/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy_helper.h - for cmocka tests (include after <cmocka.h>): compile a
 * policy or fail the test, printing why.
 */
#ifndef VIGIL_TEST_POLICY_HELPER_H
#define VIGIL_TEST_POLICY_HELPER_H

#include <stdio.h>
#include <string.h>
#include "detect/policy.h"

/* The ruleset of yaml, or of the embedded default policy when yaml is NULL. */
static inline struct ruleset *test_ruleset(const char *yaml)
{
	struct policy_source src[POLICY_DEFAULTS_MAX];
	struct ruleset_opts o = { src, 1, NULL, 0 };
	struct diags d = { 0 };
	struct ruleset *rs = NULL;

	if (yaml)
		src[0] = (struct policy_source){ "test.yaml", yaml, strlen(yaml) };
	else
		o.nsrcs = policy_defaults(src, POLICY_DEFAULTS_MAX);
	if (ruleset_build(&o, &rs, &d)) {
		diags_print(&d, stderr);
		fail_msg("%s does not compile", yaml ? "the test policy" : "the default policy");
	}
	diags_free(&d);
	return rs;
}

#endif
