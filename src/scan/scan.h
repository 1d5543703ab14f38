/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan.h - the integrity scanner: checks the system against the kernel's
 * own view (hidden processes, mounts over /proc/PID, preloaded libraries,
 * BPF programs vigil did not load, kernel tables, suspicious executables).
 *
 * scan_run() runs every check once and hands each finding to a callback;
 * the report says, per check, whether it ran, could not run on this system
 * (and why) or failed. A check that cannot run is never reported clean.
 * Findings become scan_finding records (scan_finding_record) that go
 * through the rule engine like kernel events: the policy decides severity.
 *
 * One file per family: procs.c (hidden processes, /proc mounts), preload.c
 * (ld.so.preload, LD_PRELOAD, mapped objects), bpfprogs.c, kernel.c
 * (syscall table, modules), binaries.c (deleted/memfd executables,
 * masquerading, setuid files in world-writable directories).
 */
#ifndef VIGIL_SCAN_H
#define VIGIL_SCAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "vigil_abi.h"

#define SCAN_DETAIL_MAX		512
#define SCAN_REASON_MAX		256
#define SCAN_WW_DIRS_MAX	8

/* State kept between the scans of one scanner (what "changed" means). */
struct scan_state {
	bool preload_known;		/* a previous scan read /etc/ld.so.preload */
	uint64_t preload_hash;		/* its content's hash (0: absent) */
};

struct scan_opts {
	const char *proc_root;		/* "/proc" when NULL */
	const char *preload_path;	/* "/etc/ld.so.preload" when NULL */
	const char *bpffs_root;		/* "/sys/fs/bpf" when NULL: vigil's pins live here */
	uint32_t preload_min_age_s;	/* LD_PRELOAD: processes older than this (default 60) */
	/* world-writable directories walked for setuid files (NULL-terminated;
	 * NULL: /tmp, /var/tmp, /dev/shm), and the walk's bounds */
	const char *const *ww_dirs;
	uint32_t ww_max_depth;		/* default 6 */
	uint32_t ww_max_entries;	/* per directory of ww_dirs, default 20000 */
	pid_t self_pid;			/* vigil's pid (0: getpid()) */
	struct scan_state *state;	/* NULL: no memory between scans */
};

struct scan_finding {
	enum vgl_scan_check check;
	uint32_t flags;			/* VGL_SCAN_F_* */
	uint32_t pid;			/* subject process, 0 when none */
	uint32_t id;			/* BPF program or link id */
	uint64_t ino;
	char comm[VGL_COMM_LEN];	/* the process's, as the kernel knows it, when pid */
	uint64_t start_ns;		/* the process's start (boot clock), 0 unknown */
	char subject[PATH_MAX];
	char detail[SCAN_DETAIL_MAX];
	char bpf_type[32];
};

enum scan_status {
	SCAN_RAN = 0,
	SCAN_NOT_AVAILABLE,		/* this system cannot answer (reason says why) */
	SCAN_FAILED,			/* it should have run and did not (reason: the error) */
};

/* The checks, in the order they run. */
enum scan_check_id {
	SCAN_CHK_HIDDEN_PROCS = 0,
	SCAN_CHK_PROC_MOUNTS,
	SCAN_CHK_LD_SO_PRELOAD,
	SCAN_CHK_PROCESS_MEMORY,	/* LD_PRELOAD in environments, mapped objects */
	SCAN_CHK_EXECUTABLES,		/* deleted, memfd, masquerading */
	SCAN_CHK_BPF,
	SCAN_CHK_SYSCALL_TABLE,
	SCAN_CHK_MODULES,
	SCAN_CHK_SETUID_WW,
	SCAN_CHK_MAX,
};

struct scan_check_result {
	const char *name;		/* "hidden_processes", ... */
	const char *title;		/* "hidden processes", for text */
	enum scan_status status;
	char reason[SCAN_REASON_MAX];	/* why not available / the error; "" when ran */
	uint32_t examined;		/* processes, programs, files, ... looked at */
	uint32_t findings;
	uint64_t cpu_ns;		/* CPU time the check took */
};

