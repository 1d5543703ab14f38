// SPDX-License-Identifier: GPL-2.0
/*
 * format_priv.c - bodies of privilege and kernel events: every one is a
 * struct vgl_syscall written as "syscall": {"name": ..., named fields}.
 * What each arg[] slot and string holds per type is fixed by
 * src/bpf/priv.bpf.c and documented in docs/events-priv.md.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "output/format.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct name_of {
	uint64_t val;
	const char *name;
};

/* x86-64 numbers of the syscalls these events come from */
static const struct name_of syscall_names[] = {
	{ 101, "ptrace" }, { 105, "setuid" }, { 106, "setgid" }, { 113, "setreuid" },
	{ 114, "setregid" }, { 117, "setresuid" }, { 119, "setresgid" }, { 122, "setfsuid" },
	{ 123, "setfsgid" }, { 126, "capset" }, { 157, "prctl" }, { 165, "mount" },
	{ 166, "umount2" }, { 175, "init_module" }, { 176, "delete_module" },
	{ 188, "setxattr" }, { 189, "lsetxattr" }, { 190, "fsetxattr" }, { 246, "kexec_load" },
	{ 272, "unshare" }, { 308, "setns" }, { 311, "process_vm_writev" },
	{ 313, "finit_module" }, { 320, "kexec_file_load" }, { 321, "bpf" },
	{ 425, "io_uring_setup" }, { 463, "setxattrat" },
};

enum {
	NR_setuid = 105, NR_setgid = 106, NR_setreuid = 113, NR_setregid = 114,
	NR_setresuid = 117, NR_setresgid = 119, NR_setfsuid = 122, NR_setfsgid = 123,
	NR_init_module = 175, NR_delete_module = 176, NR_finit_module = 313,
	NR_kexec_file_load = 320,
};

