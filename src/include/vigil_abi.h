/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * vigil_abi.h - the one contract between the BPF programs and userspace.
 *
 * Compiled by both sides, so only fixed-width types and explicit padding.
 * A record in the ring buffer is:
 *
 *	struct vgl_hdr | type-specific body | nr_strs x (u16 len, bytes[len])
 *
 * hdr.size covers the whole record. Strings are not NUL-terminated on the
 * wire; userspace copies them out with their length. Everything after the
 * header is validated against hdr.size before it is read, so a malformed
 * record can be rejected but never read out of bounds.
 */
#ifndef VIGIL_ABI_H
#define VIGIL_ABI_H

#ifdef __VIGIL_BPF__
/* vmlinux.h already provides __u8..__u64 */
#else
#include <linux/types.h>
#endif

#define VGL_COMM_LEN		16
#define VGL_PATH_MAX		4096	/* longest path we resolve */
#define VGL_PATH_DEPTH		64	/* components walked before truncating */
#define VGL_ARGS_MAX		2048	/* bytes of argv copied at exec */
#define VGL_STR_MAX		256	/* bytes of a small string (mount type, xattr name) */
#define VGL_MAX_STRS		6	/* strings an event may carry */
#define VGL_EVENT_MAX		16384	/* largest record; sizes the per-CPU scratch */

/*
 * Event types. The numbering is part of the ABI: append only.
 * Userspace keeps the name, body size and hooks of each type in one table
 * (src/sensor/event_table.c); nothing else enumerates them.
 */
enum vgl_event_type {
	VGL_EV_NONE = 0,
	/* process */
	VGL_EV_EXEC,
	VGL_EV_FORK,
	VGL_EV_EXIT,
	/* file */
	VGL_EV_OPEN,
	VGL_EV_UNLINK,
	VGL_EV_RENAME,
	VGL_EV_LINK,
	VGL_EV_SYMLINK,
	VGL_EV_CHMOD,
	VGL_EV_CHOWN,
	VGL_EV_TRUNCATE,
	VGL_EV_UTIMES,
	/* memory */
	VGL_EV_MEMFD_CREATE,
	VGL_EV_MMAP_EXEC,
	/* network */
	VGL_EV_SOCKET,
	VGL_EV_CONNECT,
	VGL_EV_ACCEPT,
	VGL_EV_BIND,
	VGL_EV_LISTEN,
	/* privilege and kernel */
	VGL_EV_SETUID,
	VGL_EV_CAPSET,
	VGL_EV_PTRACE,
	VGL_EV_PROCESS_VM_WRITEV,
	VGL_EV_MODULE,
	VGL_EV_BPF,
	VGL_EV_MOUNT,
	VGL_EV_UMOUNT,
	VGL_EV_UNSHARE,
	VGL_EV_SETNS,
	VGL_EV_KEXEC_LOAD,
	VGL_EV_PRCTL,
	VGL_EV_SETXATTR,
	VGL_EV_IO_URING_SETUP,
	VGL_EV_MAX,
};

/* Common header of every record. 96 bytes. */
struct vgl_hdr {
	__u16 type;		/* enum vgl_event_type */
	__u16 size;		/* whole record, header included */
	__u8 nr_strs;		/* strings in the tail */
	__u8 hdr_flags;		/* VGL_HF_* */
	__u16 _pad0;
	__s32 ret;		/* syscall result (0 or -errno); 0 for non-syscall events */
	__u64 ts_ns;		/* bpf_ktime_get_boot_ns() */
	__u64 start_ns;		/* process (thread-group leader) start, boot clock */
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 ppid;		/* real parent's tgid */
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;		/* (u32)-1 when unset or unknown */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u32 pidns;		/* pid namespace inode */
	__u32 mntns;		/* mount namespace inode */
	char comm[VGL_COMM_LEN];
};

#define VGL_HF_IN_CHILD_PIDNS	0x01	/* task is not in the initial pid namespace */

/* process ------------------------------------------------------------- */

