// SPDX-License-Identifier: GPL-2.0
/*
 * file.bpf.c - file events: open, unlink, rename, link, symlink, chmod,
 * chown, truncate, utimes.
 *
 * One sys_exit tracepoint per syscall: the arguments are still in the user
 * registers at exit and the result is known, so one hook sees both. What a
 * call produced or used by descriptor is named from the kernel's struct
 * file; what a call named by string is that string made absolute with the
 * cwd or dirfd, and flagged so (VGL_PATH_F_USER). Failed calls are events
 * too: a denied open of /etc/shadow is a signal.
 *
 * Calls that change an existing object by name (chmod, rename, ...) also
 * look the name up in the dentry cache, bounded, to learn its inode: the
 * inode goes in the event and, for content or mode changes, in the
 * written_inodes map that exec consults to flag dropped binaries.
 */
#include "common.bpf.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* x86-64 syscall numbers, kept in the body so output can name the call */
#define NR_truncate		76
#define NR_ftruncate		77
#define NR_rmdir		84
#define NR_creat		85
#define NR_link			86
#define NR_unlink		87
#define NR_symlink		88
#define NR_chmod		90
#define NR_fchmod		91
#define NR_chown		92
#define NR_fchown		93
#define NR_lchown		94
#define NR_rename		82
#define NR_open			2
#define NR_utime		132
#define NR_utimes		235
#define NR_openat		257
#define NR_fchownat		260
#define NR_futimesat		261
#define NR_unlinkat		263
#define NR_renameat		264
#define NR_linkat		265
#define NR_symlinkat		266
#define NR_fchmodat		268
#define NR_utimensat		280
#define NR_renameat2		316
#define NR_openat2		437
#define NR_fchmodat2		452

#define O_WRONLY_		00000001
#define O_RDWR_			00000002
#define O_CREAT_		00000100
#define O_TRUNC_		00001000
#define O_TMPFILE_		020000000	/* __O_TMPFILE */
#define O_DIRECTORY__		00200000
#define AT_SYMLINK_NOFOLLOW_	0x100
#define AT_EMPTY_PATH_		0x1000
#define S_IFMT_			00170000
#define S_IFREG_		0100000
#define S_IFDIR_		0040000
#define S_IFLNK_		0120000
#define NAME_MAX_		255

/* Bounds of a dentry-cache lookup. A name not found within them is simply
 * not resolved (ino 0); the event is still sent. */
#define WALK_STEPS		48	/* path components, "." and ".." included */
#define WALK_CHILDREN		64	/* children of one directory scanned */
#define WALK_MOUNTS		32	/* child mounts of one mount scanned */
#define WALK_STACKED		4	/* mounts stacked on one mountpoint */

/* Before 6.8 a dentry's children were a list_head (d_subdirs, linked by
 * d_child); since then an hlist (d_children, linked by d_sib). */
struct dentry___subdirs {
	struct list_head d_subdirs;
	struct list_head d_child;
} __attribute__((preserve_access_index));

/* Per-slot room for the name of the dentry being compared. */
struct walk_name {
	char name[NAME_MAX_ + 1 + 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct walk_name);
} walk_names SEC(".maps");

/* ---- dentry-cache lookup ----
 *
 * The kernel's path lookup cannot be called from a tracepoint, and at
 * sys_exit the lookup the syscall did is gone. The object is still in the
 * dentry cache though (the call just used it), so we walk the name from
 * the root, cwd or dirfd through each directory's child list. The cursor
 * lives in the slot's path buffer (already copied out into the event), as
 * in path_walk(); each step is a global function, verified once.
 */

static __always_inline __u32 dcache_mounted_flag(void)
{
	/* a #define of 0x10000 until the flags became an enum (6.15) */
	if (bpf_core_enum_value_exists(enum dentry_flags, DCACHE_MOUNTED))
		return bpf_core_enum_value(enum dentry_flags, DCACHE_MOUNTED);
	return 0x00010000;
}

/*
 * Compare the kernel name at name_ptr with pb->data[pos, pos + len).
 * Returns 1 when equal, 0 otherwise.
 */
__noinline int file_name_eq(__u32 slot, __u64 name_ptr, __u32 pos, __u32 len)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_bufs, &slot);
	struct walk_name *wn = bpf_map_lookup_elem(&walk_names, &slot);

	if (!pb || !wn || len == 0 || len > NAME_MAX_ || pos >= VGL_PATH_MAX)
		return 0;
	barrier_var(len);	/* keep the mask: the verifier did not see the check */
	if (bpf_probe_read_kernel(wn->name, len & NAME_MAX_, (void *)name_ptr))
		return 0;
	for (__u32 i = 0; i < (NAME_MAX_ + 1) / 8; i++) {
		__u32 at = i * 8;
		__u64 a, b;

		if (at >= len)
			break;
		/* the component ends before VGL_PATH_MAX, so the mask never
		 * changes the index; it only shows the verifier the bound */
		__u32 idx = (pos + at) & (VGL_PATH_MAX - 1);

		barrier_var(idx);
		a = *(__u64 *)(wn->name + (at & (NAME_MAX_ - 7)));
		b = *(__u64 *)(pb->data + (idx & (VGL_PATH_MAX - 1)));
		if (len - at < 8) {
			__u64 mask = (1ULL << ((len - at) * 8)) - 1;

			a &= mask;
			b &= mask;
		}
		if (a != b)
			return 0;
	}
	return 1;
}

/*
 * If the cursor's dentry is a mountpoint in this mount namespace, move the
 * cursor to the root of the topmost mount there. Returns 0, or -1 when the
 * child mount could not be found within the bounds.
 */
