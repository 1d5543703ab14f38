/* SPDX-License-Identifier: GPL-2.0 */
/* scan_int.h - what the scanner's check files share; not an API. */
#ifndef VIGIL_SCAN_INT_H
#define VIGIL_SCAN_INT_H

#include "scan/scan.h"

struct scan_task {
	uint32_t tgid;
	uint32_t ppid;
	uint64_t start_ns;
	uint32_t flags;
	char comm[VGL_COMM_LEN];
};

struct scan_holder {
	uint32_t tgid;
	uint32_t id;
	uint32_t kind;			/* SCAN_ITER_PROG or SCAN_ITER_LINK */
	char comm[VGL_COMM_LEN];
};

/* One scan's working state. */
struct scan_ctx {
	const struct scan_opts *o;
	const char *proc;		/* opts->proc_root or "/proc" */
	pid_t self;
	scan_finding_fn fn;
	void *fctx;
	struct scan_report *r;
	uint64_t boot_now_ns;		/* when the scan started, boot clock */
	/* the kernel's view (iterators); tasks sorted by tgid */
	struct scan_task *tasks;
	size_t ntasks;
	struct scan_holder *holders;
	size_t nholders;
	int iter_err;			/* 0, or why the iterators did not run */
	char iter_why[SCAN_REASON_MAX];
	/* /proc's view (raw getdents64), sorted */
	uint32_t *pids;
	size_t npids;
	/* /proc/kallsyms, read once when a check needs it */
	char *kallsyms;
	size_t kallsyms_len;
	int kallsyms_err;
};

/* Hand a finding to the caller, counted under check chk. */
void scan_emit(struct scan_ctx *c, enum scan_check_id chk, struct scan_finding *f);

/* Set a check's status and reason (printf-style). */
void scan_status(struct scan_check_result *res, enum scan_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The task the kernel knows with this tgid, or NULL. */
const struct scan_task *scan_task_find(const struct scan_ctx *c, uint32_t tgid);

/* Read a small file whole into buf (NUL-terminated). Bytes read or -errno. */
ssize_t scan_read_file(const char *path, char *buf, size_t cap);
/* Read a file of any size; *out is malloc'd (NUL-terminated). */
ssize_t scan_read_all(const char *path, char **out);

/* kallsyms into c (once); 0 or -errno. */
int scan_kallsyms(struct scan_ctx *c);

/* The checks. Each fills its result; they never fail the whole scan. */
void scan_check_hidden(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_proc_mounts(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_ld_so_preload(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_process_memory(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_executables(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_bpf(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_syscall_table(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_modules(struct scan_ctx *c, struct scan_check_result *res);
void scan_check_setuid_ww(struct scan_ctx *c, struct scan_check_result *res);

/* procs.c: the kernel's tasks and /proc's pids into c. */
int scan_collect_kernel_view(struct scan_ctx *c);
int scan_collect_proc_pids(struct scan_ctx *c);

#endif
