// SPDX-License-Identifier: GPL-2.0
/*
 * test_exec_plan.c - compiling `action: kill` rules into the kernel's
 * exec terms: what goes to the kernel, what stays in userspace and why,
 * and that the compiled terms decide like the rules (exec_plan_decide is
 * the same algorithm the kernel runs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "respond/exec_plan.h"
#include "policy_helper.h"
#include "enrich/container.h"

#define F(x) (1ULL << VGL_FACT_##x)
#define ALL_KNOWN (~0ULL)

static struct ruleset *rs;
static struct exec_plan *plan;

static void compile(const char *yaml)
{
	rs = test_ruleset(yaml);
	assert_int_equal(exec_plan_build(rs, &plan), 0);
}

static int teardown(void **state)
{
	exec_plan_free(plan);
	ruleset_free(rs);
	plan = NULL;
	rs = NULL;
	return 0;
}

static const struct exec_plan_rule *rule(const char *id)
{
	for (size_t i = 0; i < plan->nrules; i++)
		if (!strcmp(plan->rules[i].rule->id, id))
			return &plan->rules[i];
	fail_msg("rule %s not in the plan", id);
	return NULL;
}

/* facts of an exec of path by comm (child of pcomm), plus fixed facts */
static int decide(uint64_t fixed, const char *path, const char *comm, const char *pcomm)
{
	return exec_plan_decide(plan, fixed | exec_plan_string_facts(plan, path, comm, pcomm),
				ALL_KNOWN);
}

#define RULE(id, action, cond) \
	"- id: " id "\n  name: n\n  severity: high\n  action: " action "\n  output: o\n" \
	"  condition: " cond "\n"

static void test_flags_and_exceptions(void **state)
{
	compile(RULE("R1", "kill", "evt.type = exec and evt.res = 0 and proc.is_memfd")
		"  exceptions:\n    - name: runtimes\n      condition: proc.execer_protected\n");
	assert_int_equal(rule("R1")->how, EXEC_PLAN_KERNEL);
	assert_int_equal(plan->set.nterms, 2);
	assert_int_equal(decide(F(MEMFD), "/memfd:x", "x", "bash"), 0);
	assert_int_equal(decide(F(MEMFD) | F(EXECER_PROTECTED), "/memfd:x", "x", "runc"), -1);
	assert_int_equal(decide(0, "/usr/bin/true", "true", "bash"), -1);
}

static void test_names_paths_and_negation(void **state)
{
	compile("- list: shells\n  items: [sh, bash]\n"
		RULE("R1", "kill", "evt.type = exec and proc.name in (shells) and "
			 "proc.stdin = socket and not proc.pname in (systemd, inetd)")
		RULE("R2", "kill", "evt.type = exec and (proc.exe startswith /dev/shm/ or "
			 "proc.exe = /opt/evil)"));
	assert_int_equal(rule("R1")->how, EXEC_PLAN_KERNEL);
	assert_int_equal(rule("R2")->how, EXEC_PLAN_KERNEL);
	assert_int_equal(decide(F(STDIN_SOCKET), "/bin/bash", "bash", "nc"), 0);
	assert_int_equal(decide(F(STDIN_SOCKET), "/bin/bash", "bash", "systemd"), -1);
	assert_int_equal(decide(0, "/bin/bash", "bash", "nc"), -1);
	assert_int_equal(decide(0, "/dev/shm/a/b", "b", "sh"), 1);
	assert_int_equal(decide(0, "/opt/evil", "evil", "sh"), 1);
	assert_int_equal(decide(0, "/opt/evil2", "evil2", "sh"), -1);
	assert_int_equal(decide(0, "/dev/shmx/b", "b", "sh"), -1);
}

static void test_scope_and_container_id(void **state)
{
	compile("- id: R1\n  name: n\n  severity: high\n  action: kill\n  output: o\n"
		"  scope: containers\n  condition: evt.type = exec and proc.exe_written\n"
		RULE("R2", "kill", "evt.type = exec and container.id = host and proc.exe_setuid"));
	assert_int_equal(decide(F(WRITTEN) | F(IN_CONTAINER), "/tmp/x", "x", "sh"), 0);
	assert_int_equal(decide(F(WRITTEN), "/tmp/x", "x", "sh"), -1);
	assert_int_equal(decide(F(SETUID), "/tmp/x", "x", "sh"), 1);
	assert_int_equal(decide(F(SETUID) | F(IN_CONTAINER), "/tmp/x", "x", "sh"), -1);
}