__noinline int file_cross_mounts(__u32 slot)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_bufs, &slot);
	__u32 mounted = dcache_mounted_flag();

	if (!pb)
		return -1;
	for (int depth = 0; depth < WALK_STACKED; depth++) {
		struct dentry *d = (void *)pb->dentry;
		struct mount *m = real_mount_of((void *)pb->vfsmnt);
		struct list_head *head = &m->mnt_mounts;
		struct list_head *n = BPF_CORE_READ(m, mnt_mounts.next);
		struct mount *found = NULL;

		/* set when any namespace mounts here; only ours matters */
		if (!(BPF_CORE_READ(d, d_flags) & mounted))
			return 0;
		for (int i = 0; i < WALK_MOUNTS && n && n != head; i++) {
			struct mount *c = (void *)n - bpf_core_field_offset(struct mount, mnt_child);

			if (BPF_CORE_READ(c, mnt_mountpoint) == d) {
				found = c;
				break;
			}
			n = BPF_CORE_READ(n, next);
		}
		if (!found)
			return n == head ? 0 : -1;
		pb->vfsmnt = (__u64)found + bpf_core_field_offset(struct mount, mnt);
		pb->dentry = (__u64)BPF_CORE_READ(found, mnt.mnt_root);
	}
	return -1;
}

/* Whether child c of the cursor's dentry is named pb->data[pos, pos + len).
 * Negative dentries carry names too: they never match. */
static __always_inline bool child_matches(__u32 slot, struct dentry *c, __u32 pos, __u32 len)
{
	return BPF_CORE_READ(c, d_name.len) == len && BPF_CORE_READ(c, d_inode) &&
	       file_name_eq(slot, (__u64)BPF_CORE_READ(c, d_name.name), pos, len);
}

/*
 * Step the cursor into its child named pb->data[pos, pos + len). 0 or -1.
 * One loop per child-list layout, each inside its own CO-RE branch: a
 * shared loop lets the compiler hoist the missing layout's offsets out of
 * the branch, and the verifier rejects them.
 */
__noinline int file_walk_down(__u32 slot, __u32 pos, __u32 len)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_bufs, &slot);
	struct dentry *parent, *c;

	if (!pb)
		return -1;
	parent = (void *)pb->dentry;
	if ((BPF_CORE_READ(parent, d_inode, i_mode) & S_IFMT_) != S_IFDIR_)
		return -1;	/* not a directory, or a symlink we cannot follow */
	if (bpf_core_field_exists(struct dentry, d_children)) {
		struct hlist_node *n = BPF_CORE_READ(parent, d_children.first);

		for (int i = 0; i < WALK_CHILDREN && n; i++) {
			c = (void *)n - bpf_core_field_offset(struct dentry, d_sib);
			if (child_matches(slot, c, pos, len))
				goto found;
			n = BPF_CORE_READ(n, next);
		}
	} else {
		struct dentry___subdirs *p = (void *)parent;
		struct list_head *head = &p->d_subdirs;
		struct list_head *n = BPF_CORE_READ(p, d_subdirs.next);

		for (int i = 0; i < WALK_CHILDREN && n && n != head; i++) {
			c = (void *)n - bpf_core_field_offset(struct dentry___subdirs, d_child);
			if (child_matches(slot, c, pos, len))
				goto found;
			n = BPF_CORE_READ(n, next);
		}
	}
	return -1;
found:
	pb->dentry = (__u64)c;
	return file_cross_mounts(slot);
}

/* Step the cursor to its parent, crossing up mounts, never above the
 * task's root. */
static __always_inline void walk_up(struct path_buf *pb)
{
	struct task_struct *task = current_task();
	struct dentry *root = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(task, fs, root.mnt);

	for (int i = 0; i < WALK_STACKED; i++) {
		struct dentry *d = (void *)pb->dentry;
		struct vfsmount *vm = (void *)pb->vfsmnt;
		struct mount *m = real_mount_of(vm);
		struct mount *parent = BPF_CORE_READ(m, mnt_parent);

		if (d == root && vm == root_mnt)
			return;
		if (d != BPF_CORE_READ(vm, mnt_root)) {
			pb->dentry = (__u64)BPF_CORE_READ(d, d_parent);
			return;
		}
		if (parent == m)
			return;
		pb->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		pb->vfsmnt = (__u64)parent + bpf_core_field_offset(struct mount, mnt);
	}
}

/* One component of the name at pb->pos. Returns 1 to go on, 0 at the end
 * of the name, -1 when the name cannot be resolved. */
__noinline int file_walk_step(__u32 slot)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_bufs, &slot);
	__u32 pos, len;
	char ch;

	if (!pb)
		return -1;
	pos = pb->pos;
	if (pos >= VGL_PATH_MAX)
		return -1;
	ch = pb->data[pos];
	if (ch == '\0')
		return 0;
	if (ch == '/') {
		pb->pos = pos + 1;
		return 1;
	}
	for (len = 0; len <= NAME_MAX_; len++) {
		ch = pb->data[pos + len];
		if (ch == '\0' || ch == '/')
			break;
	}
	if (len > NAME_MAX_)
		return -1;
	pb->pos = pos + len;
	if (len == 1 && pb->data[pos] == '.')
		return 1;
	if (len == 2 && pb->data[pos] == '.' && pb->data[pos + 1] == '.') {
		walk_up(pb);
		return 1;
	}
	return file_walk_down(slot, pos, len) ? -1 : 1;
}