static const struct name_of ptrace_requests[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" }, { 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSER" }, { 7, "PTRACE_CONT" }, { 8, "PTRACE_KILL" },
	{ 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 14, "PTRACE_GETFPREGS" }, { 15, "PTRACE_SETFPREGS" }, { 16, "PTRACE_ATTACH" },
	{ 17, "PTRACE_DETACH" }, { 18, "PTRACE_GETFPXREGS" }, { 19, "PTRACE_SETFPXREGS" },
	{ 24, "PTRACE_SYSCALL" }, { 25, "PTRACE_GET_THREAD_AREA" },
	{ 26, "PTRACE_SET_THREAD_AREA" }, { 30, "PTRACE_ARCH_PRCTL" }, { 31, "PTRACE_SYSEMU" },
	{ 32, "PTRACE_SYSEMU_SINGLESTEP" }, { 33, "PTRACE_SINGLEBLOCK" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" },
	{ 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
	{ 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" }, { 0x4208, "PTRACE_LISTEN" },
	{ 0x4209, "PTRACE_PEEKSIGINFO" }, { 0x420a, "PTRACE_GETSIGMASK" },
	{ 0x420b, "PTRACE_SETSIGMASK" }, { 0x420c, "PTRACE_SECCOMP_GET_FILTER" },
	{ 0x420d, "PTRACE_SECCOMP_GET_METADATA" }, { 0x420e, "PTRACE_GET_SYSCALL_INFO" },
	{ 0x420f, "PTRACE_GET_RSEQ_CONFIGURATION" },
	{ 0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG" },
	{ 0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG" },
	{ 0x4212, "PTRACE_SET_SYSCALL_INFO" },
};

static const struct name_of bpf_cmds[] = {
	{ 0, "BPF_MAP_CREATE" }, { 1, "BPF_MAP_LOOKUP_ELEM" }, { 2, "BPF_MAP_UPDATE_ELEM" },
	{ 3, "BPF_MAP_DELETE_ELEM" }, { 4, "BPF_MAP_GET_NEXT_KEY" }, { 5, "BPF_PROG_LOAD" },
	{ 6, "BPF_OBJ_PIN" }, { 7, "BPF_OBJ_GET" }, { 8, "BPF_PROG_ATTACH" },
	{ 9, "BPF_PROG_DETACH" }, { 10, "BPF_PROG_TEST_RUN" }, { 11, "BPF_PROG_GET_NEXT_ID" },
	{ 12, "BPF_MAP_GET_NEXT_ID" }, { 13, "BPF_PROG_GET_FD_BY_ID" },
	{ 14, "BPF_MAP_GET_FD_BY_ID" }, { 15, "BPF_OBJ_GET_INFO_BY_FD" },
	{ 16, "BPF_PROG_QUERY" }, { 17, "BPF_RAW_TRACEPOINT_OPEN" }, { 18, "BPF_BTF_LOAD" },
	{ 19, "BPF_BTF_GET_FD_BY_ID" }, { 20, "BPF_TASK_FD_QUERY" },
	{ 21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM" }, { 22, "BPF_MAP_FREEZE" },
	{ 23, "BPF_BTF_GET_NEXT_ID" }, { 24, "BPF_MAP_LOOKUP_BATCH" },
	{ 25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH" }, { 26, "BPF_MAP_UPDATE_BATCH" },
	{ 27, "BPF_MAP_DELETE_BATCH" }, { 28, "BPF_LINK_CREATE" }, { 29, "BPF_LINK_UPDATE" },
	{ 30, "BPF_LINK_GET_FD_BY_ID" }, { 31, "BPF_LINK_GET_NEXT_ID" },
	{ 32, "BPF_ENABLE_STATS" }, { 33, "BPF_ITER_CREATE" }, { 34, "BPF_LINK_DETACH" },
	{ 35, "BPF_PROG_BIND_MAP" }, { 36, "BPF_TOKEN_CREATE" },
	{ 37, "BPF_PROG_STREAM_READ_BY_FD" },
};

enum { BPF_MAP_CREATE_ = 0, BPF_PROG_LOAD_ = 5, BPF_PROG_ATTACH_ = 8, BPF_LINK_CREATE_ = 28 };

static const struct name_of clone_flags[] = {
	{ 0x00000080, "CLONE_NEWTIME" }, { 0x00000100, "CLONE_VM" }, { 0x00000200, "CLONE_FS" },
	{ 0x00000400, "CLONE_FILES" }, { 0x00000800, "CLONE_SIGHAND" },
	{ 0x00010000, "CLONE_THREAD" }, { 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" }, { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" }, { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },
};

static const struct name_of mount_flags[] = {
	{ 1 << 0, "MS_RDONLY" }, { 1 << 1, "MS_NOSUID" }, { 1 << 2, "MS_NODEV" },
	{ 1 << 3, "MS_NOEXEC" }, { 1 << 4, "MS_SYNCHRONOUS" }, { 1 << 5, "MS_REMOUNT" },
	{ 1 << 6, "MS_MANDLOCK" }, { 1 << 7, "MS_DIRSYNC" }, { 1 << 8, "MS_NOSYMFOLLOW" },
	{ 1 << 10, "MS_NOATIME" }, { 1 << 11, "MS_NODIRATIME" }, { 1 << 12, "MS_BIND" },
	{ 1 << 13, "MS_MOVE" }, { 1 << 14, "MS_REC" }, { 1 << 15, "MS_SILENT" },
	{ 1 << 16, "MS_POSIXACL" }, { 1 << 17, "MS_UNBINDABLE" }, { 1 << 18, "MS_PRIVATE" },
	{ 1 << 19, "MS_SLAVE" }, { 1 << 20, "MS_SHARED" }, { 1 << 21, "MS_RELATIME" },
	{ 1 << 24, "MS_STRICTATIME" }, { 1 << 25, "MS_LAZYTIME" },
};

static const struct name_of umount_flags[] = {
	{ 1, "MNT_FORCE" }, { 2, "MNT_DETACH" }, { 4, "MNT_EXPIRE" }, { 8, "UMOUNT_NOFOLLOW" },
};

static const struct name_of finit_flags[] = {
	{ 1, "MODULE_INIT_IGNORE_MODVERSIONS" }, { 2, "MODULE_INIT_IGNORE_VERMAGIC" },
	{ 4, "MODULE_INIT_COMPRESSED_FILE" },
};

static const struct name_of delete_flags[] = {
	{ 00004000, "O_NONBLOCK" }, { 00001000, "O_TRUNC" },
};

static const struct name_of kexec_flags[] = {
	{ 1, "KEXEC_ON_CRASH" }, { 2, "KEXEC_PRESERVE_CONTEXT" },
	{ 4, "KEXEC_UPDATE_ELFCOREHDR" }, { 8, "KEXEC_CRASH_HOTPLUG_SUPPORT" },
};

static const struct name_of kexec_file_flags[] = {
	{ 1, "KEXEC_FILE_UNLOAD" }, { 2, "KEXEC_FILE_ON_CRASH" },
	{ 4, "KEXEC_FILE_NO_INITRAMFS" }, { 8, "KEXEC_FILE_DEBUG" },
};

static const struct name_of xattr_flags[] = {
	{ 1, "XATTR_CREATE" }, { 2, "XATTR_REPLACE" },
};

static const struct name_of io_uring_flags[] = {
	{ 1 << 0, "IORING_SETUP_IOPOLL" }, { 1 << 1, "IORING_SETUP_SQPOLL" },
	{ 1 << 2, "IORING_SETUP_SQ_AFF" }, { 1 << 3, "IORING_SETUP_CQSIZE" },
	{ 1 << 4, "IORING_SETUP_CLAMP" }, { 1 << 5, "IORING_SETUP_ATTACH_WQ" },
	{ 1 << 6, "IORING_SETUP_R_DISABLED" }, { 1 << 7, "IORING_SETUP_SUBMIT_ALL" },
	{ 1 << 8, "IORING_SETUP_COOP_TASKRUN" }, { 1 << 9, "IORING_SETUP_TASKRUN_FLAG" },
	{ 1 << 10, "IORING_SETUP_SQE128" }, { 1 << 11, "IORING_SETUP_CQE32" },
	{ 1 << 12, "IORING_SETUP_SINGLE_ISSUER" }, { 1 << 13, "IORING_SETUP_DEFER_TASKRUN" },
	{ 1 << 14, "IORING_SETUP_NO_MMAP" }, { 1 << 15, "IORING_SETUP_REGISTERED_FD_ONLY" },
	{ 1 << 16, "IORING_SETUP_NO_SQARRAY" },
};

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static const char *name_lookup(const struct name_of *tab, size_t n, uint64_t val)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].val == val)
			return tab[i].name;
	return NULL;
}

/* "key": NAME, or the number as text when the value has no name. */
static void kv_enum(struct json *j, const char *key, const struct name_of *tab, size_t n,
		    uint64_t val)
{
	const char *name = name_lookup(tab, n, val);
	char tmp[24];

	if (!name) {
		snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)val);
		name = tmp;
	}
	json_kv_str(j, key, name);
}

static void kv_hex(struct json *j, const char *key, uint64_t val)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)val);
	json_kv_str(j, key, tmp);
}

