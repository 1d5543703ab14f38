// SPDX-License-Identifier: GPL-2.0
/*
 * test_netblock_compile.c - block rules compiled for the cgroup socket
 * hooks: which rules the kernel enforces, why the others are refused, and
 * what the compiled plan decides for connects (nb_plan_decide evaluates
 * the plan the way netblock.bpf.c does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "respond/netblock_compile.h"
#include "policy_helper.h"

struct fixture {
	struct ruleset *rs;
	struct nb_plan *plan;
};

static struct fixture fx;

/* Compile a policy (YAML text); fails the test if it does not build. */
static const struct nb_plan *plan_of(const char *yaml)
{
	fx.rs = test_ruleset(yaml);
	assert_int_equal(nb_plan_build(fx.rs, 100, &fx.plan), 0);
	return fx.plan;
}

static int teardown(void **state)
{
	nb_plan_free(fx.plan);
	ruleset_free(fx.rs);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static const struct nb_rule_plan *rule_named(const struct nb_plan *p, const char *id)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].rule->id, id))
			return &p->rules[i];
	fail_msg("no block rule %s in the plan", id);
	return NULL;
}

static void expect_kernel(const struct nb_plan *p, const char *id)
{
	const struct nb_rule_plan *r = rule_named(p, id);

	if (!r->kernel)
		fail_msg("%s is not compiled: %s", id, r->why);
}

static void expect_refused(const struct nb_plan *p, const char *id, const char *why_part)
{
	const struct nb_rule_plan *r = rule_named(p, id);

	if (r->kernel)
		fail_msg("%s compiled, expected a refusal with '%s'", id, why_part);
	if (!strstr(r->why, why_part))
		fail_msg("%s refused with '%s', expected '%s'", id, r->why, why_part);
	assert_int_equal(r->slot, -1);
}

/* The ruleset index the hooks would block a connect with, or -1. */
static int decide(const struct nb_plan *p, const char *addr, uint16_t port, int proto,
		  bool in_container)
{
	struct nb_attempt a = { .proto = proto, .in_container = in_container, .port = port };

	a.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, addr, a.addr), 1);
	return nb_plan_decide(p, &a);
}

static int index_of(const char *id)
{
	for (size_t i = 0; i < fx.rs->n; i++)
		if (!strcmp(fx.rs->rules[i]->id, id))
			return fx.rs->rules[i]->index;
	fail_msg("no rule %s", id);
	return -1;
}

#define RULE(id, cond) \
	"- id: " id "\n  name: " id "\n  severity: high\n  action: block\n" \
	"  condition: " cond "\n  output: x\n"

static void test_port_rule(void **state)
{
	const struct nb_plan *p = plan_of(
		"- list: pool_ports\n  items: [3333, 14444]\n"
		"- macro: inet_connect\n"
		"  condition: evt.type = connect and net.family in (AF_INET, AF_INET6)\n"
		RULE("B-1", "inet_connect and net.dport in (pool_ports)")
		RULE("B-2", "evt.type = connect and net.proto = udp and net.dport = 53"));

	expect_kernel(p, "B-1");
	expect_kernel(p, "B-2");
	assert_int_equal(decide(p, "1.2.3.4", 3333, IPPROTO_TCP, false), index_of("B-1"));
	assert_int_equal(decide(p, "2001:db8::1", 14444, IPPROTO_TCP, true), index_of("B-1"));
	assert_int_equal(decide(p, "1.2.3.4", 3334, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "9.9.9.9", 53, IPPROTO_UDP, false), index_of("B-2"));
	assert_int_equal(decide(p, "9.9.9.9", 53, IPPROTO_TCP, false), -1);
}

/* The trie answers with the longest prefix: a /24 inside a /8 of another
 * rule must still carry the /8's bit. */
static void test_nested_cidrs(void **state)
{
	const struct nb_plan *p = plan_of(
		RULE("C-1", "net.daddr in (10.0.0.0/8) and net.dport = 80")
		RULE("C-2", "net.daddr = 10.1.2.0/24")
		/* host bits set: the same as 10.1.0.0/16 */
		RULE("C-3", "net.daddr = 10.1.2.99/16"));

	expect_kernel(p, "C-1");
	expect_kernel(p, "C-2");
	assert_int_equal(decide(p, "10.1.2.3", 80, IPPROTO_TCP, false), index_of("C-1"));
	assert_int_equal(decide(p, "10.1.2.3", 443, IPPROTO_TCP, false), index_of("C-2"));
	assert_int_equal(decide(p, "10.1.77.3", 443, IPPROTO_TCP, false), index_of("C-3"));
	assert_int_equal(decide(p, "10.200.0.1", 80, IPPROTO_TCP, false), index_of("C-1"));
	assert_int_equal(decide(p, "10.200.0.1", 443, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "11.0.0.1", 80, IPPROTO_TCP, false), -1);
}

/* ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: blocked either way. */
static void test_mapped_addresses(void **state)
{
	const struct nb_plan *p = plan_of(
		RULE("M-1", "net.daddr in (169.254.169.254, 'fd00:ec2::254')")
		RULE("M-2", "net.daddr = '::ffff:192.0.2.0/120'"));

	expect_kernel(p, "M-1");
	expect_kernel(p, "M-2");
	assert_int_equal(decide(p, "169.254.169.254", 80, IPPROTO_TCP, true), index_of("M-1"));
	assert_int_equal(decide(p, "::ffff:169.254.169.254", 80, IPPROTO_TCP, true),
			 index_of("M-1"));
	assert_int_equal(decide(p, "fd00:ec2::254", 80, IPPROTO_TCP, true), index_of("M-1"));
	assert_int_equal(decide(p, "::ffff:169.254.169.253", 80, IPPROTO_TCP, true), -1);
	/* a mapped CIDR of /120 is the IPv4 /24 */
	assert_int_equal(decide(p, "192.0.2.77", 80, IPPROTO_TCP, false), index_of("M-2"));
	assert_int_equal(decide(p, "::ffff:192.0.2.77", 80, IPPROTO_UDP, false), index_of("M-2"));
	assert_int_equal(decide(p, "192.0.3.1", 80, IPPROTO_TCP, false), -1);
}

static void test_scope_and_container_fields(void **state)
{
	const struct nb_plan *p = plan_of(
		"- id: S-1\n  name: s\n  severity: high\n  action: block\n  scope: containers\n"
		"  condition: net.dport = 1001\n  output: x\n"
		"- id: S-2\n  name: s\n  severity: high\n  action: block\n  scope: host\n"
		"  condition: net.dport = 1002\n  output: x\n"
		RULE("S-3", "net.dport = 1003 and container.id != host")
		RULE("S-4", "net.dport = 1004 and not container.is"));

	for (int i = 1; i <= 4; i++) {
		char id[8];

		snprintf(id, sizeof(id), "S-%d", i);
		expect_kernel(p, id);
	}
	assert_int_equal(decide(p, "1.1.1.1", 1001, IPPROTO_TCP, true), index_of("S-1"));
	assert_int_equal(decide(p, "1.1.1.1", 1001, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "1.1.1.1", 1002, IPPROTO_TCP, false), index_of("S-2"));
	assert_int_equal(decide(p, "1.1.1.1", 1002, IPPROTO_TCP, true), -1);
	assert_int_equal(decide(p, "1.1.1.1", 1003, IPPROTO_TCP, true), index_of("S-3"));
	assert_int_equal(decide(p, "1.1.1.1", 1003, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "1.1.1.1", 1004, IPPROTO_TCP, false), index_of("S-4"));
	assert_int_equal(decide(p, "1.1.1.1", 1004, IPPROTO_TCP, true), -1);
}

static void test_negations(void **state)
{
	const struct nb_plan *p = plan_of(
		RULE("N-1", "net.dport = 3333 and not net.daddr in (127.0.0.0/8, '::1')")
		RULE("N-2", "net.daddr = 203.0.113.0/24 and net.dport != 22")
		RULE("N-3", "evt.type = connect and not (net.dport != 4444 or net.proto != tcp)"));

	expect_kernel(p, "N-1");
	expect_kernel(p, "N-2");
	expect_kernel(p, "N-3");
	assert_int_equal(decide(p, "127.0.0.1", 3333, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "::1", 3333, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "8.8.8.8", 3333, IPPROTO_TCP, false), index_of("N-1"));
	assert_int_equal(decide(p, "203.0.113.5", 22, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "203.0.113.5", 80, IPPROTO_TCP, false), index_of("N-2"));
	assert_int_equal(decide(p, "8.8.8.8", 4444, IPPROTO_TCP, false), index_of("N-3"));
	assert_int_equal(decide(p, "8.8.8.8", 4444, IPPROTO_UDP, false), -1);
}

static void test_exceptions(void **state)
{
	const struct nb_plan *p = plan_of(
		"- id: E-1\n  name: e\n  severity: high\n  action: block\n"
		"  condition: net.daddr = 10.0.0.0/8\n"
		"  exceptions:\n"
		"    - name: the proxy\n"
		"      condition: net.daddr = 10.0.0.1 and net.dport = 3128\n"
		"    - name: host processes\n      condition: container.id = host\n"
		"  output: x\n"
		"- id: E-2\n  name: e\n  severity: high\n  action: block\n"
		"  condition: net.dport = 3333\n"
		"  exceptions:\n"
		"    - name: by name\n      condition: proc.name = approved\n"
		"  output: x\n");

	expect_kernel(p, "E-1");
	assert_int_equal(decide(p, "10.0.0.1", 3128, IPPROTO_TCP, true), -1);
	assert_int_equal(decide(p, "10.0.0.1", 80, IPPROTO_TCP, true), index_of("E-1"));
	assert_int_equal(decide(p, "10.0.0.1", 80, IPPROTO_TCP, false), -1);
	/* an exception the hooks cannot decide keeps the whole rule out */
	expect_refused(p, "E-2", "exception 'by name': proc.name is not known");
	assert_int_equal(decide(p, "1.1.1.1", 3333, IPPROTO_TCP, false), -1);
}

