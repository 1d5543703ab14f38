// SPDX-License-Identifier: GPL-2.0
/*
 * format_file.c - bodies of file events (open, unlink, rename, link,
 * symlink, chmod, chown, truncate, utimes): one "file" object whose
 * members depend on the type and on which syscall produced it.
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include "output/format.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* x86-64 numbers of the syscalls file.bpf.c hooks */
static const struct { uint16_t nr; const char *name; } file_syscalls[] = {
	{ 2, "open" }, { 76, "truncate" }, { 77, "ftruncate" }, { 82, "rename" },
	{ 84, "rmdir" }, { 85, "creat" }, { 86, "link" }, { 87, "unlink" }, { 88, "symlink" },
	{ 90, "chmod" }, { 91, "fchmod" }, { 92, "chown" }, { 93, "fchown" }, { 94, "lchown" },
	{ 132, "utime" }, { 235, "utimes" }, { 257, "openat" }, { 260, "fchownat" },
	{ 261, "futimesat" }, { 263, "unlinkat" }, { 264, "renameat" }, { 265, "linkat" },
	{ 266, "symlinkat" }, { 268, "fchmodat" }, { 280, "utimensat" }, { 316, "renameat2" },
	{ 437, "openat2" }, { 452, "fchmodat2" },
};

#define NR_rmdir	84

/*
 * Flag values as the x86-64 kernel defines them: libc's macros are not the
 * wire values (glibc's O_LARGEFILE is 0 on x86-64, the kernel's is not).
 */
#define K_O_ACCMODE	00000003
#define K_O_CREAT	00000100
#define K_O_TMPFILE	020000000	/* __O_TMPFILE; O_TMPFILE adds O_DIRECTORY */
#define K_AT_REMOVEDIR	0x200

struct flag_name {
	uint32_t bits;
	const char *name;
};

/* Multi-bit flags first (O_TMPFILE includes O_DIRECTORY, O_SYNC includes
 * O_DSYNC) so they claim their bits before the single ones. */
static const struct flag_name open_flags[] = {
	{ 020200000, "O_TMPFILE" }, { 04010000, "O_SYNC" }, { 00000100, "O_CREAT" },
	{ 00000200, "O_EXCL" }, { 00000400, "O_NOCTTY" }, { 00001000, "O_TRUNC" },
	{ 00002000, "O_APPEND" }, { 00004000, "O_NONBLOCK" }, { 00010000, "O_DSYNC" },
	{ 00020000, "O_ASYNC" }, { 00040000, "O_DIRECT" }, { 00100000, "O_LARGEFILE" },
	{ 00200000, "O_DIRECTORY" }, { 00400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
};

static const struct flag_name at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },
};

static const struct flag_name rename_flags[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" }, { 4, "RENAME_WHITEOUT" },
};

const char *file_syscall_name(uint16_t nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(file_syscalls); i++)
		if (file_syscalls[i].nr == nr)
			return file_syscalls[i].name;
	return "unknown";
}

/*
 * "flags": the names of the bits of flags (bits without a name as one
 * "0x..." entry), after first when given; "flags_raw": raw.
 */
static void format_flag_list(struct json *j, uint32_t flags, uint32_t raw,
			     const struct flag_name *names, size_t n, const char *first)
{
	uint32_t left = flags;
	char tmp[16];

	json_key(j, "flags");
	json_arr_begin(j);
	if (first)
		json_str(j, first);
	for (size_t i = 0; i < n; i++) {
		if ((left & names[i].bits) == names[i].bits) {
			json_str(j, names[i].name);
			left &= ~names[i].bits;
		}
	}
	if (left) {
		snprintf(tmp, sizeof(tmp), "0x%x", left);
		json_str(j, tmp);
	}
	json_arr_end(j);
	json_kv_u64(j, "flags_raw", raw);
}

static void format_op_flags(struct json *j, uint32_t flags, const struct flag_name *names,
			    size_t n)
{
	format_flag_list(j, flags, flags, names, n, NULL);
}

static const char *file_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	}
	return "unknown";
}

