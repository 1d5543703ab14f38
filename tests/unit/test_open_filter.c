// SPDX-License-Identifier: GPL-2.0
/*
 * test_open_filter.c - the kernel's open filter compiled from rules: every
 * open a rule can match passes (over-approximation), the rest are dropped,
 * and what cannot be narrowed says so. open_filter_facts/wants compute what
 * src/bpf/file.bpf.c computes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <cmocka.h>
#include "detect/open_filter.h"
#include "policy_helper.h"

static struct ruleset *rs;
static struct open_filter *of;

static void compile(const char *yaml)
{
	rs = test_ruleset(yaml);
	assert_int_equal(open_filter_build(rs, &of), 0);
}

static int teardown(void **state)
{
	open_filter_free(of);
	ruleset_free(rs);
	of = NULL;
	rs = NULL;
	return 0;
}

/* Would the kernel send an open of path (split into its components) with flags? */
static bool sent(uint32_t flags, bool failed, const char *path, const char *comm)
{
	char buf[512], *anc[32];
	const char *name = NULL, *parent = NULL;
	size_t n = 0;
	uint64_t known, facts;

	snprintf(buf, sizeof(buf), "%s", path ? path : "");
	for (char *t = strtok(buf, "/"); t && n < 32; t = strtok(NULL, "/"))
		anc[n++] = t;
	if (path && !failed) {
		name = n ? anc[n - 1] : NULL;
		parent = n > 1 ? anc[n - 2] : NULL;
	}
	facts = open_filter_facts(of, flags, failed, name, parent, comm, &known);
	if (path && !failed)
		facts |= open_filter_ancestor_facts(of, (const char *const *)anc, n ? n - 1 : 0);
	return open_filter_wants(of, facts, known);
}

#define RULE(id, cond) \
	"- id: " id "\n  name: n\n  severity: high\n  output: o\n  condition: " cond "\n"

static void test_exact_paths(void **state)
{
	compile(RULE("R1", "evt.type = open and fd.name in (/dev/mem, /dev/kmem, /proc/kcore)"));
	assert_false(of->set.all);
	assert_true(sent(O_RDONLY, false, "/dev/mem", "cat"));
	assert_true(sent(O_RDONLY, false, "/proc/kcore", "cat"));
	assert_false(sent(O_RDONLY, false, "/usr/lib/libc.so.6", "cat"));
	/* necessary, not sufficient: the same names elsewhere pass, userspace decides */
	assert_true(sent(O_RDONLY, false, "/x/dev/mem", "cat"));
	/* a failed open has no file to name: it passes */
	assert_true(sent(O_RDONLY, true, "/dev/mem", "cat"));
}

static void test_directories_and_globs(void **state)
{
	compile(RULE("R1", "evt.type = open and fd.is_write and fd.name startswith /etc/cron.d/")
		RULE("R2", "evt.type = open and not fd.is_create and "
			   "fd.name glob '*/.ssh/id_*' and not fd.name endswith .pub")
		RULE("R3", "evt.type = open and fd.name contains /.aws/sso/cache/"));
	assert_false(of->set.all);
	/* under the directory, at any depth; writes only for R1 */
	assert_true(sent(O_WRONLY, false, "/etc/cron.d/job", "sh"));
	assert_true(sent(O_WRONLY, false, "/etc/cron.d/sub/job", "sh"));
	assert_false(sent(O_WRONLY, false, "/etc/crontab.d/job", "sh"));
	assert_false(sent(O_RDONLY, false, "/usr/share/doc/x", "sh"));
	/* '*' spans '/': only ".ssh" as a directory is certain */
	assert_true(sent(O_RDONLY, false, "/root/.ssh/id_rsa", "cat"));
	assert_true(sent(O_RDONLY, false, "/root/.ssh/id_dir/key", "cat"));
	assert_true(sent(O_RDONLY, false, "/home/u/.aws/sso/cache/a.json", "aws"));
	assert_false(sent(O_RDONLY, false, "/home/u/.aws/config", "aws"));
}

