/* SPDX-License-Identifier: GPL-2.0 */
/*
 * features.h - what this kernel offers vigil, tried for real: each feature
 * program of probe.bpf.c is loaded and attached on its own, so a failure is
 * a row in the table, never a crash. `vigil probe` prints the table; every
 * other command logs a one-line summary at start.
 */
#ifndef VIGIL_FEATURES_H
#define VIGIL_FEATURES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum feature_id {
	FEAT_BTF,
	FEAT_RINGBUF,
	FEAT_TASK_STORAGE,
	FEAT_TRACEPOINT,
	FEAT_TP_BTF,
	FEAT_RAW_TP,
	FEAT_FENTRY,
	FEAT_KPROBE,
	FEAT_LSM,
	FEAT_ITER_TASK,
	FEAT_CGROUP_CONNECT4,
	FEAT_CGROUP_SOCK_CREATE,
	FEAT_SEND_SIGNAL,
	FEAT_BPF_LOOP,
	FEAT_TASK_PT_REGS,
	FEAT_MODULES,
	FEAT_MODULE_TRACEPOINTS,
	FEAT_MAX,
};

struct feature {
	const char *name;
	const char *use;	/* what vigil uses it for */
	bool ok;
	char detail[64];	/* where it failed and why, or what was found */
};

struct features {
	struct feature f[FEAT_MAX];
};

/* Try every feature. Never fails: unknown is reported as "no". */
void features_probe(struct features *out);

/* Where a task's user registers sit above its stack base, measured by a
 * probe program; 0 when it cannot be. The open hooks read syscall
 * arguments there instead of calling bpf_task_pt_regs(). */
uint64_t features_pt_regs_offset(void);

void features_print_table(const struct features *fs, FILE *f);

/* One line: "tp_btf yes, lsm no (load: Operation not permitted), ...". */
void features_log_summary(const struct features *fs);

#endif
