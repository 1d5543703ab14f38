// SPDX-License-Identifier: GPL-2.0
/*
 * scan_target - something for the integrity scanner to find, then sleep
 * until killed. Prints "pid=N" (and "prog_id=N") once ready.
 *   scan_target bpf-socket NAME   load a socket filter called NAME (raw bpf syscall)
 *   scan_target bpf-kprobe NAME   load a kprobe program called NAME (not attached)
 *   scan_target rename COMM       call itself COMM (prctl PR_SET_NAME)
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* r0 = 0; exit: the smallest program every type accepts */
static int load(enum bpf_prog_type type, const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr = {};
	struct bpf_prog_info info = {};
	int fd;

	attr.prog_type = type;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "%s", name);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		perror("BPF_PROG_LOAD");
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr)) {
		perror("BPF_OBJ_GET_INFO_BY_FD");
		return -1;
	}
	printf("prog_id=%u\n", info.id);
	return 0;
}

int main(int argc, char **argv)
{
	int err = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: scan_target bpf-socket|bpf-kprobe|rename ARG\n");
		return 2;
	}
	if (!strcmp(argv[1], "bpf-socket"))
		err = load(BPF_PROG_TYPE_SOCKET_FILTER, argv[2]);
	else if (!strcmp(argv[1], "bpf-kprobe"))
		err = load(BPF_PROG_TYPE_KPROBE, argv[2]);
	else if (!strcmp(argv[1], "rename"))
		err = prctl(PR_SET_NAME, argv[2], 0, 0, 0);
	else
		err = -1;
	if (err) {
		fprintf(stderr, "scan_target: %s %s failed\n", argv[1], argv[2]);
		return 1;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	for (;;)
		pause();
}
