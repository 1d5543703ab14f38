/* SPDX-License-Identifier: GPL-2.0 */
/*
 * path.bpf.h - absolute paths from kernel objects.
 *
 * bpf_d_path() is only allowed in fentry/LSM programs, which this design
 * cannot rely on, so we walk dentry->d_parent ourselves, crossing mount
 * points through struct mount, up to the task's root (so a container
 * process sees "/bin/sh", not the host path of its rootfs). The walk is
 * bounded by VGL_PATH_DEPTH and says so when it stops early.
 *
 * All verifier bounds tricks for paths live here.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "common.bpf.h"

#define PATH_IDX(x)	((x) & (VGL_PATH_MAX - 1))
#define EV_IDX(x)	((x) & (VGL_EVENT_MAX - 1))
#define AT_FDCWD_	-100

static __always_inline struct mount *real_mount_of(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/*
 * One step up from the cursor in pb: cross to the parent mount at a mount
 * root, else prepend one component. Returns false when the walk is done:
 * at the task's root (the normal end), at the top of the mount tree
 * (VGL_PATH_F_OUTSIDE_ROOT), or at an unattached object (memfd, pipe,
 * socket: its dentry is its own parent, which is not "outside").
 */
static __always_inline bool path_step(struct path_buf *pb, struct dentry *root_dentry,
				      struct vfsmount *root_mnt)
{
	struct dentry *dentry = (void *)pb->dentry;
	struct vfsmount *vfsmnt = (void *)pb->vfsmnt;
	struct mount *mnt = real_mount_of(vfsmnt);
	__u32 pos = pb->pos;

	if (dentry == root_dentry && vfsmnt == root_mnt)
		return false;
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

		/* The top of the mount tree without meeting the task's root:
		 * the object is outside it (a container reaching the host
		 * through /proc/<pid>/root, a file of another mount
		 * namespace, an fd kept across chroot, a detached mount). */
		if (parent == mnt) {
			pb->flags |= VGL_PATH_F_OUTSIDE_ROOT;
			return false;
		}
		pb->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		pb->vfsmnt = (__u64)parent + bpf_core_field_offset(struct mount, mnt);
		return true;
	}

	struct dentry *parent_dentry = BPF_CORE_READ(dentry, d_parent);
	__u32 len = BPF_CORE_READ(dentry, d_name.len);
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);

	if (len > 255)
		len = 255;
	if (pos > VGL_PATH_MAX || pos < len + 1) {
		pb->flags |= VGL_PATH_F_TRUNC;
		return false;
	}
	pos -= len;
	bpf_probe_read_kernel(pb->data + PATH_IDX(pos), len & 255, name);
	pos -= 1;
	pb->data[PATH_IDX(pos)] = '/';
	pb->pos = pos;
	pb->dentry = (__u64)parent_dentry;
	/* an unattached object (memfd, anon inode) is its own parent */
	return parent_dentry != dentry;
}

/*
 * Build the path of (dentry, vfsmnt) at the end of the path buffer of the
 * given scratch slot, up to the current task's root. Global (verified once,
 * not per caller). Returns 0, or -1 if there is no buffer.
 */
__weak __noinline int path_walk(__u32 slot, __u64 dentry, __u64 vfsmnt)
{
	struct task_struct *task = current_task();
	struct dentry *root_dentry = BPF_CORE_READ(task, fs, root.dentry);
	struct vfsmount *root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	struct path_buf *pb = bpf_map_lookup_elem(&path_bufs, &slot);
	bool more = true;

	if (!pb)
		return -1;
	pb->dentry = dentry;
	pb->vfsmnt = vfsmnt;
	pb->pos = VGL_PATH_MAX;
	pb->flags = 0;
	for (int i = 0; i < VGL_PATH_DEPTH && more; i++)
		more = path_step(pb, root_dentry, root_mnt);
	if (more) {
		pb->flags |= VGL_PATH_F_TRUNC;
		count(VGL_CNT_PATH_TRUNC);
	}
	if (!root_dentry)	/* no fs (exiting task): nothing to be outside of */
		pb->flags &= ~VGL_PATH_F_OUTSIDE_ROOT;
	if (pb->pos >= VGL_PATH_MAX) {	/* the root itself */
		pb->pos = VGL_PATH_MAX - 1;
		pb->data[VGL_PATH_MAX - 1] = '/';
	}
	return 0;
}

/* Walk (dentry, vfsmnt) into ev's path buffer; returns the start index. */
static __always_inline __u32 path_build(struct ev *ev, struct dentry *dentry,
					struct vfsmount *vfsmnt, __u8 *pflags)
{
	struct path_buf *pb = ev->pbuf;