/* Walk the name in pb->data from the cursor. 0 with the object's dentry
 * in pb->dentry, or -1. */
__noinline int file_dcache_walk(__u32 slot)
{
	for (int i = 0; i < WALK_STEPS; i++) {
		int r = file_walk_step(slot);

		if (r <= 0)
			return r;
	}
	return -1;
}

/*
 * Inode named by (dfd, upath), or NULL if it cannot be found in the
 * dentry cache. A symlink is returned as itself only when the call does
 * not follow it. Reuses ev's path buffer: call after the strings are in.
 */
static __always_inline struct inode *lookup_inode(struct ev *ev, int dfd, const char *upath,
						  bool nofollow)
{
	struct task_struct *task = current_task();
	struct path_buf *pb = ev->pbuf;
	struct dentry *d;
	struct vfsmount *m;
	struct inode *inode;
	char first = 0;

	if (bpf_probe_read_user(&first, 1, upath))
		return NULL;
	if (first == '/') {
		d = BPF_CORE_READ(task, fs, root.dentry);
		m = BPF_CORE_READ(task, fs, root.mnt);
	} else if (!dfd_base(task, dfd, &d, &m)) {
		return NULL;
	}
	if (!d || !m || bpf_probe_read_user_str(pb->data, VGL_PATH_MAX, upath) <= 0)
		return NULL;
	pb->dentry = (__u64)d;
	pb->vfsmnt = (__u64)m;
	pb->pos = 0;
	if (file_dcache_walk(ev->slot))
		return NULL;
	d = (void *)pb->dentry;
	inode = BPF_CORE_READ(d, d_inode);
	if (!inode)
		return NULL;
	if (!nofollow && (BPF_CORE_READ(inode, i_mode) & S_IFMT_) == S_IFLNK_)
		return NULL;
	return inode;
}

/* ---- events ---- */

/*
 * Remember that a regular file was written (opened for write, created,
 * truncated, chmod'ed, renamed) for exec's "written after start" flag.
 * Rewrites an existing entry in place: no LRU allocation per log write.
 */
static __always_inline void mark_written(struct inode *inode)
{
	struct vgl_inode_key key = {};
	struct vgl_inode_write val = {};
	struct vgl_inode_write *w;

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_) != S_IFREG_)
		return;
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	val.when_ns = bpf_ktime_get_boot_ns() + boot_to_real_ns;
	val.pid = bpf_get_current_pid_tgid() >> 32;
	w = bpf_map_lookup_elem(&written_inodes, &key);
	if (w) {
		w->when_ns = val.when_ns;
		w->pid = val.pid;
		return;
	}
	bpf_map_update_elem(&written_inodes, &key, &val, BPF_ANY);
}

static __always_inline void body_inode(struct vgl_file *b, struct inode *inode)
{
	b->ino = BPF_CORE_READ(inode, i_ino);
	b->dev = BPF_CORE_READ(inode, i_sb, s_dev);
}

/* Which name of a call denotes the object whose inode we look up. */
enum { LOOKUP_NONE, LOOKUP_PATH, LOOKUP_PATH2 };

/* A non-open file call, as its handler decoded it. */
struct file_call {
	__u16 type;		/* VGL_EV_* */
	__u16 nr;		/* x86-64 syscall number */
	__u32 flags;		/* AT_* / RENAME_* as passed */
	__u32 mode;
	__u32 uid;
	__u32 gid;
	int fd;			/* object is this fd (f*() calls, empty path), else -1 */
	int dfd;		/* path is relative to this dirfd */
	int dfd2;
	__u64 length;
	const char *path;	/* user name of the object; NULL when it is fd */
	const char *path2;	/* second name, NULL when none */
	bool path2_raw;		/* path2 kept as given (symlink target) */
	bool nofollow;		/* a trailing symlink is the object itself */
	bool written;		/* success changes content or mode: mark the inode */
	__u8 lookup;		/* LOOKUP_*: which name to resolve on success */
};

static __always_inline void call_init(struct file_call *c, __u16 type, __u16 nr)
{
	__builtin_memset(c, 0, sizeof(*c));
	c->type = type;
	c->nr = nr;
	c->uid = (__u32)-1;
	c->gid = (__u32)-1;
	c->fd = -1;
	c->dfd = AT_FDCWD_;
	c->dfd2 = AT_FDCWD_;
}

/* The object of an *at() call is dfd itself when the name is empty and
 * AT_EMPTY_PATH is set, or (utimensat, futimesat) when the name is NULL. */
static __always_inline void call_at(struct file_call *c, int dfd, const char *path,
				    bool empty_ok, bool null_ok)
{
	char first = 1;

	c->dfd = dfd;
	c->path = path;
	if (!path && null_ok) {
		c->path = NULL;
		c->fd = dfd;
	} else if (path && empty_ok && !bpf_probe_read_user(&first, 1, path) && first == '\0') {
		c->path = NULL;
		c->fd = dfd;
	}
}

static __always_inline void call_fd(struct file_call *c, int fd)
{
	c->fd = fd;
	c->path = NULL;
}