struct scan_report {
	struct scan_check_result checks[SCAN_CHK_MAX];
	uint32_t processes;		/* tasks the kernel listed (thread-group leaders) */
	uint32_t findings;
	uint64_t cpu_ns;		/* whole scan, user + system */
	uint64_t wall_ns;
};

typedef void (*scan_finding_fn)(void *ctx, const struct scan_finding *f);

/*
 * Run every check once. on_finding is called from this thread for each
 * finding. Returns 0 (see the report for checks that did not run), or
 * -errno when the scan could not start at all.
 */
int scan_run(const struct scan_opts *opts, scan_finding_fn on_finding, void *ctx,
	     struct scan_report *report);

/* "hidden_process", ... for a check kind; "unknown" out of range. */
const char *scan_check_name(unsigned int check);
const char *scan_status_name(enum scan_status s);

/*
 * The scan_finding record of f (header + struct vgl_scan + 3 strings) in
 * buf; the header's process fields are read from /proc when f->pid is set.
 * ts_ns is the record's time (boot clock). Returns its size, 0 if cap is
 * too small.
 */
size_t scan_finding_record(const struct scan_finding *f, const char *proc_root, uint64_t ts_ns,
			   void *buf, size_t cap);
#define SCAN_RECORD_MAX	(sizeof(struct vgl_hdr) + sizeof(struct vgl_scan) + 3 * 2 + \
			 PATH_MAX + SCAN_DETAIL_MAX + 32)

/* ---- the scanner thread of `vigil run` ---- */

struct scanner;
typedef int (*scan_record_fn)(void *ctx, const void *data, size_t size);

struct scanner_opts {
	struct scan_opts scan;
	uint32_t interval_s;		/* between scans; 0: only the one at start */
	bool at_start;			/* first scan right away, else after interval_s;
					 * with interval_s 0 too, the thread does nothing */
	uint32_t queue_max;		/* findings held for the main loop (default 1024) */
};

/* Start the thread. NULL (logged) on failure. */
struct scanner *scanner_start(const struct scanner_opts *opts);

/*
 * Main loop: hand every queued finding record to fn (agent_handle_record),
 * then log the reports of the scans that finished. Returns records handed.
 */
int scanner_drain(struct scanner *s, scan_record_fn fn, void *ctx);

/* Stop the thread (waits for an ongoing scan to finish, well under a
 * second) and free what is still queued. */
void scanner_stop(struct scanner *s);

/* ---- the parts, exposed for the unit tests ---- */

/* Walk a getdents64 buffer: fn for each entry whose name is a pid. Returns
 * pids seen, or -EINVAL when a record runs past len (a corrupt buffer). */
int scan_dirents_pids(const void *buf, size_t len, void (*fn)(void *ctx, uint32_t pid),
		      void *ctx);

/* Every mount over /proc/PID (or below it) in mountinfo text: fn(pid,
 * mount point, source). Returns mounts found. */
int scan_mountinfo_proc(const char *text, const char *proc_mnt,
			void (*fn)(void *ctx, uint32_t pid, const char *mnt, const char *src),
			void *ctx);

/* comm against the executable: NULL when consistent, else why not.
 * system_has(name, ctx) tells whether a system program of that name
 * exists and is not exe (NULL: never). */
const char *scan_masquerade_reason(const char *comm, const char *exe,
				   bool (*system_has)(void *ctx, const char *name,
						      const char *exe),
				   void *ctx);

/* Walk dirs for executable setuid/setgid regular files: fn(path, mode, ino).
 * Bounded: max_depth levels, max_entries per directory of dirs; symlinks
 * are not followed. *truncated is set when a bound stopped the walk.
 * Returns entries visited. */
int scan_walk_setuid(const char *const *dirs, uint32_t max_depth, uint32_t max_entries,
		     void (*fn)(void *ctx, const char *path, mode_t mode, uint64_t ino),
		     void *ctx, bool *truncated);

/* The prog_id of a BPF program's or link's fdinfo text, 0 when none. */
uint32_t scan_fdinfo_prog_id(const char *text);

/* Address of each of names[0..n) in /proc/kallsyms text (0 when absent). */
void scan_kallsyms_lookup(const char *text, size_t len, const char *const *names, size_t n,
			  uint64_t *addrs);

#endif