static void test_negation_only_where_exact(void **state)
{
	compile(RULE("R1", "evt.type = open and not fd.filename in (passwd, group)")
		RULE("R2", "evt.type = open and fd.is_write and not fd.name = /etc/hosts"));
	/* fd.filename is exact: its negation narrows */
	assert_false(sent(O_RDONLY, false, "/etc/passwd", "cat"));
	assert_true(sent(O_RDONLY, false, "/etc/shadow", "cat"));
	/* "fd.name = /etc/hosts" is only implied by the names: not negated, so
	 * /x/etc/hosts (not /etc/hosts) still passes for R2 */
	assert_true(sent(O_WRONLY, false, "/x/etc/hosts", "sh"));
}

static void test_what_cannot_be_narrowed(void **state)
{
	compile(RULE("R1", "evt.type = open and proc.cmdline contains secret"));
	assert_true(of->set.all);
	assert_non_null(strstr(of->why_all, "R1"));
	assert_non_null(strstr(of->why_all, "proc.cmdline"));
}

static void test_scope_and_comm(void **state)
{
	compile("- id: R1\n  name: n\n  severity: high\n  output: o\n  scope: containers\n"
		"  condition: evt.type = open and fd.outside_root\n"
		RULE("R2", "evt.type = open and proc.name in (sshd, averyveryverylongname)"));
	uint64_t known, facts;

	/* a host task (root = the host's) is never in a container's scope */
	assert_false(sent(O_RDONLY, false, "/etc/hosts", "cat"));
	facts = open_filter_facts(of, O_RDONLY, false, "hosts", "etc", "cat", &known);
	assert_true(open_filter_wants(of, facts | (1ULL << VGL_OF_CHROOTED), known));
	assert_true(sent(O_RDONLY, false, "/etc/hosts", "sshd"));
}

/* The kernel's first probe: names of the sets always pass it, names of no
 * set mostly do not (the default policy's sets, a storm's file names). */
static void test_bloom_first_probe(void **state)
{
	char name[16];
	int passed = 0;

	compile(NULL);
	assert_false(of->set.all);
	assert_true(open_filter_maybe_named(of, VGL_OF_NAME, "shadow"));
	assert_true(open_filter_maybe_named(of, VGL_OF_PARENT, ".ssh"));
	assert_true(sent(O_WRONLY, false, "/root/.ssh/authorized_keys", "sh"));
	assert_true(sent(O_RDONLY, false, "/etc/shadow", "cat"));
	assert_true(sent(O_WRONLY, false, "/etc/cron.d/job", "sh"));
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		passed += open_filter_maybe_named(of, VGL_OF_NAME, name);
		snprintf(name, sizeof(name), "d%03d", i);
		passed += open_filter_maybe_named(of, VGL_OF_PARENT, name);
	}
	/* ~100 names in 16384 bits, up to three probes a name: ~2% pass */
	assert_true(passed < 60);
	assert_false(sent(O_RDONLY, false, "/tmp/bench/d07/f042", "storm"));
}

static void test_bits_shared_when_used_up(void **state)
{
	char yaml[16384];
	size_t n = 0;

	for (int i = 0; i < 60; i++)
		n += snprintf(yaml + n, sizeof(yaml) - n,
			      RULE("R%d", "evt.type = open and fd.filename = file%d"), i, i);
	compile(yaml);
	assert_false(of->set.all);
	assert_true(sent(O_RDONLY, false, "/a/file3", "x"));
	assert_true(sent(O_RDONLY, false, "/a/file59", "x"));
	assert_false(sent(O_RDONLY, false, "/a/file60", "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_exact_paths, teardown),
		cmocka_unit_test_teardown(test_directories_and_globs, teardown),
		cmocka_unit_test_teardown(test_negation_only_where_exact, teardown),
		cmocka_unit_test_teardown(test_what_cannot_be_narrowed, teardown),
		cmocka_unit_test_teardown(test_scope_and_comm, teardown),
		cmocka_unit_test_teardown(test_bits_shared_when_used_up, teardown),
		cmocka_unit_test_teardown(test_bloom_first_probe, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