static void test_refusals(void **state)
{
	const struct nb_plan *p = plan_of(
		RULE("R-1", "net.dport = 3333 and proc.name = xmrig")
		RULE("R-2", "net.dport > 1000")
		RULE("R-3", "evt.type = connect and container.is")
		RULE("R-4", "evt.type = exec and proc.name = nc")
		RULE("R-5", "net.proto = icmp and net.daddr = 1.2.3.4")
		RULE("R-6", "net.dport = 1 or evt.type = connect")
		RULE("R-7", "container.id = abc123 and net.dport = 1")
		RULE("R-8", "net.dport = 5555")
		"- id: R-9\n  name: w\n  severity: high\n  action: block\n"
		"  condition: net.dport = 1\n"
		"  window: {key: [proc.pid], count: 3, seconds: 5}\n  output: x\n"
		RULE("R-10", "net.sport = 5 and net.dport = 6"));

	expect_refused(p, "R-1", "proc.name is not known to a socket hook");
	expect_refused(p, "R-2", "net.dport with a range");
	expect_refused(p, "R-3", "would block every connection");
	expect_refused(p, "R-4", "never matches a connect");
	expect_refused(p, "R-5", "net.proto icmp");
	expect_refused(p, "R-6", "would block every connection");
	expect_refused(p, "R-7", "container.id abc123");
	expect_refused(p, "R-9", "windowed");
	expect_refused(p, "R-10", "net.sport");
	/* the one good rule among them compiled, and nothing of the others leaked */
	expect_kernel(p, "R-8");
	assert_int_equal(p->nslots, 1);
	assert_int_equal(decide(p, "1.1.1.1", 3333, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "1.1.1.1", 6, IPPROTO_TCP, false), -1);
	assert_int_equal(decide(p, "1.1.1.1", 5555, IPPROTO_TCP, false), index_of("R-8"));
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i].port != 5555)
			assert_int_equal(p->ports[i].bits, 0);
}

/* Two rules on the same list share one fact bit. */
static void test_shared_sets(void **state)
{
	const struct nb_plan *p = plan_of(
		"- list: bad\n  items: [198.51.100.7, 198.51.100.8]\n"
		RULE("D-1", "net.daddr in (bad) and net.dport = 80")
		RULE("D-2", "net.daddr in (bad) and net.dport = 443"));

	expect_kernel(p, "D-1");
	expect_kernel(p, "D-2");
	assert_int_equal(p->natoms, 3);	/* bad, 80, 443 */
	assert_int_equal(decide(p, "198.51.100.8", 443, IPPROTO_TCP, false), index_of("D-2"));
}

/* VGL-0805 (mining pool ports) is a block rule of the default policy: the
 * hooks must enforce it. */
static void test_default_policy(void **state)
{
	struct policy_source srcs[POLICY_DEFAULTS_MAX];
	size_t n = policy_defaults(srcs, POLICY_DEFAULTS_MAX);
	struct ruleset_opts o = { srcs, n, NULL, 0 };
	struct diags d = { 0 };
	const struct nb_rule_plan *r;

	assert_int_equal(ruleset_build(&o, &fx.rs, &d), 0);
	assert_int_equal(nb_plan_build(fx.rs, 0, &fx.plan), 0);
	r = rule_named(fx.plan, "VGL-0805");
	if (!r->kernel)
		fail_msg("VGL-0805 not compiled: %s", r->why);
	assert_int_equal(decide(fx.plan, "203.0.113.9", 14444, IPPROTO_TCP, false),
			 index_of("VGL-0805"));
	assert_int_equal(fx.plan->set.slot_rate[r->slot], 0);
	for (size_t i = 0; i < fx.plan->nrules; i++)
		if (!fx.plan->rules[i].kernel)
			printf("note: %s: %s\n", fx.plan->rules[i].rule->id, fx.plan->rules[i].why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_port_rule, teardown),
		cmocka_unit_test_teardown(test_nested_cidrs, teardown),
		cmocka_unit_test_teardown(test_mapped_addresses, teardown),
		cmocka_unit_test_teardown(test_scope_and_container_fields, teardown),
		cmocka_unit_test_teardown(test_negations, teardown),
		cmocka_unit_test_teardown(test_exceptions, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
		cmocka_unit_test_teardown(test_shared_sets, teardown),
		cmocka_unit_test_teardown(test_default_policy, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