static __always_inline int file_emit(struct trace_event_raw_sys_exit *ctx, struct file_call *c)
{
	struct task_struct *task = current_task();
	struct inode *inode = NULL;
	struct vgl_file *b;
	struct ev ev;

	if (is_self() || !ev_begin(&ev))
		return 0;
	ev_init(&ev, c->type, sizeof(*b))->ret = ctx->ret;
	b = ev_body(&ev);
	b->syscall = c->nr;
	b->flags = c->flags;
	b->mode = c->mode;
	b->uid = c->uid;
	b->gid = c->gid;
	b->fd = c->fd;
	b->length = c->length;

	if (c->path) {
		ev_put_user_path(&ev, c->dfd, c->path, &b->path_flags);
	} else {
		struct file *f = fd_file(task, c->fd);

		ev_put_file_path(&ev, f, &b->path_flags);
		if (f)
			inode = BPF_CORE_READ(f, f_inode);
	}
	if (!c->path2)
		ev_put_empty(&ev);
	else if (c->path2_raw)
		ev_put_ustr(&ev, c->path2, VGL_PATH_MAX);
	else
		ev_put_user_path(&ev, c->dfd2, c->path2, &b->path2_flags);

	if (ctx->ret == 0 && c->lookup == LOOKUP_PATH && c->path)
		inode = lookup_inode(&ev, c->dfd, c->path, c->nofollow);
	else if (ctx->ret == 0 && c->lookup == LOOKUP_PATH2 && c->path2)
		inode = lookup_inode(&ev, c->dfd2, c->path2, c->nofollow);
	if (inode) {
		body_inode(b, inode);
		if (ctx->ret == 0 && c->written)
			mark_written(inode);
	}
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

/* ---- the open filter (vigil_abi.h: struct vgl_open_filter) ---- */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vgl_open_filter);
} open_filters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vgl_open_filter_conf);
} open_filter_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct vgl_enf_path_key);
	__type(value, __u64);
} of_names SEC(".maps");

struct of_name_buf {
	char name[VGL_OF_NAME_SCAN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct of_name_buf);
} of_name_bufs SEC(".maps");

static __always_inline __u64 of_lookup(__u64 hash, __u32 len, __u32 kind)
{
	struct vgl_enf_path_key key = { .hash = hash, .len = len, .kind = kind };
	__u64 *bits = bpf_map_lookup_elem(&of_names, &key);

	return bits ? *bits : 0;
}

/* Set bits of a name (kernel memory): exact, and its prefixes of the
 * lengths some set holds when kind_prefix is given. */
static __always_inline __u64 of_name_bits(const void *name, __u32 kind, __u32 kind_prefix,
					   __u64 prefix_lens, __u32 gen)
{
	__u32 zero = 0;
	struct of_name_buf *nb = bpf_map_lookup_elem(&of_name_bufs, &zero);
	__u64 hash = VGL_FNV_OFFSET, f = 0;
	__u32 i;
	int n;

	if (!nb)
		return 0;
	n = bpf_probe_read_kernel_str(nb->name, sizeof(nb->name), name);
	if (n <= 1)
		return 0;
	for (i = 0; i < VGL_OF_NAME_SCAN - 1; i++) {
		if (i >= n - 1)
			break;
		hash = (hash ^ (__u8)nb->name[i]) * VGL_FNV_PRIME;
		if (kind_prefix && (prefix_lens & (1ULL << ((i + 1) & 63))))
			f |= of_lookup(hash, i + 1, kind_prefix | gen << 4);
	}
	/* a name longer than the scan equals no name in a set */
	if (i == n - 1)
		f |= of_lookup(hash, i, kind | gen << 4);
	return f;
}

/*
 * A dentry's name length and its Bloom key (vigil_abi.h: its first 8
 * bytes). Where names of up to 39 bytes are stored in the dentry itself
 * (d_shortname, 6.14+), plain loads; else two helper calls. False when it
 * could not be read.
 */
static __always_inline bool dentry_name_key(struct dentry *dentry, __u32 *len, __u64 *word)
{
	__u64 name;

	if (have_btf_cast() && bpf_core_field_exists(struct dentry, d_shortname)) {
		struct dentry *d = btf_cast(dentry, struct dentry);

		*len = d->d_name.len;
		name = (__u64)d->d_name.name;
		if (name == (__u64)dentry + bpf_core_field_offset(struct dentry, d_shortname)) {
			*word = d->d_shortname.words[0] & vgl_of_word_mask(*len);
			return true;
		}
	} else {
		*len = BPF_CORE_READ(dentry, d_name.len);
		name = (__u64)BPF_CORE_READ(dentry, d_name.name);
	}
	/* an inline name has room for 8 bytes; an external one is longer */
	if (bpf_probe_read_kernel(word, sizeof(*word), (void *)name))
		return false;
	*word &= vgl_of_word_mask(*len);
	return true;
}

/* The file's dentry, its parent, and whether that parent is not the
 * path's (the file is the root of its mount). Plain loads where allowed. */
static __always_inline struct dentry *file_dentry(struct file *f, struct dentry **parent,
						  bool *mount_root)
{
	struct dentry *d, *up;

	if (have_btf_cast()) {
		struct file *fb = btf_cast(f, struct file);

		d = fb->f_path.dentry;
		up = d->d_parent;
		*mount_root = up == d || up == fb->f_path.mnt->mnt_root;
	} else {
		d = BPF_CORE_READ(f, f_path.dentry);
		up = BPF_CORE_READ(d, d_parent);
		*mount_root = up == d || up == BPF_CORE_READ(f, f_path.mnt, mnt_root);
	}
	*parent = up;
	return d;
}

static __always_inline bool of_bloom(const struct vgl_open_filter *of, __u32 kind, __u32 len,
				     __u64 word)
{
	__u32 b = vgl_of_bloom_bit(kind, len, word & vgl_of_word_mask(len));

	return of->bloom[(b / 64) & (VGL_OF_BLOOM_BITS / 64 - 1)] & (1ULL << (b % 64));
}

