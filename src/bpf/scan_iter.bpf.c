// SPDX-License-Identifier: GPL-2.0
/*
 * scan_iter.bpf.c - the integrity scanner's view from the kernel: every
 * task, and every BPF program or link fd any process holds, written to
 * the iterators' seq files (formats in src/scan/scan_iter.h). A rootkit
 * that filters /proc or getdents cannot filter these. Own skeleton,
 * loaded only while a scan runs; never linked into the sensor.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "../scan/scan_iter.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task")
int vgl_scan_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct scan_iter_task r = {};

	/* thread-group leaders only: a hidden process hides its pid */
	if (!t || t->pid != t->tgid)
		return 0;
	r.tgid = t->tgid;
	r.ppid = BPF_CORE_READ(t, real_parent, tgid);
	r.start_ns = t->start_boottime;
	r.flags = t->flags;
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/* "bpf-prog" and "bpf_link": the names anon_inode_getfile gives these files */
static __always_inline __u32 bpf_file_kind(struct file *file)
{
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	char buf[9] = {};

	if (bpf_probe_read_kernel(buf, sizeof(buf), name))
		return 0;
	if (buf[8] || buf[0] != 'b' || buf[1] != 'p' || buf[2] != 'f')
		return 0;
	if (buf[3] == '-' && buf[4] == 'p' && buf[5] == 'r' && buf[6] == 'o' && buf[7] == 'g')
		return SCAN_ITER_PROG;
	if (buf[3] == '_' && buf[4] == 'l' && buf[5] == 'i' && buf[6] == 'n' && buf[7] == 'k')
		return SCAN_ITER_LINK;
	return 0;
}

SEC("iter/task_file")
int vgl_scan_bpf_fds(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *file = ctx->file;
	struct scan_iter_file r = {};
	void *priv;

	if (!t || !file)
		return 0;
	r.kind = bpf_file_kind(file);
	if (!r.kind)
		return 0;
	priv = BPF_CORE_READ(file, private_data);
	if (r.kind == SCAN_ITER_PROG)
		r.id = BPF_CORE_READ((struct bpf_prog *)priv, aux, id);
	else
		r.id = BPF_CORE_READ((struct bpf_link *)priv, id);
	r.tgid = t->tgid;
	r.fd = ctx->fd;
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), t->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
