// SPDX-License-Identifier: GPL-2.0
/*
 * probe.bpf.c - one tiny program per kernel feature vigil may use. `vigil
 * probe` loads and attaches each alone, so the table says what really
 * works here, not what the headers promise. Never linked into the sensor.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_tracepoint(void *ctx) { return 0; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_tp_btf, struct task_struct *p) { return 0; }

SEC("raw_tp/sched_process_exec")
int probe_raw_tp(void *ctx) { return 0; }

SEC("fentry/do_unlinkat")
int BPF_PROG(probe_fentry) { return 0; }

SEC("kprobe/do_unlinkat")
int probe_kprobe(void *ctx) { return 0; }

SEC("lsm/bprm_check_security")
int BPF_PROG(probe_lsm, struct linux_binprm *bprm) { return 0; }

SEC("iter/task")
int probe_iter_task(struct bpf_iter__task *ctx) { return 0; }

SEC("cgroup/connect4")
int probe_cgroup_connect4(struct bpf_sock_addr *ctx) { return 1; }

SEC("cgroup/sock_create")
int probe_cgroup_sock_create(struct bpf_sock *ctx) { return 1; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_send_signal, struct task_struct *p)
{
	/* never taken: only proves the helper is allowed here */
	if (bpf_get_current_pid_tgid() == 0)
		bpf_send_signal(9);
	return 0;
}

static long loop_cb(__u32 i, void *ctx) { return 0; }

SEC("tp_btf/sched_process_exec")
int BPF_PROG(probe_bpf_loop, struct task_struct *p)
{
	bpf_loop(4, loop_cb, NULL, 0);
	return 0;
}

/* Where the registers sit on the task's stack (features_pt_regs_offset()):
 * both addresses, for the caller that triggered the probe to subtract. */
__u64 probe_regs_addr, probe_stack_addr;
__u32 probe_caller;

SEC("tracepoint/syscalls/sys_enter_getppid")
int probe_task_pt_regs(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	if (probe_caller && t->pid == probe_caller) {
		probe_regs_addr = (__u64)regs;
		probe_stack_addr = (__u64)t->stack;
	}
	return regs ? 0 : 1;
}
