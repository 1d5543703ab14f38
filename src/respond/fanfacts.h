/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fanfacts.h - the pure half of the fanotify deny path (fandeny.c): what
 * was observed about one exec (from the event's file descriptor and
 * /proc/PID) turned into the fact vector of the exec plan and the mask of
 * the facts that are known, and the synthetic exec record a denial is
 * reported with. No system calls here, so it is unit tested on its own.
 */
#ifndef VIGIL_FANFACTS_H
#define VIGIL_FANFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "vigil_abi.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC		0x01021994
#endif
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC	0x794c7630
#endif

/* A tri-state: the observation could not be made (fail open: the facts
 * that depend on it are not known, so the kernel decides). */
enum fan_tri { FAN_UNKNOWN = -1, FAN_NO = 0, FAN_YES = 1 };

/* What one exec looked like from userspace, before the new image ran. */
struct fan_obs {
	bool have_stat;
	struct stat st;			/* fstat of the event fd */
	long fs_type;			/* fstatfs f_type; 0: unknown */
	const char *path;		/* as the process sees it (its root stripped); NULL: unknown */
	enum fan_tri outside_root;	/* the file is not under the process's root */
	enum fan_tri script;		/* the file starts with "#!" */
	enum fan_tri in_container;	/* the process is in a child pid namespace */
	uint64_t written_ref_ns;	/* realtime after which a change makes the file
					 * "written"; 0: unknown */
	enum fan_tri stdio_socket[3];	/* fds 0, 1, 2 are sockets */
	enum fan_tri execer_protected;	/* the process runs a protected program */
	enum fan_tri euid0;		/* effective uid 0 before the exec */
};

/* Kernel dev_t (12-bit major, 20-bit minor) of a userspace dev_t: how the
 * BPF side and the protected keys spell a device. */
uint32_t fan_kdev(dev_t dev);

/* True when path is under /tmp, /dev/shm, /var/tmp or /run (VGL_FACT_EXE_IN_TMP). */
bool fan_path_in_tmpdir(const char *path);

/* The command name a process gets from exec'ing path: its last component,
 * cut to 15 bytes, into comm[VGL_COMM_LEN]. */
void fan_comm_of_path(const char *path, char comm[VGL_COMM_LEN]);

/*
 * The path as a process whose root is root (as we see it, "/" for ours)
 * sees it. Returns a pointer into path, or NULL when path is outside root.
 */
const char *fan_path_in_root(const char *path, const char *root);

/*
 * The directory a path-prefix set lives in, for marking its filesystem:
 * "/dev/shm/" and "/dev/shm/x" give "/dev/shm". out has size bytes.
 * Returns false when there is none ("/" or a relative prefix).
 */
bool fan_prefix_dir(const char *prefix, size_t len, char *out, size_t size);

/*
 * Fixed facts (bits below VGL_FACT_FIXED) of an observation, and in *known
 * those it could tell. A script's inode facts are the interpreter's in the
 * kernel, which this open does not show: they stay unknown for scripts.
 */
uint64_t fan_fixed_facts(const struct fan_obs *o, uint64_t *known);

/* The exec flags (VGL_EXEC_*) a denial record carries for o. */
uint32_t fan_exec_flags(const struct fan_obs *o);

/*
 * Lay out an exec record in buf: hdr (size and nr_strs are filled in),
 * the vgl_exec body, then the VGL_MAX_STRS strings of an exec (NULL is
 * empty), each a u16 length and its bytes, as the kernel writes them.
 * A string that does not fit is cut. Returns the record size, or 0 when
 * size cannot hold the fixed part.
 */
size_t fan_record_build(void *buf, size_t size, const struct vgl_hdr *hdr,
			const struct vgl_exec *x, const char *const strs[VGL_MAX_STRS]);

#endif
