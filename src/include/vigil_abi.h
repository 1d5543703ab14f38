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
	/* containers: the kernel reports cgroup creation and removal (VGL_EV_CGROUP);
	 * userspace makes the container lifecycle records from them */
	VGL_EV_CGROUP,
	VGL_EV_CONTAINER_START,
	VGL_EV_CONTAINER_EXIT,
	/* integrity scanner (src/scan/): findings made by userspace */
	VGL_EV_SCAN_FINDING,
	VGL_EV_MAX,
};

/* Common header of every record. 96 bytes. */
struct vgl_hdr {
	__u16 type;		/* enum vgl_event_type */
	__u16 size;		/* whole record, header included */
	__u8 nr_strs;		/* strings in the tail */
	__u8 hdr_flags;		/* VGL_HF_* */
	__u16 enforce_rule;	/* ruleset index + 1 of the rule the kernel enforced on
				 * this event (VGL_HF_KILLED, ...), 0 when none */
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
/* what the kernel did about this event, for the rule in enforce_rule */
#define VGL_HF_KILLED		0x02	/* SIGKILL sent before the new image ran */
#define VGL_HF_KILL_FAILED	0x04	/* bpf_send_signal failed */
#define VGL_HF_BLOCKED		0x08	/* network operation refused (EPERM) */
#define VGL_HF_DENIED		0x10	/* exec or open refused (EPERM) before it happened */
#define VGL_HF_RATE_LIMITED	0x20	/* the rule's action budget was spent: not acted on */

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
#define VGL_EXEC_PROTECTED	0x2000	/* executed file is a protected program */
#define VGL_EXEC_EXECER_PROTECTED 0x4000 /* the process ran a protected program when it
					 * called exec (a runtime re-executing itself) */

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

/* containers ------------------------------------------------------- */

#define VGL_CGROUP_MKDIR	1
#define VGL_CGROUP_RMDIR	2

/* cgroup v2 mkdir/rmdir (the default hierarchy only). string: the cgroup's
 * path from the hierarchy's root, as the kernel's cgroup_path() gives it */
struct vgl_cgroup {
	__u64 id;		/* the new (removed) cgroup's id; hdr.cgroup_id is the caller's */
	__u32 level;		/* depth below the root */
	__u8 op;		/* VGL_CGROUP_MKDIR or VGL_CGROUP_RMDIR */
	__u8 _pad[3];
};
enum { VGL_CGROUP_S_PATH };

/* Why userspace says a container started (exited). */
#define VGL_CTR_CREATED		1	/* its cgroup was created while vigil ran */
#define VGL_CTR_FOUND		2	/* first seen in a running container's event */
#define VGL_CTR_REMOVED		3	/* its cgroup was removed */

/* container_start / container_exit: made by userspace, never by the kernel;
 * hdr.cgroup_id is the container's cgroup, hdr.pid the process that created
 * (removed) it when known, else 0 */
struct vgl_container {
	__u32 reason;		/* VGL_CTR_* */
	__u32 _pad;
};

/* integrity scanner ------------------------------------------------ */

/* What a scan_finding reports (scan.check); names in src/scan/scan.c. */
enum vgl_scan_check {
	VGL_SCAN_NONE = 0,
	VGL_SCAN_HIDDEN_PROCESS,	/* a task the kernel runs that /proc does not list */
	VGL_SCAN_PROC_MOUNT_OVER,	/* something is mounted over /proc/PID */
	VGL_SCAN_LD_SO_PRELOAD,		/* /etc/ld.so.preload exists (or changed) */
	VGL_SCAN_LD_PRELOAD_ENV,	/* LD_PRELOAD in a long-running process's environment */
	VGL_SCAN_SO_DELETED,		/* executable mapping of a deleted file (memfd too) */
	VGL_SCAN_SO_TMP,		/* executable mapping from /tmp, /var/tmp or /dev/shm */
	VGL_SCAN_BPF_PROG,		/* a BPF program vigil did not load (links: its attach points) */
	VGL_SCAN_SYSCALL_TABLE,		/* a syscall table entry outside kernel text */
	VGL_SCAN_MODULE_HIDDEN,		/* a module in /sys/module missing from /proc/modules */
	VGL_SCAN_EXE_DELETED,		/* a process runs a deleted executable */
	VGL_SCAN_EXE_MEMFD,		/* a process runs a memfd */
	VGL_SCAN_MASQUERADE,		/* comm names another program than the executable */
	VGL_SCAN_SETUID_WW,		/* setuid/setgid file in a world-writable directory */
	VGL_SCAN_MAX,
};

#define VGL_SCAN_F_RISKY	0x01	/* BPF: a type or helper rootkits use */
#define VGL_SCAN_F_CHANGED	0x02	/* differs from the previous scan */
#define VGL_SCAN_F_NO_HOLDER	0x04	/* BPF: no process holds it (pinned or attached) */
#define VGL_SCAN_F_WRITE_USER	0x08	/* BPF: calls bpf_probe_write_user */
#define VGL_SCAN_F_OVERRIDE	0x10	/* BPF: calls bpf_override_return */

/*
 * scan_finding: made by userspace, never by the kernel. hdr.pid is the
 * process the finding is about (for BPF objects the first process holding
 * them), 0 when none. Strings: subject (a path, a program name), detail
 * (readable explanation), bpf type ("kprobe", ...) or empty.
 */
struct vgl_scan {
	__u16 check;		/* enum vgl_scan_check */
	__u16 _pad;
	__u32 flags;		/* VGL_SCAN_F_* */
	__u32 pid;		/* subject process, 0 when none */
	__u32 id;		/* BPF program or link id, else 0 */
	__u64 ino;		/* inode of the subject file, when one */
};
enum { VGL_SCAN_S_SUBJECT, VGL_SCAN_S_DETAIL, VGL_SCAN_S_BPF_TYPE };

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

/* enforcement ------------------------------------------------------ */

/*
 * In-kernel exec rules. At exec the kernel computes a 64-bit fact vector
 * (fixed facts below, then one bit per name or path-prefix set that the
 * compiled rules use) and tests it against terms: a term matches when all
 * its `must` bits are set and none of its `must_not` bits. A rule slot
 * acts when one of its match terms matches and none of its exception
 * terms does. Userspace compiles rule conditions to this form
 * (src/respond/exec_compile.c).
 */
enum vgl_fact {
	VGL_FACT_MEMFD = 0,
	VGL_FACT_DELETED,
	VGL_FACT_TMPFS,
	VGL_FACT_WRITTEN,
	VGL_FACT_UPPER_LAYER,
	VGL_FACT_SETUID,
	VGL_FACT_SCRIPT,
	VGL_FACT_LD_PRELOAD,
	VGL_FACT_OUTSIDE_ROOT,
	VGL_FACT_IN_CONTAINER,
	VGL_FACT_STDIN_SOCKET,
	VGL_FACT_STDOUT_SOCKET,
	VGL_FACT_STDERR_SOCKET,
	VGL_FACT_EXE_IN_TMP,
	VGL_FACT_EXECER_PROTECTED,
	VGL_FACT_EUID0,
	VGL_FACT_CGROUP_KNOWN,	/* userspace classified the task's cgroup (enf_cgroups) */
	VGL_FACT_FIXED,		/* first bit of the name, path, hash and container sets */
};

#define VGL_ENF_TERMS_MAX	64
#define VGL_ENF_SLOTS_MAX	64	/* rules with in-kernel terms */
#define VGL_ENF_PATH_SCAN	120	/* bytes of the path the prefix sets can test */
#define VGL_ENF_NAME_LEN	31

struct vgl_enf_term {
	__u64 must;
	__u64 must_not;
	__u8 slot;		/* < VGL_ENF_SLOTS_MAX */
	__u8 except;		/* 1: an exception term of the slot */
	__u8 _pad[6];
};

/* One complete rule set; the map holds two (generations 0 and 1) and
 * enf_conf says which is live, so a reload swaps them with one write.
 * The name and path keys carry their generation too. */
struct vgl_enf_exec_set {
	__u32 nterms;
	__u32 _pad;
	__u16 slot_rule[VGL_ENF_SLOTS_MAX];	/* ruleset index of each slot */
	__u32 slot_rate[VGL_ENF_SLOTS_MAX];	/* kills per second allowed, 0: unlimited */
	struct vgl_enf_term terms[VGL_ENF_TERMS_MAX];
};

struct vgl_enf_conf {
	__u32 live;		/* which vgl_enf_exec_set is in force */
	__u32 kill;		/* 1: enforce (send SIGKILL); 0: evaluate nothing */
};

enum vgl_enf_name_kind { VGL_ENF_COMM = 1, VGL_ENF_PCOMM, VGL_ENF_EXE_NAME };

/* Key of the name-set map; the value is the u64 of set bits it belongs to. */
struct vgl_enf_name_key {
	__u8 kind;			/* enum vgl_enf_name_kind | generation << 4 */
	char name[VGL_ENF_NAME_LEN];	/* NUL-padded */
};

/*
 * Path sets (proc.exe startswith "/dir/", or = "/path"): the kernel hashes
 * the executed path as it scans it (FNV-1a, 64 bits) and looks the hash up
 * at every '/' for prefixes, and once at the end for exact paths, both
 * within the first VGL_ENF_PATH_SCAN bytes.
 */
enum vgl_enf_path_kind { VGL_ENF_PATH_PREFIX = 1, VGL_ENF_PATH_EXACT };

struct vgl_enf_path_key {
	__u64 hash;		/* FNV-1a of the first len bytes */
	__u32 len;
	__u32 kind;		/* enum vgl_enf_path_kind | generation << 4 */
};

#define VGL_FNV_OFFSET	0xcbf29ce484222325ULL
#define VGL_FNV_PRIME	0x100000001b3ULL

/*
 * Sets userspace learns while running (a rule's `proc.exe_sha256 in (...)`,
 * or a comparison on container metadata), keyed by what the kernel knows:
 * the executed inode, the task's cgroup. A file whose SHA-256 is on a list
 * is entered the first time userspace hashes it (its first exec is killed
 * from userspace); the entry holds the inode's ctime, so a rewrite of the
 * file is a miss. A cgroup is entered once userspace knows its container;
 * until then the rules that test containers are left to userspace
 * (VGL_FACT_CGROUP_KNOWN is clear).
 */
struct vgl_enf_inode_key {
	__u64 ino;
	__u32 dev;
	__u32 gen;		/* generation of the plan whose bits the value holds */
};

struct vgl_enf_inode_val {
	__u64 ctime_ns;		/* the file version that was hashed */
	__u64 bits;
};

struct vgl_enf_cgroup_key {
	__u64 cgroup_id;
	__u32 gen;
	__u32 _pad;
};

/* Per-slot kill budget: count within the current second. */
struct vgl_enf_rate {
	__u64 window_ns;
	__u32 count;
	__u32 _pad;
};

/* Programs protected from every action: (dev, ino) of their executables. */
struct vgl_enf_protected_key {
	__u64 ino;
	__u32 dev;
	__u32 _pad;
};

/*
 * In-kernel network block rules (src/bpf/netblock.bpf.c, compiled by
 * src/respond/netblock_compile.c). The cgroup connect/sendmsg hooks compute
 * a fact vector per attempt: the fixed facts below, then one bit per
 * address or port set the rules test (the values of the LPM tries and of
 * the port map), and test it against terms shaped like the exec terms
 * (struct vgl_enf_term). Tries and port map are keyed by a generation
 * byte as well, so a reload writes the other generation and switches with
 * one write of vgl_nb_conf.live.
 */
enum vgl_nb_fact {
	VGL_NB_IN_CONTAINER = 0,	/* cgroup in container_cgroups, or a child pid ns */
	VGL_NB_TCP,
	VGL_NB_UDP,
	VGL_NB_INET4,			/* AF_INET socket */
	VGL_NB_INET6,			/* AF_INET6 socket (v4-mapped destinations too) */
	VGL_NB_FIXED,			/* first bit of the address and port sets */
};

struct vgl_nb_set {
	__u32 nterms;
	__u32 _pad;
	__u16 slot_rule[VGL_ENF_SLOTS_MAX];	/* ruleset index of each slot */
	__u32 slot_rate[VGL_ENF_SLOTS_MAX];	/* blocks per second allowed, 0: unlimited */
	struct vgl_enf_term terms[VGL_ENF_TERMS_MAX];
};

struct vgl_nb_conf {
	__u32 live;		/* generation (0 or 1) in force */
	__u32 _pad;
};

/* LPM trie keys: prefixlen counts the generation byte's 8 bits too. */
struct vgl_nb_lpm4 {
	__u32 prefixlen;
	__u8 gen;
	__u8 addr[4];
	__u8 _pad[3];
};

struct vgl_nb_lpm6 {
	__u32 prefixlen;
	__u8 gen;
	__u8 addr[16];
	__u8 _pad[3];
};

struct vgl_nb_port_key {
	__u16 port;		/* host byte order */
	__u8 gen;
	__u8 _pad;
};

/* A connect hook's decision, for the sensor's sys_exit_connect event
 * (map nb_verdicts, key pid_tgid): applied when the socket is the same. */
struct vgl_nb_verdict {
	__u64 cookie;		/* socket cookie */
	__u16 enforce_rule;	/* ruleset index + 1 */
	__u8 hdr_flags;		/* VGL_HF_BLOCKED or VGL_HF_RATE_LIMITED */
	__u8 _pad[5];
};

/* Per-slot block budget within the current second. */
struct vgl_nb_rate {
	__u64 window_ns;
	__u32 count;
	__u32 reported;		/* a rate-limited sendmsg was reported in this window */
};

enum vgl_nb_counter {
	VGL_NB_CNT_BLOCKED = 0,
	VGL_NB_CNT_RATE_LIMITED,
	VGL_NB_CNT_LOST_RINGBUF,	/* sendmsg records the ring buffer had no room for */
	VGL_NB_CNT_MAX,
};

/*
 * The open filter (src/detect/open_filter.c, src/bpf/file.bpf.c): which
 * opens the loaded rules could match, over-approximated from their
 * conditions, so the kernel builds and sends only those. Facts per open:
 * the fixed ones below, then one bit per name set (the file's name, a
 * prefix of it, its directory's name, the opener's comm), looked up by
 * FNV-1a hash in of_names (key struct vgl_enf_path_key, kind | gen << 4).
 * An open is sent when some term matches; facts the kernel cannot know
 * (names of a failed open) count as matching either way.
 */
enum vgl_of_fact {
	VGL_OF_WRITE = 0,	/* as fd.is_write: not O_RDONLY, or O_CREAT, O_TRUNC, O_TMPFILE */
	VGL_OF_CREATE,		/* as fd.is_create: O_CREAT or O_TMPFILE */
	VGL_OF_TRUNC,		/* O_TRUNC */
	VGL_OF_FAILED,
	VGL_OF_CHROOTED,	/* the task's root is not the host's (every container's) */
	VGL_OF_FIXED,		/* first bit of the name sets */
};

enum vgl_of_name_kind {
	VGL_OF_NAME = 1, VGL_OF_NAME_PREFIX, VGL_OF_PARENT, VGL_OF_COMM,
	VGL_OF_ANCESTOR,	/* a directory the file is in, at any of VGL_OF_ANCESTORS levels */
};

#define VGL_OF_ANCESTORS	12	/* deeper files: their ancestors count as unknown */

#define VGL_OF_NAME_SCAN	64	/* bytes of a name the kernel hashes */
#define VGL_OF_TERMS_MAX	64

/*
 * Before hashing a name the kernel asks a Bloom filter (one probe) keyed by
 * the name's length and its first 8 bytes, both read from the dentry
 * without a helper call: most opens name nothing in any set and stop there.
 * A name's key: its first min(len, 8) bytes, little-endian, zero-padded; a
 * prefix of p bytes is entered as its first min(p, 8) (prefix8_lens).
 */
#define VGL_OF_BLOOM_LOG2	14
#define VGL_OF_BLOOM_BITS	(1U << VGL_OF_BLOOM_LOG2)

static inline __u64 vgl_of_word_mask(__u32 len)
{
	return len >= 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
}

static inline __u32 vgl_of_bloom_bit(__u32 kind, __u32 len, __u64 word)
{
	/* one multiply: the top bits of the product depend on every input bit */
	__u64 h = (word ^ ((__u64)kind << 56) ^ ((__u64)len << 48)) * 0x9E3779B97F4A7C15ULL;

	return (h ^ (h >> 32)) >> (64 - VGL_OF_BLOOM_LOG2);
}

struct vgl_open_filter {
	__u32 nterms;
	__u32 all;		/* 1: every open (a trace, or a rule the filter cannot narrow) */
	__u64 prefix_lens;	/* bit n: some name prefix of n bytes is in a set */
	__u64 name_bits;	/* the bits of the file's name and its prefixes */
	__u64 parent_bits;	/* the bits of its directory's name */
	__u64 ancestor_bits;	/* the bits of the directories above it (looked up last) */
	__u64 comm_bits;	/* the bits of the opener's comm */
	__u32 fixed_ok;		/* bit f: some term can match when the fixed facts are f
				 * (the facts below VGL_OF_FIXED), whatever the names */
	__u32 uses_chroot;	/* some term tests VGL_OF_CHROOTED */
	__u32 ok_unnamed;	/* bit f: ... when the file's name is in no set */
	__u32 ok_unplaced;	/* bit f: ... when neither its name nor its directory is */
	__u64 root_ino;		/* the host's root directory (/proc/1/root) */
	__u32 root_dev;		/* kernel dev_t */
	__u32 _pad;
	__u64 prefix8_lens;	/* bit n (1..8): a prefix is entered by its first n bytes */
	struct vgl_enf_term terms[VGL_OF_TERMS_MAX];
	__u64 bloom[VGL_OF_BLOOM_BITS / 64];	/* names of the NAME, NAME_PREFIX, PARENT sets */
};

struct vgl_open_filter_conf {
	__u32 live;		/* generation in force */
	__u32 on;		/* 0: no filter (every open is sent) */
};

#ifndef __VIGIL_BPF__
_Static_assert(sizeof(struct vgl_enf_term) == 24, "vgl_enf_term layout");
_Static_assert(sizeof(struct vgl_enf_name_key) == 32, "vgl_enf_name_key layout");
_Static_assert(sizeof(struct vgl_enf_path_key) == 16, "vgl_enf_path_key layout");
_Static_assert(sizeof(struct vgl_enf_inode_key) == 16, "vgl_enf_inode_key layout");
_Static_assert(sizeof(struct vgl_enf_cgroup_key) == 16, "vgl_enf_cgroup_key layout");
_Static_assert(sizeof(struct vgl_nb_lpm4) == 12, "vgl_nb_lpm4 layout");
_Static_assert(sizeof(struct vgl_nb_lpm6) == 24, "vgl_nb_lpm6 layout");
_Static_assert(sizeof(struct vgl_nb_verdict) == 16, "vgl_nb_verdict layout");
_Static_assert(sizeof(struct vgl_hdr) == 96, "vgl_hdr layout");
_Static_assert(sizeof(struct vgl_cgroup) == 16, "vgl_cgroup layout");
_Static_assert(sizeof(struct vgl_container) == 8, "vgl_container layout");
_Static_assert(sizeof(struct vgl_scan) == 24, "vgl_scan layout");
_Static_assert(sizeof(struct vgl_exec) == 72, "vgl_exec layout");
_Static_assert(sizeof(struct vgl_file) == 48, "vgl_file layout");
_Static_assert(sizeof(struct vgl_mem) == 40, "vgl_mem layout");
_Static_assert(sizeof(struct vgl_net) == 56, "vgl_net layout");
_Static_assert(sizeof(struct vgl_syscall) == 56, "vgl_syscall layout");
#endif

#endif /* VIGIL_ABI_H */
