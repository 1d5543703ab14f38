// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.bpf.c - cgroup v2 creation and removal, for container lifecycle.
 *
 * Runtimes create a container's cgroup before its first process runs and the
 * kernel removes it only once the last one is gone, so these two rare
 * tracepoints bound a container's life without a hook on any hot path.
 * Creation also lets userspace start reading the container's metadata
 * before the container's first exec. tp_btf: the cgroup itself is an
 * argument, so its id needs no lookup.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Hierarchy id of the cgroup v2 (default) hierarchy; v1 ones count from 1. */
#define DFL_HIERARCHY_ID	0

static __always_inline int emit_cgroup(struct cgroup *cgrp, const char *path, __u8 op)
{
	struct vgl_cgroup *c;
	struct ev ev;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != DFL_HIERARCHY_ID)
		return 0;
	if (!ev_begin(&ev))
		return 0;
	ev_init(&ev, VGL_EV_CGROUP, sizeof(*c));
	c = ev_body(&ev);
	c->id = BPF_CORE_READ(cgrp, kn, id);
	c->level = BPF_CORE_READ(cgrp, level);
	c->op = op;
	ev_put_kstr(&ev, path, VGL_PATH_MAX);
	ev_submit(&ev);
	ev_end(&ev);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(vgl_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(cgrp, path, VGL_CGROUP_MKDIR);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(vgl_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	return emit_cgroup(cgrp, path, VGL_CGROUP_RMDIR);
}