/* "flags": number, "flag_names": [names of the known bits set]. */
static void kv_flags(struct json *j, const struct name_of *tab, size_t n, uint64_t flags)
{
	json_kv_u64(j, "flags", flags);
	json_key(j, "flag_names");
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		if (flags & tab[i].val)
			json_str(j, tab[i].name);
	json_arr_end(j);
}

/* A uid/gid argument: -1 ("leave unchanged") stays -1, not 4294967295. */
static void kv_id(struct json *j, const char *key, uint64_t id)
{
	if ((uint32_t)id == (uint32_t)-1)
		json_kv_i64(j, key, -1);
	else
		json_kv_u64(j, key, (uint32_t)id);
}

static void kv_path_flags(struct json *j, const char *key, uint64_t pflags)
{
	json_key(j, key);
	json_arr_begin(j);
	if (pflags & VGL_PATH_F_USER)
		json_str(j, "from_argument");
	if (pflags & VGL_PATH_F_TRUNC)
		json_str(j, "truncated");
	if (pflags & VGL_PATH_F_DELETED)
		json_str(j, "deleted");
	json_arr_end(j);
}

static void kv_caps(struct json *j, const char *key, uint64_t mask)
{
	json_key(j, key);
	json_arr_begin(j);
	for (size_t i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (i < ARRAY_LEN(cap_names)) {
			json_str(j, cap_names[i]);
		} else {
			char tmp[16];

			snprintf(tmp, sizeof(tmp), "CAP_%zu", i);
			json_str(j, tmp);
		}
	}
	json_arr_end(j);
}