	if (path_walk(ev->slot, (__u64)dentry, (__u64)vfsmnt))
		return VGL_PATH_MAX;
	*pflags |= pb->flags;
	return pb->pos;
}

/* Copy pbuf[pos, VGL_PATH_MAX) into the open string at ev->off. Returns
 * the bytes copied. */
static __always_inline __u32 path_copy_out(struct ev *ev, __u32 pos, __u32 at)
{
	__u32 len = VGL_PATH_MAX - PATH_IDX(pos);
	__u32 room;

	if (pos >= VGL_PATH_MAX)
		return 0;
	room = ev_room(ev, at + len);
	if (room <= at)
		return 0;
	len = room - at;
	bpf_probe_read_kernel(ev_at(ev, EV_IDX(ev->off) + 2 + EV_IDX(at)),
			      len & (VGL_PATH_MAX - 1) ? len & (VGL_PATH_MAX - 1) : 1,
			      ((struct path_buf *)ev->pbuf)->data + PATH_IDX(pos));
	return len;
}

/* Append the absolute path of a struct path as a string. */
static __always_inline void ev_put_path(struct ev *ev, const struct path *p, __u8 *pflags)
{
	struct dentry *d = BPF_CORE_READ(p, dentry);
	struct vfsmount *m = BPF_CORE_READ(p, mnt);
	__u32 pos;

	if (!d || !m) {
		ev_put_empty(ev);
		return;
	}
	pos = path_build(ev, d, m, pflags);
	ev_commit_str(ev, path_copy_out(ev, pos, 0));
}

static __always_inline void ev_put_file_path(struct ev *ev, struct file *f, __u8 *pflags)
{
	if (!f) {
		ev_put_empty(ev);
		return;
	}
	if (BPF_CORE_READ(f, f_inode, __i_nlink) == 0)
		*pflags |= VGL_PATH_F_DELETED;
	ev_put_path(ev, &f->f_path, pflags);
}

/*
 * The directory a relative name of an *at() call starts from: the cwd for
 * AT_FDCWD, else the file behind dfd. False when dfd is not open.
 */
static __always_inline bool dfd_base(struct task_struct *task, int dfd, struct dentry **d,
				     struct vfsmount **m)
{
	if (dfd == AT_FDCWD_) {
		*d = BPF_CORE_READ(task, fs, pwd.dentry);
		*m = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = fd_file(task, dfd);

		*d = f ? BPF_CORE_READ(f, f_path.dentry) : NULL;
		*m = f ? BPF_CORE_READ(f, f_path.mnt) : NULL;
	}
	return *d && *m;
}

/*
 * Append the path named by (dfd, name): absolute names as given, relative
 * ones joined to the path of dfd or of the cwd. Used when there is no
 * kernel object to resolve (the call failed, or the object is gone, as
 * after unlink). name is user memory when from_user, else kernel memory.
 * Marks the path VGL_PATH_F_USER.
 */
static __always_inline void ev_put_named_path(struct ev *ev, int dfd, const char *upath,
					      bool from_user, __u8 *pflags)
{
	struct task_struct *task = current_task();
	char first = 0;
	__u32 at = 0, pos;
	long n;

	*pflags |= VGL_PATH_F_USER;
	if (from_user)
		bpf_probe_read_user(&first, 1, upath);
	else
		bpf_probe_read_kernel(&first, 1, upath);
	if (first != '/') {
		struct dentry *d;
		struct vfsmount *m;

		if (dfd_base(task, dfd, &d, &m)) {
			pos = path_build(ev, d, m, pflags);
			at = path_copy_out(ev, pos, 0);
			if (at > 1) {	/* "/" alone needs no separator */
				*ev_at(ev, EV_IDX(ev->off) + 2 + EV_IDX(at)) = '/';
				at += 1;
			}
		}
	}
	at = EV_IDX(at);
	n = 0;
	__u32 room = ev_room(ev, at + VGL_PATH_MAX);
	if (room > at + 1) {
		void *dst = ev_at(ev, EV_IDX(ev->off) + 2 + at);
		__u32 max = room - at;

		if (max > VGL_PATH_MAX - 1)
			max = VGL_PATH_MAX - 1;
		barrier_var(max);	/* keep the mask on the register passed below */
		max &= VGL_PATH_MAX - 1;

		n = from_user ? bpf_probe_read_user_str(dst, max, upath)
			      : bpf_probe_read_kernel_str(dst, max, upath);
	}
	ev_commit_str(ev, at + (n > 0 ? n - 1 : 0));
}

static __always_inline void ev_put_user_path(struct ev *ev, int dfd, const char *upath,
					     __u8 *pflags)
{
	ev_put_named_path(ev, dfd, upath, true, pflags);
}

#endif /* VIGIL_PATH_BPF_H */
