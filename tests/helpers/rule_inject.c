// SPDX-License-Identifier: GPL-2.0
/*
 * rule_inject - the injection and kernel-tampering shapes that
 * tests/e2e/test_rules_privesc.sh, test_rules_escape.sh and
 * test_rules_kernel.sh need, each done the least harmful way: a target is a
 * process the test started, and nothing is changed in it.
 *
 *   rule_inject attach PID    PTRACE_ATTACH to PID (not our child), wait, detach
 *   rule_inject seize PID     PTRACE_SEIZE of PID, detach
 *   rule_inject traceme       PTRACE_TRACEME, the anti-debugging check
 *   rule_inject procmem PID   open /proc/PID/mem O_WRONLY, write nothing
 *   rule_inject wronly PATH   open PATH O_WRONLY, write nothing (release_agent,
 *                             core_pattern, ...: the open alone is the signal)
 *   rule_inject bpf_prog      BPF_PROG_LOAD of "r0 = 0; exit" (a socket filter
 *                             named vgl_test_prog), attached nowhere, then closed
 *
 * Static, so it also runs inside a bare busybox container. Prints "pid=N"
 * then "ret=R errno=NAME" for the call that matters, and exits 0 whether it
 * failed or not: failed attempts are events too.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>

static void report(long ret)
{
	const char *name = ret < 0 ? strerrorname_np(errno) : NULL;

	printf("ret=%ld errno=%s\n", ret, name ? name : "0");
	fflush(stdout);
}

static int do_attach(pid_t pid, int seize)
{
	long r = ptrace(seize ? PTRACE_SEIZE : PTRACE_ATTACH, pid, NULL, NULL);
	int status;

	report(r);
	if (r < 0)
		return 0;
	if (!seize)
		waitpid(pid, &status, __WALL);	/* the SIGSTOP of the attach */
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return 0;
}

static int do_open_wronly(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	report(fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int do_bpf_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const char license[] = "GPL";
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (unsigned long)license;
	strncpy(attr.prog_name, "vgl_test_prog", sizeof(attr.prog_name) - 1);
	fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	report(fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : NULL;
	char path[64];

	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (!strcmp(op, "attach") && arg)
		return do_attach(atoi(arg), 0);
	if (!strcmp(op, "seize") && arg)
		return do_attach(atoi(arg), 1);
	if (!strcmp(op, "traceme")) {
		report(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
		return 0;
	}
	if (!strcmp(op, "procmem") && arg) {
		snprintf(path, sizeof(path), "/proc/%d/mem", atoi(arg));
		return do_open_wronly(path);
	}
	if (!strcmp(op, "wronly") && arg)
		return do_open_wronly(arg);
	if (!strcmp(op, "bpf_prog"))
		return do_bpf_prog();
	fprintf(stderr, "usage: rule_inject attach|seize|procmem PID, traceme, wronly PATH, bpf_prog\n");
	return 2;
}