static void format_setid(struct json *j, const struct vgl_syscall *sc, int32_t ret)
{
	bool gid = sc->syscall == NR_setgid || sc->syscall == NR_setregid ||
		   sc->syscall == NR_setresgid || sc->syscall == NR_setfsgid;
	const char *r = gid ? "rgid" : "ruid", *e = gid ? "egid" : "euid";
	const char *s = gid ? "sgid" : "suid";

	switch (sc->syscall) {
	case NR_setuid: kv_id(j, "uid", sc->arg[0]); break;
	case NR_setgid: kv_id(j, "gid", sc->arg[0]); break;
	case NR_setfsuid: kv_id(j, "fsuid", sc->arg[0]); break;
	case NR_setfsgid: kv_id(j, "fsgid", sc->arg[0]); break;
	default:	/* setre[ug]id, setres[ug]id */
		kv_id(j, r, sc->arg[0]);
		kv_id(j, e, sc->arg[1]);
		if (sc->syscall == NR_setresuid || sc->syscall == NR_setresgid)
			kv_id(j, s, sc->arg[2]);
	}
	/* setfs[ug]id returns the previous id, never an error */
	if (sc->syscall == NR_setfsuid || sc->syscall == NR_setfsgid)
		json_kv_u64(j, gid ? "previous_fsgid" : "previous_fsuid", (uint32_t)ret);
	json_key(j, "creds_after");
	json_obj_begin(j);
	json_kv_u64(j, gid ? "gid" : "uid", (uint32_t)sc->arg[3]);
	json_kv_u64(j, e, (uint32_t)sc->arg[4]);
	json_kv_u64(j, s, (uint32_t)sc->arg[5]);
	json_kv_u64(j, gid ? "fsgid" : "fsuid", (uint32_t)(sc->arg[5] >> 32));
	json_obj_end(j);
}

static void format_capset(struct json *j, const struct vgl_syscall *sc)
{
	kv_hex(j, "version", sc->arg[0]);
	json_kv_i64(j, "target_pid", (int32_t)sc->arg[1]);
	kv_hex(j, "effective", sc->arg[2]);
	kv_hex(j, "permitted", sc->arg[3]);
	kv_hex(j, "inheritable", sc->arg[4]);
	kv_hex(j, "effective_after", sc->arg[5]);
}

static void format_ptrace(struct json *j, const struct vgl_syscall *sc)
{
	kv_enum(j, "request", ptrace_requests, ARRAY_LEN(ptrace_requests), sc->arg[0]);
	json_kv_u64(j, "request_nr", sc->arg[0]);
	json_kv_i64(j, "target_pid", (int32_t)sc->arg[1]);
	kv_hex(j, "addr", sc->arg[2]);
	kv_hex(j, "data", sc->arg[3]);
}

static void format_vm_writev(struct json *j, const struct vgl_syscall *sc)
{
	json_kv_i64(j, "target_pid", (int32_t)sc->arg[0]);
	json_kv_u64(j, "local_iovcnt", sc->arg[1]);
	json_kv_u64(j, "remote_iovcnt", sc->arg[2]);
	json_kv_u64(j, "flags", sc->arg[3]);
	json_kv_u64(j, "bytes_written", sc->arg[4]);
	kv_hex(j, "remote_addr", sc->arg[5]);
}

static void format_module(struct json *j, const struct event_view *v,
			  const struct vgl_syscall *sc)
{
	switch (sc->syscall) {
	case NR_finit_module:
		json_kv_i64(j, "fd", (int32_t)sc->arg[0]);
		format_str(j, "path", &v->strs[0]);
		kv_path_flags(j, "path_flags", sc->arg[5]);
		format_str(j, "params", &v->strs[1]);
		kv_flags(j, finit_flags, ARRAY_LEN(finit_flags), sc->arg[2]);
		break;
	case NR_delete_module:
		format_str(j, "module", &v->strs[0]);
		kv_flags(j, delete_flags, ARRAY_LEN(delete_flags), sc->arg[1]);
		break;
	default:	/* init_module */
		json_kv_u64(j, "image_len", sc->arg[1]);
		format_str(j, "params", &v->strs[1]);
	}
}

