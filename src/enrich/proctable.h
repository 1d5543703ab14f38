/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proctable.h - every live process, seeded from /proc at start and kept
 * current from fork/exec/exit events, so any event can carry its ancestry,
 * including for processes that started before vigil.
 *
 * Lookups and updates do no system call. Only a miss (a process we never
 * saw, e.g. after lost events) reads /proc once, and the answer is cached.
 */
#ifndef VIGIL_PROCTABLE_H
#define VIGIL_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_EXE_MAX	512
#define PROC_ARGS_MAX	512
#define PROC_COMM_MAX	16
#define PROC_CWD_MAX	256

struct proc_entry {
	uint32_t pid;
	uint32_t ppid;
	uint64_t start_ns;		/* boot clock, as in event headers; 0 if unknown */
	uint32_t uid;
	uint64_t cgroup_id;
	char comm[PROC_COMM_MAX];
	char exe[PROC_EXE_MAX];
	char args[PROC_ARGS_MAX];	/* argv joined by spaces, truncated */
	char cwd[PROC_CWD_MAX];		/* at exec; "" when learned from /proc */
	uint64_t stdio_ino[3];		/* pipe inodes of fds 0-2 at exec (0: not a pipe) */
	bool exited;			/* exit seen; removed after its event is output */
	bool from_proc;			/* learned from /proc rather than from events */
	/* table internals */
	uint32_t next;			/* hash chain, index + 1; 0 ends */
	uint32_t used;
};

struct proc_table;

/* Table bounded at max_entries (0: default 65536). proc_root is "/proc"
 * normally; tests point it elsewhere or NULL to disable /proc reads. */
struct proc_table *proc_table_new(size_t max_entries, const char *proc_root);
void proc_table_free(struct proc_table *t);

/* Read every /proc/PID. Returns entries added. */
int proc_table_seed(struct proc_table *t);

/* Entry for pid, reading /proc on a miss when allowed. NULL if unknown. */
struct proc_entry *proc_table_get(struct proc_table *t, uint32_t pid, bool allow_proc_read);

/* fork: child inherits parent's image. */
void proc_table_fork(struct proc_table *t, uint32_t parent, uint32_t child, uint64_t child_start_ns);

/* exec: new image. args is the NUL-separated argv block. */
void proc_table_exec(struct proc_table *t, uint32_t pid, uint32_t ppid, uint64_t start_ns,
		     const char *comm, const char *exe, size_t exe_len, const char *args,
		     size_t args_len, uint32_t uid, uint64_t cgroup_id);

/* exec extras: working directory and the inodes of fds 0-2. */
void proc_entry_set_exec_ctx(struct proc_entry *e, const char *cwd, size_t cwd_len,
			     const uint64_t stdio_ino[3]);

/*
 * A live process whose stdout (fd 1) is the pipe inode ino: the writer
 * feeding a reader's stdin, as curl feeds sh in `curl ... | sh`. Linear in
 * the table size; meant for rare questions (exec of a shell on a pipe).
 */
struct proc_entry *proc_table_find_stdout(struct proc_table *t, uint64_t ino, uint32_t not_pid);

/* The other direction: a live process whose stdin (fd 0) is pipe ino. */
struct proc_entry *proc_table_find_stdin(struct proc_table *t, uint64_t ino, uint32_t not_pid);

/* exit: drop the entry now. */
void proc_table_exit(struct proc_table *t, uint32_t pid);

/*
 * exit, kept for a grace period: the entry stays findable (marked exited)
 * for PROC_GRACE_NS of event time, or until PROC_GRACE_MAX later exits push
 * it out. Events of a pipeline or of orphans often arrive after a short-lived
 * peer or parent has exited; they still find it. now_ns: the exit's time.
 */
#define PROC_GRACE_NS	2000000000ULL
#define PROC_GRACE_MAX	1024
void proc_table_exit_later(struct proc_table *t, uint32_t pid, uint64_t now_ns);

size_t proc_table_size(const struct proc_table *t);

/*
 * Fill up to max ancestors of pid, nearest first (parent, grandparent, ...).
 * Stops at pid 0/1 loops and unknown parents. Returns how many were filled.
 */
int proc_table_ancestors(struct proc_table *t, uint32_t pid, const struct proc_entry **out,
			 int max);

/* Join a NUL-separated argv block into dst (spaces), truncated to dst_len-1. */
void proc_args_join(char *dst, size_t dst_len, const char *args, size_t args_len);

#endif