/* exec flags, computed in the kernel */
#define VGL_EXEC_MEMFD		0x0001	/* executed file is a memfd */
#define VGL_EXEC_DELETED	0x0002	/* executed file has no links left */
#define VGL_EXEC_TMPFS		0x0004	/* executed file lives on tmpfs/shmem */
#define VGL_EXEC_TMPDIR		0x0008	/* path under /tmp, /dev/shm, /var/tmp or /run */
#define VGL_EXEC_WRITTEN	0x0010	/* created/changed after the container or agent start */
#define VGL_EXEC_SCRIPT		0x0020	/* ran through an interpreter (#! or binfmt_misc) */
#define VGL_EXEC_ARGS_TRUNC	0x0040	/* argv longer than VGL_ARGS_MAX */
#define VGL_EXEC_PATH_TRUNC	0x0080	/* path deeper than VGL_PATH_DEPTH */
#define VGL_EXEC_UPPER_LAYER	0x0100	/* executed inode is on an overlayfs upper layer */
#define VGL_EXEC_SETUID		0x0200	/* file mode has S_ISUID or S_ISGID */
#define VGL_EXEC_WRITTEN_MAP	0x0400	/* VGL_EXEC_WRITTEN came from the written-inode map */
#define VGL_EXEC_LD_PRELOAD	0x0800	/* environment sets LD_PRELOAD (value in its string) */
#define VGL_EXEC_OUTSIDE_ROOT	0x1000	/* executed file is outside the process's root */

/* type of fds 0,1,2 */
enum vgl_fd_kind {
	VGL_FD_NONE = 0,	/* closed */
	VGL_FD_FILE,
	VGL_FD_DIR,
	VGL_FD_TTY,
	VGL_FD_CHAR,		/* other character device, e.g. /dev/null */
	VGL_FD_PIPE,
	VGL_FD_SOCKET,
	VGL_FD_OTHER,		/* anon inode, block device, ... */
};

/* strings: path, filename, interpreter, args (NUL-separated), cwd */
struct vgl_exec {
	__u32 flags;		/* VGL_EXEC_* */
	__u32 argc;
	__u64 ino;
	__u32 dev;		/* kernel dev_t of the file's superblock */
	__u32 mode;
	__u64 ctime_ns;		/* inode ctime, realtime clock */
	__u32 file_uid;
	__u32 file_gid;
	__u8 stdio[3];		/* enum vgl_fd_kind of fd 0, 1, 2 */
	__u8 _pad[5];
	__u64 stdio_ino[3];	/* inode of fds 0, 1, 2 (pipes: links both ends) */
};
enum { VGL_EXEC_S_PATH, VGL_EXEC_S_FILENAME, VGL_EXEC_S_INTERP, VGL_EXEC_S_ARGS, VGL_EXEC_S_CWD,
       VGL_EXEC_S_LD_PRELOAD };

struct vgl_fork {
	__u32 child_pid;
	__u32 flags;		/* reserved */
	__u64 child_start_ns;
};

struct vgl_exit {
	__s32 code;		/* exit status when exited normally */
	__s32 signal;		/* terminating signal, 0 when exited */
	__u8 core_dumped;
	__u8 _pad[7];
};

/* file ------------------------------------------------------------- */

#define VGL_PATH_F_TRUNC	0x01	/* path walk stopped at VGL_PATH_DEPTH */
#define VGL_PATH_F_USER		0x02	/* path taken from the syscall argument (op failed
					 * or object is gone), made absolute with cwd/dirfd */
#define VGL_PATH_F_DELETED	0x04	/* resolved object has no links left */
#define VGL_PATH_F_OUTSIDE_ROOT	0x08	/* resolved object is outside the process's root
					 * (e.g. a container reaching the host via /proc/1/root) */

/* strings: path, path2 (rename/link new name, symlink target) */
struct vgl_file {
	__u32 flags;		/* open flags (O_*) or op flags (AT_*, RENAME_*) */
	__u32 mode;		/* open/chmod mode, or the inode's mode for open */
	__u64 ino;		/* inode of the object when known, else 0 */
	__u32 dev;
	__u32 uid;		/* chown target uid, else (u32)-1 */
	__u32 gid;		/* chown target gid, else (u32)-1 */
	__s32 fd;		/* fd returned by open or used by f*() calls, -1 otherwise */
	__u64 length;		/* truncate: length; utimes: requested mtime (realtime s),
				 * 0 when "now" (NULL times or UTIME_NOW) */
	__u8 path_flags;	/* VGL_PATH_F_* of path */
	__u8 path2_flags;	/* VGL_PATH_F_* of path2 */
	__u16 syscall;		/* which syscall: openat, openat2, unlinkat, ... (x86-64 nr) */
	__u8 _pad[4];
};
enum { VGL_FILE_S_PATH, VGL_FILE_S_PATH2 };