static void format_kexec(struct json *j, const struct event_view *v,
			 const struct vgl_syscall *sc)
{
	if (sc->syscall == NR_kexec_file_load) {
		json_kv_i64(j, "kernel_fd", (int32_t)sc->arg[0]);
		json_kv_i64(j, "initrd_fd", (int32_t)sc->arg[1]);
		format_str(j, "kernel_path", &v->strs[0]);
		format_str(j, "cmdline", &v->strs[1]);
		kv_flags(j, kexec_file_flags, ARRAY_LEN(kexec_file_flags), sc->arg[4]);
	} else {
		kv_hex(j, "entry", sc->arg[0]);
		json_kv_u64(j, "nr_segments", sc->arg[1]);
		kv_flags(j, kexec_flags, ARRAY_LEN(kexec_flags), sc->arg[3]);
	}
}

/* libbpf's lowercase name ("kprobe", "array"), or the number as text. */
static void kv_libbpf_name(struct json *j, const char *key, const char *name, uint64_t val)
{
	char tmp[24];

	if (!name) {
		snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)val);
		name = tmp;
	}
	json_kv_str(j, key, name);
}

static void format_bpf(struct json *j, const struct event_view *v, const struct vgl_syscall *sc)
{
	kv_enum(j, "command", bpf_cmds, ARRAY_LEN(bpf_cmds), sc->arg[0]);
	json_kv_u64(j, "command_nr", sc->arg[0]);
	json_kv_u64(j, "attr_size", sc->arg[2]);
	switch (sc->arg[0]) {
	case BPF_PROG_LOAD_:
		kv_libbpf_name(j, "prog_type", libbpf_bpf_prog_type_str(sc->arg[1]), sc->arg[1]);
		format_str(j, "prog_name", &v->strs[0]);
		/* 0 is both "unset" and BPF_CGROUP_INET_INGRESS; only cgroup_skb
		 * programs mean the latter, and they say so when attached */
		if (sc->arg[3])
			kv_libbpf_name(j, "attach_type", libbpf_bpf_attach_type_str(sc->arg[3]),
				       sc->arg[3]);
		break;
	case BPF_MAP_CREATE_:
		kv_libbpf_name(j, "map_type", libbpf_bpf_map_type_str(sc->arg[1]), sc->arg[1]);
		format_str(j, "map_name", &v->strs[0]);
		break;
	case BPF_PROG_ATTACH_:
	case BPF_LINK_CREATE_:
		kv_libbpf_name(j, "attach_type", libbpf_bpf_attach_type_str(sc->arg[3]),
			       sc->arg[3]);
		break;
	}
}

static void format_setns(struct json *j, const struct event_view *v,
			 const struct vgl_syscall *sc)
{
	json_kv_i64(j, "fd", (int32_t)sc->arg[0]);
	if (sc->arg[1])
		kv_enum(j, "nstype", clone_flags, ARRAY_LEN(clone_flags), sc->arg[1]);
	else
		json_kv_str(j, "nstype", "any");
	if (sc->arg[2]) {
		char ns[64];

		snprintf(ns, sizeof(ns), "%.*s:[%llu]", (int)v->strs[0].len, v->strs[0].ptr,
			 (unsigned long long)sc->arg[2]);
		json_kv_str(j, "ns", ns);
		format_str(j, "ns_type", &v->strs[0]);
		json_kv_u64(j, "ns_inode", sc->arg[2]);
	} else {
		format_str(j, "fd_path", &v->strs[0]);	/* a pidfd */
	}
}

static void format_setxattr(struct json *j, const struct event_view *v,
			    const struct vgl_syscall *sc)
{
	uint32_t magic = sc->arg[2];

	format_str(j, "path", &v->strs[0]);
	kv_path_flags(j, "path_flags", sc->arg[5]);
	format_str(j, "attr", &v->strs[1]);
	json_kv_u64(j, "size", sc->arg[0]);
	kv_flags(j, xattr_flags, ARRAY_LEN(xattr_flags), sc->arg[1]);
	/* vfs_cap_data: revision in the top byte, effective bit in bit 0 */
	json_kv_u64(j, "cap_version", magic >> 24);
	json_kv_bool(j, "cap_effective", magic & 1);
	kv_hex(j, "cap_permitted", sc->arg[3]);
	kv_caps(j, "cap_permitted_names", sc->arg[3]);
	kv_hex(j, "cap_inheritable", sc->arg[4]);
}