/*
 * Whether the dentry's name could be in a set of kind (VGL_OF_NAME: also
 * by a prefix). Most names are in none: this answers without a helper
 * call, where hashing the name takes a string copy and a map lookup.
 */
static __always_inline bool of_maybe_named(const struct vgl_open_filter *of, struct dentry *d,
					   __u32 kind)
{
	__u32 len;
	__u64 w;

	if (!dentry_name_key(d, &len, &w) || of_bloom(of, kind, len, w))
		return true;
	if (kind != VGL_OF_NAME)
		return false;
	for (__u32 p = 1; p <= 8; p++)
		if ((of->prefix8_lens & (1ULL << p)) && len >= p &&
		    of_bloom(of, VGL_OF_NAME_PREFIX, p, w))
			return true;
	return false;
}

/*
 * Set bits of the directories above the file (its parent, theirs, ...),
 * crossing mounts, up to the task's root. *complete is false when the walk
 * stopped short: the bits are then unknown. Global: verified once.
 */
__noinline __u64 of_ancestor_bits(__u64 file_ptr, __u32 gen, bool *complete)
{
	struct file *f = (void *)file_ptr;
	struct task_struct *task = current_task();
	struct dentry *root_d = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *root_m = BPF_CORE_READ(task, fs, root.mnt);
	struct dentry *d;
	struct vfsmount *m;
	__u64 bits = 0;

	if (!f || !complete)
		return 0;
	*complete = false;
	d = BPF_CORE_READ(f, f_path.dentry);
	m = BPF_CORE_READ(f, f_path.mnt);
	for (int i = 0; i < VGL_OF_ANCESTORS * 2; i++) {
		if (d == root_d && m == root_m) {
			*complete = true;
			return bits;
		}
		if (d == BPF_CORE_READ(m, mnt_root)) {
			/* the root of a mount stands for its mountpoint in the parent */
			struct mount *mnt = real_mount_of(m);
			struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

			if (parent == mnt) {
				*complete = true;	/* the top of the mount tree */
				return bits;
			}
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			m = (void *)parent + bpf_core_field_offset(struct mount, mnt);
			/* the mountpoint is a directory the file is in, by its own name */
			if (!(d == root_d && m == root_m) && d != BPF_CORE_READ(m, mnt_root))
				bits |= of_name_bits(BPF_CORE_READ(d, d_name.name), VGL_OF_ANCESTOR,
						     0, 0, gen);
			continue;
		}
		struct dentry *up = BPF_CORE_READ(d, d_parent);

		if (up == d)
			return bits;	/* unattached */
		d = up;
		if ((d == root_d && m == root_m) || d == BPF_CORE_READ(m, mnt_root))
			continue;	/* named by what is above it, if anything */
		bits |= of_name_bits(BPF_CORE_READ(d, d_name.name), VGL_OF_ANCESTOR, 0, 0, gen);
	}
	return bits;
}

/* Some term matches facts, the unknown ones counting either way. */
static __always_inline bool of_match(const struct vgl_open_filter *of, __u64 facts, __u64 known)
{
	for (__u32 i = 0; i < VGL_OF_TERMS_MAX; i++) {
		if (i >= of->nterms)
			break;
		const struct vgl_enf_term *t = &of->terms[i];

		if (!(t->must & ~facts & known) && !(t->must_not & facts))
			return true;
	}
	return false;
}

/*
 * Whether the loaded rules could match this open. A term matches when its
 * must facts hold (or cannot be known) and none of its must_not facts do.
 * The directories above the file cost a walk: they are looked at only when
 * a term would match if they were right.
 */
static __always_inline bool open_wanted(struct task_struct *task /* BTF */, struct file *f,
					__u32 flags, long ret)
{
	__u32 zero = 0, gen;
	struct vgl_open_filter_conf *conf = bpf_map_lookup_elem(&open_filter_conf, &zero);
	struct vgl_open_filter *of;
	__u64 facts = 0, known = ~0ULL, names;

	if (!conf || !conf->on)
		return true;
	gen = conf->live & 1;
	of = bpf_map_lookup_elem(&open_filters, &gen);
	if (!of || of->all)
		return true;
	/* exactly as userspace's fd.is_write and fd.is_create */
	bool tmpfile = (flags & (O_TMPFILE_ | O_DIRECTORY__)) == (O_TMPFILE_ | O_DIRECTORY__);

	if ((flags & 3) || (flags & (O_CREAT_ | O_TRUNC_)) || tmpfile)
		facts |= 1ULL << VGL_OF_WRITE;
	if ((flags & O_CREAT_) || tmpfile)
		facts |= 1ULL << VGL_OF_CREATE;
	if (flags & O_TRUNC_)
		facts |= 1ULL << VGL_OF_TRUNC;
	if (ret < 0)
		facts |= 1ULL << VGL_OF_FAILED;
	if (of->uses_chroot) {
		/* trusted pointers: plain loads, no helper call per field */
		struct inode *root = task->fs->root.dentry->d_inode;

		if (!root || root->i_ino != of->root_ino || root->i_sb->s_dev != of->root_dev)
			facts |= 1ULL << VGL_OF_CHROOTED;
	}
	/* 1: the flags alone, one lookup (most writes and creates end here) */
	if (!(of->fixed_ok & (1U << (facts & 31))))
		return false;
	names = of->name_bits | of->parent_bits | of->comm_bits | of->ancestor_bits;
	if (!f) {
		known &= ~names;	/* a failed open has no file to name */
		return of_match(of, facts, known);
	}
	/* 2: the file's own name (most reads end here) */
	struct dentry *parent;
	bool mount_root;
	struct dentry *d = file_dentry(f, &parent, &mount_root);

	if (of->name_bits && of_maybe_named(of, d, VGL_OF_NAME))
		facts |= of_name_bits(BPF_CORE_READ(d, d_name.name), VGL_OF_NAME,
				      VGL_OF_NAME_PREFIX, of->prefix_lens, gen);
	/* a name in no set (the common case): one lookup instead of the terms */
	if (!(facts & of->name_bits)) {
		if (!(of->ok_unnamed & (1U << (facts & 31))))
			return false;
	} else if (!of_match(of, facts, known & ~(names & ~of->name_bits))) {
		return false;
	}
	/* 3: its directory and the opener */
	if (of->parent_bits) {
		/* at a mount's root the dentry's parent is not the path's */
		if (mount_root)
			known &= ~of->parent_bits;
		else if (of_maybe_named(of, parent, VGL_OF_PARENT))
			facts |= of_name_bits(BPF_CORE_READ(parent, d_name.name), VGL_OF_PARENT,
					      0, 0, gen);
	}
	if (!(facts & (of->name_bits | of->parent_bits)) && (known & of->parent_bits) &&
	    !(of->ok_unplaced & (1U << (facts & 31))))
		return false;
	if (of->comm_bits)
		facts |= of_name_bits(task->comm, VGL_OF_COMM, 0, 0, gen);
	if (!of->ancestor_bits)
		return of_match(of, facts, known);
	if (!of_match(of, facts, known & ~of->ancestor_bits))
		return false;
	/* a term that needs no ancestor matches: no walk */
	if (of_match(of, facts & ~of->ancestor_bits, known))
		return true;
	/* 4: the directories above it, a walk */
	bool complete = false;

	facts |= of_ancestor_bits((__u64)f, gen, &complete);
	if (!complete)
		known &= ~of->ancestor_bits;
	return of_match(of, facts, known);
}