static void format_path(struct json *j, const char *key, const struct vgl_str *s, uint8_t pflags,
			const char *prefix)
{
	char k[48];

	format_str(j, key, s);
	snprintf(k, sizeof(k), "%spath_source", prefix);
	json_kv_str(j, k, pflags & VGL_PATH_F_USER ? "user" : "kernel");
	snprintf(k, sizeof(k), "%spath_truncated", prefix);
	json_kv_bool(j, k, pflags & VGL_PATH_F_TRUNC);
	/* always present, so a rule can test it without has() */
	snprintf(k, sizeof(k), "%soutside_root", prefix);
	json_kv_bool(j, k, pflags & VGL_PATH_F_OUTSIDE_ROOT);
	if (!(pflags & VGL_PATH_F_USER)) {
		snprintf(k, sizeof(k), "%sdeleted", prefix);
		json_kv_bool(j, k, pflags & VGL_PATH_F_DELETED);
	}
}

static void format_inode(struct json *j, const struct vgl_file *f)
{
	if (!f->ino)
		return;
	json_kv_u64(j, "ino", f->ino);
	format_dev(j, "dev", f->dev);
}

static void format_open(struct json *j, const struct vgl_file *f)
{
	static const char *const access[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	format_flag_list(j, f->flags & ~K_O_ACCMODE, f->flags, open_flags,
			 ARRAY_SIZE(open_flags), access[f->flags & K_O_ACCMODE]);
	if (f->mode & S_IFMT) {		/* the kernel stored the opened inode's mode */
		format_mode(j, "inode_mode", f->mode);
		json_kv_str(j, "file_type", file_type_name(f->mode));
	} else if (f->flags & (K_O_CREAT | K_O_TMPFILE)) {
		format_mode(j, "mode", f->mode);
	}
	format_inode(j, f);
	if (f->fd >= 0)
		json_kv_i64(j, "fd", f->fd);
}

void format_file_body(struct json *j, const struct event_view *v)
{
	const struct vgl_file *f = EV_BODY(v, vgl_file);
	const struct vgl_str *path2 = &v->strs[VGL_FILE_S_PATH2];
	uint16_t type = v->hdr->type;

	json_key(j, "file");
	json_obj_begin(j);
	json_kv_str(j, "syscall", file_syscall_name(f->syscall));
	format_path(j, "path", &v->strs[VGL_FILE_S_PATH], f->path_flags, "");
	switch (type) {
	case VGL_EV_OPEN:
		format_open(j, f);
		break;
	case VGL_EV_UNLINK:
		json_kv_bool(j, "dir", f->syscall == NR_rmdir || (f->flags & K_AT_REMOVEDIR));
		format_op_flags(j, f->flags, at_flags, ARRAY_SIZE(at_flags));
		break;
	case VGL_EV_RENAME:
		format_path(j, "new_path", path2, f->path2_flags, "new_");
		format_op_flags(j, f->flags, rename_flags, ARRAY_SIZE(rename_flags));
		format_inode(j, f);
		break;
	case VGL_EV_LINK:
		format_path(j, "new_path", path2, f->path2_flags, "new_");
		format_op_flags(j, f->flags, at_flags, ARRAY_SIZE(at_flags));
		format_inode(j, f);
		break;
	case VGL_EV_SYMLINK:
		format_str(j, "target", path2);
		break;
	case VGL_EV_CHMOD:
		format_mode(j, "mode", f->mode);
		format_op_flags(j, f->flags, at_flags, ARRAY_SIZE(at_flags));
		format_inode(j, f);
		break;
	case VGL_EV_CHOWN:
		/* -1 leaves the id unchanged */
		json_kv_i64(j, "uid", (int32_t)f->uid);
		json_kv_i64(j, "gid", (int32_t)f->gid);
		format_op_flags(j, f->flags, at_flags, ARRAY_SIZE(at_flags));
		format_inode(j, f);
		break;
	case VGL_EV_TRUNCATE:
		json_kv_i64(j, "length", (int64_t)f->length);
		format_inode(j, f);
		break;
	case VGL_EV_UTIMES:
		/* 0: "now" (NULL times, UTIME_NOW; UTIME_OMIT too) */
		if (f->length)
			json_kv_i64(j, "mtime", (int64_t)f->length);
		else
			json_kv_str(j, "mtime", "now");
		format_op_flags(j, f->flags, at_flags, ARRAY_SIZE(at_flags));
		format_inode(j, f);
		break;
	}
	if (type != VGL_EV_OPEN && f->fd >= 0)
		json_kv_i64(j, "fd", f->fd);
	json_obj_end(j);
}