static void test_userspace_and_hybrid(void **state)
{
	compile(RULE("U1", "kill", "evt.type = exec and proc.cmdline contains stratum")
		RULE("H1", "kill", "evt.type = exec and (proc.name = xmrig or "
			 "proc.cmdline contains stratum)")
		RULE("U2", "kill", "evt.type = exec and proc.is_memfd")
		"  exceptions:\n    - name: parent\n      condition: proc.pexe = /usr/bin/x\n"
		RULE("U3", "kill", "evt.type = exec and proc.aname[2] = make")
		RULE("A1", "alert", "evt.type = exec and proc.is_memfd"));
	assert_int_equal(rule("U1")->how, EXEC_PLAN_USER);
	assert_non_null(strstr(rule("U1")->why, "proc.cmdline"));
	assert_int_equal(rule("H1")->how, EXEC_PLAN_HYBRID);
	assert_int_equal(rule("U2")->how, EXEC_PLAN_USER);
	assert_non_null(strstr(rule("U2")->why, "exception parent"));
	assert_int_equal(rule("U3")->how, EXEC_PLAN_USER);
	assert_non_null(strstr(rule("U3")->why, "ancestors"));
	assert_int_equal(plan->nrules, 4);	/* alert rules are not planned */
	assert_int_equal(decide(0, "/usr/bin/xmrig", "xmrig", "sh"), (int)rule("H1")->rule->index);
	/* only H1's kernel half has terms: a userspace-only rule adds none */
	assert_int_equal(plan->set.nterms, 1);
}

static void test_unknown_facts_are_left_to_the_kernel(void **state)
{
	compile(RULE("R1", "kill", "evt.type = exec and proc.exe startswith /dev/shm/")
		"  exceptions:\n    - name: e\n      condition: proc.stdin = socket\n");
	/* the exception's fact is unknown: userspace must not decide */
	assert_int_equal(exec_plan_decide(plan, exec_plan_string_facts(plan, "/dev/shm/x", "x", "sh"),
					  exec_plan_string_bits(plan)), -1);
	assert_int_equal(exec_plan_decide(plan, exec_plan_string_facts(plan, "/dev/shm/x", "x", "sh"),
					  exec_plan_string_bits(plan) | F(STDIN_SOCKET)), 0);
}

static void test_long_values(void **state)
{
	compile(RULE("R1", "kill", "evt.type = exec and proc.name = averyveryverylongname")
		RULE("R2", "kill", "evt.type = exec and proc.exe startswith /tmp"));
	/* a comm is cut at 15 characters: a longer name can never equal it */
	assert_int_equal(rule("R1")->how, EXEC_PLAN_KERNEL);
	assert_int_equal(decide(0, "/x/averyveryverylongname", "averyveryverylo", "sh"), -1);
	assert_int_equal(rule("R2")->how, EXEC_PLAN_USER);
	assert_non_null(strstr(rule("R2")->why, "does not end with '/'"));
}

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static void test_hash_lists(void **state)
{
	compile("- list: bad\n  items: [" SHA_A ", \"" SHA_B "\", not-a-hash]\n"
		"- list: none\n  items: []\n"
		RULE("R1", "kill", "evt.type = exec and proc.exe_sha256 in (bad)")
		RULE("R2", "kill", "evt.type = exec and proc.is_memfd")
		"  exceptions:\n    - name: known\n      condition: proc.exe_sha256 = " SHA_A "\n"
		RULE("R3", "kill", "evt.type = exec and not proc.exe_sha256 in (bad)")
		RULE("R4", "kill", "evt.type = exec and proc.exe_sha256 in (none)"));
	uint64_t a = exec_plan_hash_facts(plan, SHA_A);

	/* in the kernel for files already hashed, so userspace decides too */
	assert_int_equal(rule("R1")->how, EXEC_PLAN_HYBRID);
	assert_true(rule("R1")->learns_hashes);
	assert_non_null(strstr(rule("R1")->why, "hashed"));
	assert_true(a != 0);
	/* both hashes of the list, quoted or not; what is not a SHA-256 is dropped */
	assert_true(exec_plan_hash_facts(plan, SHA_B) == a);
	assert_int_equal(plan->nhashes, 2);
	assert_true(exec_plan_hash_facts(plan, "0000") == 0);
	assert_int_equal(exec_plan_decide(plan, a, ALL_KNOWN), (int)rule("R1")->rule->index);
	assert_int_equal(exec_plan_decide(plan, 0, ALL_KNOWN), -1);
	/* a miss is not proof of absence: no exception or negation relies on it */
	assert_int_equal(rule("R2")->how, EXEC_PLAN_USER);
	assert_false(rule("R2")->learns_hashes);
	assert_int_equal(rule("R3")->how, EXEC_PLAN_USER);
	/* the empty default list never matches */
	assert_int_equal(rule("R4")->how, EXEC_PLAN_USER);
}

