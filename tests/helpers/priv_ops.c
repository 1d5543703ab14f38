// SPDX-License-Identifier: GPL-2.0
/*
 * priv_ops - trigger the privilege and kernel syscalls vigil reports, one
 * per subcommand, for tests/e2e/test_priv.sh. Each prints "pid=<own pid>"
 * and, where a second process is involved, "child=<its pid>", then the
 * result of the call as "ret=<r> errno=<name>".
 *
 *   priv_ops ptrace              attach to a `sleep` it started, peek+poke, detach
 *   priv_ops setuid              setuid(65534) as root, then setuid(0) (EPERM)
 *   priv_ops capset              capset() dropping CAP_NET_RAW from the effective set
 *   priv_ops vm_writev           process_vm_writev() into a forked child
 *   priv_ops init_module         init_module() of a fake image
 *   priv_ops finit_module FILE   finit_module() of FILE
 *   priv_ops delete_module NAME  delete_module(NAME)
 *   priv_ops kexec_load          kexec_load() with no segments
 *   priv_ops bpf_map             BPF_MAP_CREATE of a small array named vgl_test_map
 *   priv_ops prctl_set NAME      prctl(PR_SET_NAME, NAME)
 *   priv_ops prctl_get           prctl(PR_GET_NAME) only
 *   priv_ops io_uring            io_uring_setup(8, {})
 *   priv_ops setns               setns() into its own network namespace
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>

static void report(long ret)
{
	const char *name = ret < 0 ? strerrorname_np(errno) : NULL;

	printf("ret=%ld errno=%s\n", ret, name ? name : "0");
	fflush(stdout);
}

static pid_t start_sleep(void)
{
	pid_t child = fork();

	if (child == 0) {
		execlp("sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	printf("child=%d\n", child);
	usleep(100000);	/* let it exec */
	return child;
}

static int do_ptrace(void)
{
	struct user_regs_struct regs;
	pid_t child = start_sleep();
	long word;
	int status;

	report(ptrace(PTRACE_ATTACH, child, NULL, NULL));
	waitpid(child, &status, 0);
	ptrace(PTRACE_GETREGS, child, NULL, &regs);
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, child, (void *)regs.rsp, NULL);
	/* write the same word back: a real POKEDATA that changes nothing */
	report(ptrace(PTRACE_POKEDATA, child, (void *)regs.rsp, (void *)word));
	ptrace(PTRACE_DETACH, child, NULL, NULL);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return 0;
}

static int do_setuid(void)
{
	report(setuid(65534));
	report(setuid(0));
	return 0;
}

static int do_capset(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return 1;
	data[0].effective &= ~(1u << CAP_NET_RAW);
	report(syscall(SYS_capset, &hdr, data));
	return 0;
}

static int do_vm_writev(void)
{
	static char target[64] = "before";
	char msg[] = "written-by-priv_ops";
	struct iovec local = { msg, sizeof(msg) }, remote = { target, sizeof(msg) };
	pid_t child = fork();
	int status;

	if (child == 0) {
		pause();
		_exit(0);
	}
	printf("child=%d\n", child);
	printf("remote=%p\n", (void *)target);
	report(syscall(SYS_process_vm_writev, child, &local, 1, &remote, 1, 0));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return 0;
}

static int do_init_module(void)
{
	static const char image[64] = "\177ELF-not-really-a-module";

	report(syscall(SYS_init_module, image, sizeof(image), "vgl_param=1"));
	return 0;
}

static int do_finit_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	report(syscall(SYS_finit_module, fd, "vgl_param=2", 0));
	close(fd);
	return 0;
}

static int do_delete_module(const char *name)
{
	report(syscall(SYS_delete_module, name, O_NONBLOCK));
	return 0;
}

static int do_kexec_load(void)
{
	report(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	return 0;
}

static int do_bpf_map(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 4;
	strncpy(attr.map_name, "vgl_test_map", sizeof(attr.map_name) - 1);
	report(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
	return 0;
}

static int do_io_uring(void)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	report(syscall(SYS_io_uring_setup, 8, &p));
	return 0;
}

static int do_setns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	report(setns(fd, CLONE_NEWNET));
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";

	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (!strcmp(op, "ptrace"))
		return do_ptrace();
	if (!strcmp(op, "setuid"))
		return do_setuid();
	if (!strcmp(op, "capset"))
		return do_capset();
	if (!strcmp(op, "vm_writev"))
		return do_vm_writev();
	if (!strcmp(op, "init_module"))
		return do_init_module();
	if (!strcmp(op, "finit_module"))
		return do_finit_module(arg);
	if (!strcmp(op, "delete_module"))
		return do_delete_module(arg);
	if (!strcmp(op, "kexec_load"))
		return do_kexec_load();
	if (!strcmp(op, "bpf_map"))
		return do_bpf_map();
	if (!strcmp(op, "prctl_set")) {
		report(prctl(PR_SET_NAME, arg, 0, 0, 0));
		return 0;
	}
	if (!strcmp(op, "prctl_get")) {
		char name[17] = {};

		report(prctl(PR_GET_NAME, name, 0, 0, 0));
		return 0;
	}
	if (!strcmp(op, "io_uring"))
		return do_io_uring();
	if (!strcmp(op, "setns"))
		return do_setns();
	fprintf(stderr, "usage: priv_ops <op> [arg] (see the source)\n");
	return 2;
}