/*
 * open, openat, openat2, creat. A successful open is named from the file
 * the returned fd points to (symlinks and ".." resolved, no TOCTOU on the
 * user string); a failed one by its argument.
 */
/*
 * The arguments of an open call, read from the registers only for the
 * opens the filter lets through (each read is a helper call): dfd_arg and
 * mode_arg are argument numbers, or -1 for AT_FDCWD and for mode_val.
 */
struct open_args {
	struct task_struct *task;	/* current, a BTF pointer */
	struct pt_regs *regs;
	int dfd_arg, path_arg, mode_arg;
	__u32 mode_val;
};

static __always_inline int open_emit(struct trace_event_raw_sys_exit *ctx, __u16 nr,
				     const struct open_args *a, __u32 flags)
{
	struct task_struct *task = a->task;
	bool creating = flags & (O_CREAT_ | O_TMPFILE_);
	long ret = ctx->ret;
	struct file *f = NULL;
	struct vgl_file *b;
	struct ev ev;

	if (task->tgid == self_tgid)
		return 0;
	if (ret >= 0) {
		struct fdtable *fdt = task->files->fdt;

		if ((unsigned int)ret < fdt->max_fds)
			f = fdt->fd[ret & 0xfffff];
	}
	/* drift needs every write marked, whether the rules want the event or not */
	if (f && (flags & (O_WRONLY_ | O_RDWR_ | O_CREAT_ | O_TRUNC_ | O_TMPFILE_)))
		mark_written(BPF_CORE_READ(f, f_inode));
	if (!open_wanted(task, f, flags, ret)) {
		count(VGL_CNT_FILTERED);
		return 0;
	}
	if (!ev_begin(&ev))
		return 0;
	int dfd = a->dfd_arg < 0 ? AT_FDCWD_ : (int)cur_sys_arg(a->regs, a->dfd_arg);
	const char *upath = (const char *)cur_sys_arg(a->regs, a->path_arg);
	__u32 mode = a->mode_arg < 0 ? a->mode_val : cur_sys_arg(a->regs, a->mode_arg);

	ev_init(&ev, VGL_EV_OPEN, sizeof(*b))->ret = ret;
	b = ev_body(&ev);
	b->syscall = nr;
	b->flags = flags;
	b->mode = creating ? mode & 07777 : 0;
	b->uid = (__u32)-1;
	b->gid = (__u32)-1;
	b->fd = ret >= 0 ? ret : -1;
	if (f) {
		struct inode *inode = BPF_CORE_READ(f, f_inode);

		body_inode(b, inode);
		if (!creating)	/* has S_IFMT bits: tells output it is the inode's */
			b->mode = BPF_CORE_READ(inode, i_mode);
		ev_put_file_path(&ev, f, &b->path_flags);
	} else {
		/* failed, or the fd was closed by another thread already */
		ev_put_user_path(&ev, dfd, upath, &b->path_flags);
	}
	ev_put_empty(&ev);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int vgl_sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct open_args a = { t, task_regs(t), -1, 0, 2, 0 };

	return open_emit(ctx, NR_open, &a, cur_sys_arg(a.regs, 1));
}

SEC("tracepoint/syscalls/sys_exit_openat")
int vgl_sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct open_args a = { t, task_regs(t), 0, 1, 3, 0 };

	return open_emit(ctx, NR_openat, &a, cur_sys_arg(a.regs, 2));
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int vgl_sys_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct open_args a = { t, task_regs(t), 0, 1, -1, 0 };
	struct open_how how = {};

	/* flags and mode lead every version of struct open_how */
	bpf_probe_read_user(&how, 2 * sizeof(__u64), (void *)cur_sys_arg(a.regs, 2));
	a.mode_val = how.mode;
	return open_emit(ctx, NR_openat2, &a, how.flags);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int vgl_sys_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct open_args a = { t, task_regs(t), -1, 0, 1, 0 };

	return open_emit(ctx, NR_creat, &a, O_CREAT_ | O_WRONLY_ | O_TRUNC_);
}