/* memory ----------------------------------------------------------- */

/* strings: memfd name (memfd_create), path of the mapped file (mmap) */
struct vgl_mem {
	__u64 addr;
	__u64 len;
	__u32 prot;		/* requested PROT_* */
	__u32 flags;		/* MAP_* for mmap, MFD_* for memfd_create */
	__u64 vm_flags;		/* flags of the existing mapping (mprotect), else 0 */
	__s32 fd;
	__u16 syscall;		/* mmap or mprotect (x86-64 nr) */
	__u8 anon;		/* mapping is anonymous */
	__u8 was_writable;	/* mapping was writable before (mprotect) or is W+X (mmap) */
};
enum { VGL_MEM_S_NAME };

/* network ---------------------------------------------------------- */

#define VGL_NET_F_RAW		0x01	/* SOCK_RAW */
#define VGL_NET_F_PACKET	0x02	/* AF_PACKET */

/* strings: unix socket path (when family is AF_UNIX) */
struct vgl_net {
	__u16 family;		/* AF_INET, AF_INET6, AF_UNIX, ... */
	__u16 type;		/* SOCK_STREAM, ... (socket flags stripped) */
	__u16 protocol;
	__u16 flags;		/* VGL_NET_F_* */
	__u16 sport;		/* host byte order */
	__u16 dport;
	__s32 fd;
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__s32 backlog;		/* listen */
	__u32 _pad;
};
enum { VGL_NET_S_UNIX_PATH };

/* privilege and kernel --------------------------------------------- */

/*
 * One body for the syscalls whose interesting parts are a few integers and
 * up to three strings. What arg[i] and each string mean per event type is
 * documented in docs/events.md and decoded by src/decode/format.c.
 */
struct vgl_syscall {
	__u64 arg[6];
	__u16 syscall;		/* x86-64 syscall number */
	__u16 _pad[3];
};

/* Counters the kernel side keeps per CPU; userspace sums them. */
enum vgl_counter {
	VGL_CNT_EVENTS = 0,	/* records submitted */
	VGL_CNT_LOST_RINGBUF,	/* ring buffer full */
	VGL_CNT_LOST_NESTED,	/* scratch slots exhausted by nested programs */
	VGL_CNT_PATH_TRUNC,	/* paths cut at VGL_PATH_DEPTH */
	VGL_CNT_FILTERED,	/* dropped by in-kernel filters */
	VGL_CNT_MAX,
};

/* Per event type counters (map type_counters, key type * VGL_TC_MAX + i). */
enum vgl_type_counter {
	VGL_TC_SUBMITTED = 0,
	VGL_TC_LOST,		/* ring buffer full */
	VGL_TC_MAX,
};

/* Key and value of the in-kernel map of recently written inodes. */
struct vgl_inode_key {
	__u64 ino;
	__u32 dev;
	__u32 _pad;
};

struct vgl_inode_write {
	__u64 when_ns;		/* realtime of the write */
	__u32 pid;
	__u32 _pad;
};

#ifndef __VIGIL_BPF__
_Static_assert(sizeof(struct vgl_hdr) == 96, "vgl_hdr layout");
_Static_assert(sizeof(struct vgl_exec) == 72, "vgl_exec layout");
_Static_assert(sizeof(struct vgl_file) == 48, "vgl_file layout");
_Static_assert(sizeof(struct vgl_mem) == 40, "vgl_mem layout");
_Static_assert(sizeof(struct vgl_net) == 56, "vgl_net layout");
_Static_assert(sizeof(struct vgl_syscall) == 56, "vgl_syscall layout");
#endif

#endif /* VIGIL_ABI_H */