static void format_io_uring(struct json *j, const struct vgl_syscall *sc)
{
	json_kv_u64(j, "entries", sc->arg[0]);
	kv_flags(j, io_uring_flags, ARRAY_LEN(io_uring_flags), sc->arg[1]);
	json_kv_i64(j, "fd", (int64_t)sc->arg[2]);
	json_kv_u64(j, "sq_entries", sc->arg[3]);
	json_kv_u64(j, "cq_entries", sc->arg[4]);
	kv_hex(j, "features", sc->arg[5]);
}

static void format_fields(struct json *j, const struct event_view *v,
			  const struct vgl_syscall *sc)
{
	switch (v->hdr->type) {
	case VGL_EV_SETUID:
		format_setid(j, sc, v->hdr->ret);
		break;
	case VGL_EV_CAPSET:
		format_capset(j, sc);
		break;
	case VGL_EV_PTRACE:
		format_ptrace(j, sc);
		break;
	case VGL_EV_PROCESS_VM_WRITEV:
		format_vm_writev(j, sc);
		break;
	case VGL_EV_MODULE:
		format_module(j, v, sc);
		break;
	case VGL_EV_KEXEC_LOAD:
		format_kexec(j, v, sc);
		break;
	case VGL_EV_BPF:
		format_bpf(j, v, sc);
		break;
	case VGL_EV_MOUNT:
		format_str(j, "source", &v->strs[0]);
		format_str(j, "target", &v->strs[1]);
		kv_path_flags(j, "target_flags", sc->arg[5]);
		format_str(j, "fstype", &v->strs[2]);
		kv_flags(j, mount_flags, ARRAY_LEN(mount_flags), sc->arg[3]);
		break;
	case VGL_EV_UMOUNT:
		format_str(j, "target", &v->strs[0]);
		kv_path_flags(j, "target_flags", sc->arg[5]);
		kv_flags(j, umount_flags, ARRAY_LEN(umount_flags), sc->arg[1]);
		break;
	case VGL_EV_UNSHARE:
		kv_flags(j, clone_flags, ARRAY_LEN(clone_flags), sc->arg[0]);
		break;
	case VGL_EV_SETNS:
		format_setns(j, v, sc);
		break;
	case VGL_EV_PRCTL:
		json_kv_str(j, "option", "PR_SET_NAME");
		format_str(j, "new_name", &v->strs[0]);
		break;
	case VGL_EV_SETXATTR:
		format_setxattr(j, v, sc);
		break;
	case VGL_EV_IO_URING_SETUP:
		format_io_uring(j, sc);
		break;
	}
}

void format_priv_body(struct json *j, const struct event_view *v)
{
	const struct vgl_syscall *sc = EV_BODY(v, vgl_syscall);

	json_key(j, "syscall");
	json_obj_begin(j);
	kv_enum(j, "name", syscall_names, ARRAY_LEN(syscall_names), sc->syscall);
	json_kv_u64(j, "nr", sc->syscall);
	format_fields(j, v, sc);
	json_obj_end(j);
}

/* Names for rule fields (src/detect/fields.c): NULL when unknown. */
const char *priv_syscall_name(uint64_t nr)
{
	return name_lookup(syscall_names, ARRAY_LEN(syscall_names), nr);
}

const char *priv_ptrace_request_name(uint64_t request)
{
	return name_lookup(ptrace_requests, ARRAY_LEN(ptrace_requests), request);
}

const char *priv_bpf_cmd_name(uint64_t cmd)
{
	return name_lookup(bpf_cmds, ARRAY_LEN(bpf_cmds), cmd);
}

/* Names of the CLONE_NEW* bits set in flags, joined by '|', into buf. */
void priv_clone_flags_str(char *buf, size_t len, uint64_t flags)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(clone_flags) && n < len; i++)
		if (flags & clone_flags[i].val)
			n += snprintf(buf + n, len - n, "%s%s", n ? "|" : "", clone_flags[i].name);
}