/* ---- unlink: the object is gone at exit, only its name remains ---- */

SEC("tracepoint/syscalls/sys_exit_unlink")
int vgl_sys_exit_unlink(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_UNLINK, NR_unlink);
	c.path = (const char *)sys_arg(regs, 0);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_unlinkat")
int vgl_sys_exit_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_UNLINK, NR_unlinkat);
	c.dfd = sys_arg(regs, 0);
	c.path = (const char *)sys_arg(regs, 1);
	c.flags = sys_arg(regs, 2);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_rmdir")
int vgl_sys_exit_rmdir(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_UNLINK, NR_rmdir);
	c.path = (const char *)sys_arg(regs, 0);
	return file_emit(ctx, &c);
}

/* ---- rename: path = old name, path2 = new name (the inode is there now) ---- */

static __always_inline int rename_emit(struct trace_event_raw_sys_exit *ctx, __u16 nr,
				       int odfd, const char *old, int ndfd, const char *new,
				       __u32 flags)
{
	struct file_call c;

	call_init(&c, VGL_EV_RENAME, nr);
	c.dfd = odfd;
	c.path = old;
	c.dfd2 = ndfd;
	c.path2 = new;
	c.flags = flags;
	c.lookup = LOOKUP_PATH2;
	c.nofollow = true;
	c.written = true;	/* a file moved into place, e.g. onto $PATH */
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_rename")
int vgl_sys_exit_rename(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return rename_emit(ctx, NR_rename, AT_FDCWD_, (const char *)sys_arg(regs, 0),
			   AT_FDCWD_, (const char *)sys_arg(regs, 1), 0);
}

SEC("tracepoint/syscalls/sys_exit_renameat")
int vgl_sys_exit_renameat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return rename_emit(ctx, NR_renameat, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
			   sys_arg(regs, 2), (const char *)sys_arg(regs, 3), 0);
}

SEC("tracepoint/syscalls/sys_exit_renameat2")
int vgl_sys_exit_renameat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return rename_emit(ctx, NR_renameat2, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
			   sys_arg(regs, 2), (const char *)sys_arg(regs, 3), sys_arg(regs, 4));
}

/* ---- link: path = existing name (or fd with AT_EMPTY_PATH), path2 = new ---- */

SEC("tracepoint/syscalls/sys_exit_link")
int vgl_sys_exit_link(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_LINK, NR_link);
	c.path = (const char *)sys_arg(regs, 0);
	c.path2 = (const char *)sys_arg(regs, 1);
	c.lookup = LOOKUP_PATH2;
	c.nofollow = true;
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_linkat")
int vgl_sys_exit_linkat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_LINK, NR_linkat);
	c.flags = sys_arg(regs, 4);
	/* linkat(fd, "", ..., AT_EMPTY_PATH) gives an O_TMPFILE file a name */
	call_at(&c, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
		c.flags & AT_EMPTY_PATH_, false);
	c.dfd2 = sys_arg(regs, 2);
	c.path2 = (const char *)sys_arg(regs, 3);
	c.lookup = LOOKUP_PATH2;
	c.nofollow = true;
	return file_emit(ctx, &c);
}

/* ---- symlink: path = the new link, path2 = its target as given ---- */

SEC("tracepoint/syscalls/sys_exit_symlink")
int vgl_sys_exit_symlink(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_SYMLINK, NR_symlink);
	c.path = (const char *)sys_arg(regs, 1);
	c.path2 = (const char *)sys_arg(regs, 0);
	c.path2_raw = true;
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_symlinkat")
int vgl_sys_exit_symlinkat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_SYMLINK, NR_symlinkat);
	c.dfd = sys_arg(regs, 1);
	c.path = (const char *)sys_arg(regs, 2);
	c.path2 = (const char *)sys_arg(regs, 0);
	c.path2_raw = true;
	return file_emit(ctx, &c);
}

/* ---- chmod: `chmod +x` of a dropped file marks it written ---- */

static __always_inline void chmod_init(struct file_call *c, __u16 nr, __u32 mode)
{
	call_init(c, VGL_EV_CHMOD, nr);
	c->mode = mode & 07777;
	c->lookup = LOOKUP_PATH;
	c->written = true;
}

