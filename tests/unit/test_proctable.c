// SPDX-License-Identifier: GPL-2.0
/* test_proctable.c - the process table: fork/exec/exit bookkeeping,
 * ancestry, seeding from a (fake) /proc, bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "enrich/proctable.h"

static void exec_(struct proc_table *t, uint32_t pid, uint32_t ppid, const char *exe,
		  const char *args, size_t args_len)
{
	proc_table_exec(t, pid, ppid, 1000 + pid, "comm", exe, strlen(exe), args, args_len, 0, 1);
}

static void test_exec_fork_exit(void **state)
{
	struct proc_table *t = proc_table_new(64, NULL);
	struct proc_entry *e;

	exec_(t, 10, 1, "/bin/bash", "bash\0-l\0", 8);
	e = proc_table_get(t, 10, false);
	assert_non_null(e);
	assert_string_equal(e->exe, "/bin/bash");
	assert_string_equal(e->args, "bash -l");
	assert_int_equal(e->ppid, 1);

	proc_table_fork(t, 10, 11, 5555);
	e = proc_table_get(t, 11, false);
	assert_non_null(e);
	assert_string_equal(e->exe, "/bin/bash");	/* fork keeps the image */
	assert_int_equal(e->ppid, 10);
	assert_int_equal(e->start_ns, 5555);

	exec_(t, 11, 10, "/usr/bin/ls", "ls\0-la\0/tmp", 11);	/* no final NUL */
	e = proc_table_get(t, 11, false);
	assert_string_equal(e->exe, "/usr/bin/ls");
	assert_string_equal(e->args, "ls -la /tmp");
	assert_int_equal(proc_table_size(t), 2);

	proc_table_exit(t, 11);
	assert_null(proc_table_get(t, 11, false));
	assert_int_equal(proc_table_size(t), 1);
	proc_table_exit(t, 11);			/* double exit is harmless */
	assert_int_equal(proc_table_size(t), 1);
	proc_table_free(t);
}

static void test_ancestry_stops_at_loops_and_unknowns(void **state)
{
	struct proc_table *t = proc_table_new(64, NULL);
	const struct proc_entry *anc[8];

	exec_(t, 1, 0, "/sbin/init", "init", 4);
	exec_(t, 2, 1, "/usr/sbin/sshd", "sshd", 4);
	exec_(t, 3, 2, "/bin/bash", "bash", 4);
	exec_(t, 4, 3, "/usr/bin/python3", "python3", 7);
	exec_(t, 5, 4, "/bin/sh", "sh", 2);
	exec_(t, 6, 5, "/usr/bin/curl", "curl", 4);
	assert_int_equal(proc_table_ancestors(t, 6, anc, 8), 5);
	assert_string_equal(anc[0]->exe, "/bin/sh");
	assert_string_equal(anc[4]->exe, "/sbin/init");
	assert_int_equal(proc_table_ancestors(t, 6, anc, 2), 2);	/* bounded */

	exec_(t, 20, 21, "/a", "a", 1);		/* loop: 20 -> 21 -> 20 */
	exec_(t, 21, 20, "/b", "b", 1);
	assert_true(proc_table_ancestors(t, 20, anc, 8) <= 8);
	exec_(t, 30, 999, "/c", "c", 1);	/* unknown parent */
	assert_int_equal(proc_table_ancestors(t, 30, anc, 8), 0);
	proc_table_free(t);
}

static void test_table_is_bounded(void **state)
{
	struct proc_table *t = proc_table_new(1100, NULL);

	for (uint32_t pid = 1; pid <= 5000; pid++)
		exec_(t, pid, 1, "/x", "x", 1);
	assert_int_equal(proc_table_size(t), 1100);	/* full: new ones are dropped */
	for (uint32_t pid = 1; pid <= 1100; pid++)
		proc_table_exit(t, pid);
	assert_int_equal(proc_table_size(t), 0);
	for (uint32_t pid = 6000; pid < 7100; pid++)	/* slots are reused */
		exec_(t, pid, 1, "/y", "y", 1);
	assert_int_equal(proc_table_size(t), 1100);
	assert_string_equal(proc_table_get(t, 7099, false)->exe, "/y");
	proc_table_free(t);
}

