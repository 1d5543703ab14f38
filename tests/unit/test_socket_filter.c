// SPDX-License-Identifier: GPL-2.0
/* The kernel may drop ordinary sockets only when no rule can match one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "detect/socket_filter.h"
#include "policy_helper.h"

#define RULE(id, cond) \
	"- id: " id "\n  name: n\n  severity: high\n  output: o\n  condition: " cond "\n"

/* Whether the rules of yaml need every socket (the default policy when NULL). */
static bool needs_all(const char *yaml)
{
	struct ruleset *rs = test_ruleset(yaml);
	const char *why = NULL;
	bool all = socket_filter_needs_all(rs, &why);

	if (all)
		assert_non_null(why);
	ruleset_free(rs);
	return all;
}

static void test_default_policy_wants_only_special_sockets(void **state)
{
	assert_false(needs_all(NULL));
}

static void test_raw_or_packet_only(void **state)
{
	assert_false(needs_all(RULE("R1", "evt.type = socket and net.is_raw")));
	assert_false(needs_all(RULE("R1", "evt.type = socket and (net.is_raw or net.is_packet) "
				   "and proc.name != ping")));
	assert_false(needs_all(RULE("R1", "evt.type = socket and net.is_packet = true")));
	assert_false(needs_all(RULE("R1", "evt.type = socket and not (net.is_raw = false)")));
}

static void test_rules_that_can_match_any_socket(void **state)
{
	assert_true(needs_all(RULE("R1", "evt.type = socket and proc.name = nc")));
	assert_true(needs_all(RULE("R1", "evt.type = socket and not net.is_raw")));
	assert_true(needs_all(RULE("R1", "evt.type = socket and net.is_raw = false")));
	assert_true(needs_all(RULE("R1", "evt.type = socket and (net.is_raw or proc.name = x)")));
	/* a rule on several types sees sockets too */
	assert_true(needs_all(RULE("R1", "evt.type in (socket, connect) and proc.name = nc")));
	assert_true(needs_all(RULE("R1", "evt.type = socket and net.is_raw in (true, false)")));
	assert_false(needs_all(RULE("R1", "evt.type = socket and net.is_raw != false")));
	/* rules on other types do not count */
	assert_false(needs_all(RULE("R1", "evt.type = connect and proc.name = nc")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy_wants_only_special_sockets),
		cmocka_unit_test(test_raw_or_packet_only),
		cmocka_unit_test(test_rules_that_can_match_any_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