SEC("tracepoint/syscalls/sys_exit_chmod")
int vgl_sys_exit_chmod(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chmod_init(&c, NR_chmod, sys_arg(regs, 1));
	c.path = (const char *)sys_arg(regs, 0);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_fchmod")
int vgl_sys_exit_fchmod(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chmod_init(&c, NR_fchmod, sys_arg(regs, 1));
	call_fd(&c, sys_arg(regs, 0));
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_fchmodat")
int vgl_sys_exit_fchmodat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chmod_init(&c, NR_fchmodat, sys_arg(regs, 2));
	call_at(&c, sys_arg(regs, 0), (const char *)sys_arg(regs, 1), false, false);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_fchmodat2")
int vgl_sys_exit_fchmodat2(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chmod_init(&c, NR_fchmodat2, sys_arg(regs, 2));
	c.flags = sys_arg(regs, 3);
	c.nofollow = c.flags & AT_SYMLINK_NOFOLLOW_;
	call_at(&c, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
		c.flags & AT_EMPTY_PATH_, false);
	return file_emit(ctx, &c);
}

/* ---- chown ---- */

static __always_inline void chown_init(struct file_call *c, __u16 nr, __u32 uid, __u32 gid)
{
	call_init(c, VGL_EV_CHOWN, nr);
	c->uid = uid;
	c->gid = gid;
	c->lookup = LOOKUP_PATH;
}

SEC("tracepoint/syscalls/sys_exit_chown")
int vgl_sys_exit_chown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chown_init(&c, NR_chown, sys_arg(regs, 1), sys_arg(regs, 2));
	c.path = (const char *)sys_arg(regs, 0);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_lchown")
int vgl_sys_exit_lchown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chown_init(&c, NR_lchown, sys_arg(regs, 1), sys_arg(regs, 2));
	c.path = (const char *)sys_arg(regs, 0);
	c.nofollow = true;
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_fchown")
int vgl_sys_exit_fchown(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chown_init(&c, NR_fchown, sys_arg(regs, 1), sys_arg(regs, 2));
	call_fd(&c, sys_arg(regs, 0));
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_fchownat")
int vgl_sys_exit_fchownat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	chown_init(&c, NR_fchownat, sys_arg(regs, 2), sys_arg(regs, 3));
	c.flags = sys_arg(regs, 4);
	c.nofollow = c.flags & AT_SYMLINK_NOFOLLOW_;
	call_at(&c, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
		c.flags & AT_EMPTY_PATH_, false);
	return file_emit(ctx, &c);
}

/* ---- truncate: a content change, marks the inode written ---- */

SEC("tracepoint/syscalls/sys_exit_truncate")
int vgl_sys_exit_truncate(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_TRUNCATE, NR_truncate);
	c.path = (const char *)sys_arg(regs, 0);
	c.length = sys_arg(regs, 1);
	c.lookup = LOOKUP_PATH;
	c.written = true;
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_ftruncate")
int vgl_sys_exit_ftruncate(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();
	struct file_call c;

	call_init(&c, VGL_EV_TRUNCATE, NR_ftruncate);
	call_fd(&c, sys_arg(regs, 0));
	c.length = sys_arg(regs, 1);
	c.written = true;
	return file_emit(ctx, &c);
}

/* ---- utimes: timestamps set by hand (timestomping) ---- */

#define UTIME_NOW_		((1L << 30) - 1L)
#define UTIME_OMIT_		((1L << 30) - 2L)

/* How each call passes the times: utimensat struct timespec[2], utimes and
 * futimesat struct timeval[2], utime struct utimbuf { actime, modtime }. */
enum { TIMES_TIMESPEC, TIMES_TIMEVAL, TIMES_UTIMBUF };

/*
 * The mtime a call asks for, in realtime seconds, or 0 for "now" (NULL
 * times, UTIME_NOW) and for "leave it" (UTIME_OMIT). x86-64 layouts: all
 * three are 16 bytes per entry with the seconds first, utimbuf has no
 * fraction and its mtime is the second word.
 */
static __always_inline __u64 utimes_mtime(const void *times, int kind)
{
	__s64 t[4] = {};

	if (!times)
		return 0;
	if (kind == TIMES_UTIMBUF) {
		bpf_probe_read_user(t, 2 * sizeof(t[0]), times);
		return t[1];
	}
	bpf_probe_read_user(t, sizeof(t), times);
	if (kind == TIMES_TIMESPEC && (t[3] == UTIME_NOW_ || t[3] == UTIME_OMIT_))
		return 0;
	return t[2];
}

static __always_inline int utimes_emit(struct trace_event_raw_sys_exit *ctx, __u16 nr, int dfd,
				       const char *path, const void *times, int kind, __u32 flags)
{
	struct file_call c;

	call_init(&c, VGL_EV_UTIMES, nr);
	c.flags = flags;
	c.length = utimes_mtime(times, kind);
	c.nofollow = flags & AT_SYMLINK_NOFOLLOW_;
	c.lookup = LOOKUP_PATH;
	/* utimensat(fd, NULL, ...) is how futimens() and touch set an fd */
	call_at(&c, dfd, path, flags & AT_EMPTY_PATH_, nr == NR_utimensat || nr == NR_futimesat);
	return file_emit(ctx, &c);
}

SEC("tracepoint/syscalls/sys_exit_utimensat")
int vgl_sys_exit_utimensat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return utimes_emit(ctx, NR_utimensat, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
			   (const void *)sys_arg(regs, 2), TIMES_TIMESPEC, sys_arg(regs, 3));
}

SEC("tracepoint/syscalls/sys_exit_futimesat")
int vgl_sys_exit_futimesat(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return utimes_emit(ctx, NR_futimesat, sys_arg(regs, 0), (const char *)sys_arg(regs, 1),
			   (const void *)sys_arg(regs, 2), TIMES_TIMEVAL, 0);
}

SEC("tracepoint/syscalls/sys_exit_utimes")
int vgl_sys_exit_utimes(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return utimes_emit(ctx, NR_utimes, AT_FDCWD_, (const char *)sys_arg(regs, 0),
			   (const void *)sys_arg(regs, 1), TIMES_TIMEVAL, 0);
}

SEC("tracepoint/syscalls/sys_exit_utime")
int vgl_sys_exit_utime(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *regs = current_regs();

	return utimes_emit(ctx, NR_utime, AT_FDCWD_, (const char *)sys_arg(regs, 0),
			   (const void *)sys_arg(regs, 1), TIMES_UTIMBUF, 0);
}