/* Exited processes stay findable for a grace period, bounded in time and count. */
static void test_exit_grace_period(void **state)
{
	struct proc_table *t = proc_table_new(4096, NULL);
	const uint64_t s = 1000000000ULL;

	exec_(t, 50, 1, "/usr/bin/base64", "base64 -d", 9);
	proc_table_exit_later(t, 50, 10 * s);
	assert_non_null(proc_table_get(t, 50, false));
	assert_true(proc_table_get(t, 50, false)->exited);

	/* a new process reusing the pid is not buried with the old one */
	exec_(t, 60, 1, "/bin/a", "a", 1);
	proc_table_exit_later(t, 60, 10 * s);
	proc_table_fork(t, 1, 60, 777);
	proc_table_exit_later(t, 70, 13 * s);	/* unknown pid: only ages the graves */
	assert_null(proc_table_get(t, 50, false));	/* 3 s later: gone */
	assert_non_null(proc_table_get(t, 60, false));	/* the new 60 lives */
	assert_false(proc_table_get(t, 60, false)->exited);

	/* at most PROC_GRACE_MAX exited processes are kept */
	for (uint32_t pid = 1000; pid < 1000 + PROC_GRACE_MAX + 10; pid++) {
		exec_(t, pid, 1, "/x", "x", 1);
		proc_table_exit_later(t, pid, 20 * s);
	}
	assert_null(proc_table_get(t, 1000, false));
	assert_non_null(proc_table_get(t, 1000 + PROC_GRACE_MAX + 9, false));
	assert_true(proc_table_size(t) <= PROC_GRACE_MAX + 2);
	proc_table_free(t);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

/* A fake /proc with one process whose comm has spaces and parens. */
static void test_seed_from_proc(void **state)
{
	char root[] = "/tmp/vgl-proc-XXXXXX", path[256];
	static const char stat[] =
		"4242 (evil) (x y) S 77 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
		"12345 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0";
	struct proc_table *t;
	struct proc_entry *e;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/4242", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/4242/stat", root);
	write_file(path, stat, sizeof(stat) - 1);
	snprintf(path, sizeof(path), "%s/4242/cmdline", root);
	write_file(path, "./evil\0--flag\0", 14);
	snprintf(path, sizeof(path), "%s/4242/exe", root);
	assert_int_equal(symlink("/opt/evil bin", path), 0);
	snprintf(path, sizeof(path), "%s/notapid", root);
	mkdir(path, 0755);

	t = proc_table_new(16, root);
	assert_int_equal(proc_table_seed(t), 1);
	e = proc_table_get(t, 4242, false);
	assert_non_null(e);
	assert_int_equal(e->ppid, 77);
	assert_string_equal(e->comm, "evil) (x y");
	assert_string_equal(e->exe, "/opt/evil bin");
	assert_string_equal(e->args, "./evil --flag");
	assert_int_equal(e->start_ns, 12345ULL * (1000000000ULL / sysconf(_SC_CLK_TCK)));
	assert_true(e->from_proc);
	/* a miss reads /proc once when allowed, not otherwise */
	assert_null(proc_table_get(t, 9999, true));
	proc_table_free(t);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_args_join(void **state)
{
	char out[8];

	proc_args_join(out, sizeof(out), "a\0bb\0ccc\0dddd", 14);
	assert_string_equal(out, "a bb cc");	/* truncated to fit */
	proc_args_join(out, sizeof(out), "", 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_fork_exit),
		cmocka_unit_test(test_ancestry_stops_at_loops_and_unknowns),
		cmocka_unit_test(test_table_is_bounded),
		cmocka_unit_test(test_seed_from_proc),
		cmocka_unit_test(test_exit_grace_period),
		cmocka_unit_test(test_args_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