static void test_container_sets(void **state)
{
	struct container_info web = { .cgroup_id = 7, .resolved = true };
	struct container_info db = web;

	web.ref.runtime = db.ref.runtime = CRT_RUNC;
	strcpy(web.ref.id, "web-1");
	strcpy(db.ref.id, "db-1");
	compile(RULE("R1", "kill", "evt.type = exec and proc.exe_written")
		"  exceptions:\n    - name: builders\n      condition: container.id = web-1\n"
		RULE("R2", "kill", "evt.type = exec and proc.is_memfd and container.id != db-1"));
	uint64_t fw = exec_plan_container_facts(plan, &web), fd = exec_plan_container_facts(plan, &db);
	uint64_t fh = exec_plan_container_facts(plan, NULL);

	assert_int_equal(rule("R1")->how, EXEC_PLAN_HYBRID);
	assert_non_null(strstr(rule("R1")->why, "containers"));
	assert_int_equal(rule("R2")->how, EXEC_PLAN_HYBRID);
	/* web-1 is in both sets, db-1 in neither, the host is != db-1 */
	assert_true(fw != 0 && fd == 0 && fh != 0 && fh != fw && (fh & fw) == fh);
	/* an unclassified cgroup: the kernel leaves it to userspace */
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN), ALL_KNOWN), -1);
	assert_int_equal(exec_plan_decide(plan, F(MEMFD), ALL_KNOWN), -1);
	/* classified: the allowance holds in web-1 only */
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN) | F(CGROUP_KNOWN) | fw, ALL_KNOWN), -1);
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN) | F(CGROUP_KNOWN) | fd, ALL_KNOWN),
			 (int)rule("R1")->rule->index);
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN) | F(CGROUP_KNOWN) | fh, ALL_KNOWN),
			 (int)rule("R1")->rule->index);
	assert_int_equal(exec_plan_decide(plan, F(MEMFD) | F(CGROUP_KNOWN) | fd, ALL_KNOWN), -1);
	assert_int_equal(exec_plan_decide(plan, F(MEMFD) | F(CGROUP_KNOWN) | fw, ALL_KNOWN),
			 (int)rule("R2")->rule->index);
	/* the host is neither container */
	assert_int_equal(exec_plan_decide(plan, F(MEMFD) | F(CGROUP_KNOWN) | fh, ALL_KNOWN),
			 (int)rule("R2")->rule->index);
}

static void test_container_sets_on_labels(void **state)
{
	struct container_meta mb = { 0 }, mw = { 0 };
	struct container_info builder = { .cgroup_id = 8, .resolved = true, .meta = &mb };
	struct container_info web = { .cgroup_id = 9, .resolved = true, .meta = &mw };

	builder.ref.runtime = web.ref.runtime = CRT_CONTAINERD;
	strcpy(mb.labels, "tier:ci,app.kubernetes.io/name:builder");
	strcpy(mw.labels, "app.kubernetes.io/name:web,tier:front");
	compile(RULE("R1", "kill", "evt.type = exec and proc.exe_written")
		"  exceptions:\n    - name: ci\n"
		"      condition: k8s.pod.label[app.kubernetes.io/name] = builder\n");
	uint64_t fb = exec_plan_container_facts(plan, &builder);
	uint64_t fw = exec_plan_container_facts(plan, &web);

	assert_int_equal(rule("R1")->how, EXEC_PLAN_HYBRID);
	assert_true(fb != 0 && fw == 0);
	assert_true(exec_plan_container_facts(plan, NULL) == 0);	/* the host has no labels */
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN) | F(CGROUP_KNOWN) | fb, ALL_KNOWN), -1);
	assert_int_equal(exec_plan_decide(plan, F(WRITTEN) | F(CGROUP_KNOWN) | fw, ALL_KNOWN), 0);
}

static void test_fnv_matches_the_kernel_constants(void **state)
{
	/* FNV-1a 64 of "a": a published test vector */
	assert_true(exec_plan_fnv("a", 1) == 0xaf63dc4c8601ec8cULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_flags_and_exceptions, teardown),
		cmocka_unit_test_teardown(test_names_paths_and_negation, teardown),
		cmocka_unit_test_teardown(test_scope_and_container_id, teardown),
		cmocka_unit_test_teardown(test_userspace_and_hybrid, teardown),
		cmocka_unit_test_teardown(test_unknown_facts_are_left_to_the_kernel, teardown),
		cmocka_unit_test_teardown(test_long_values, teardown),
		cmocka_unit_test_teardown(test_hash_lists, teardown),
		cmocka_unit_test_teardown(test_container_sets, teardown),
		cmocka_unit_test_teardown(test_container_sets_on_labels, teardown),
		cmocka_unit_test_teardown(test_fnv_matches_the_kernel_constants, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
