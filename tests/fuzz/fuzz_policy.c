// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_policy.c - libFuzzer target: any bytes as a policy file must give a
 * ruleset or diagnostics, never a crash or a leak (make fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "detect/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct policy_source src = { "fuzz.yaml", text, size };
	struct ruleset_opts o = { &src, 1, NULL, 0 };
	struct ruleset *rs = NULL;
	struct diags d = { 0 };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	src.len = strlen(text);
	if (ruleset_build(&o, &rs, &d) == 0)
		ruleset_free(rs);
	diags_free(&d);
	free(text);
	return 0;
}
