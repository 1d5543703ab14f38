// SPDX-License-Identifier: GPL-2.0
/* event_table.c - see event_table.h. Adding an event type: one line here,
 * one enum entry in vigil_abi.h, a program in src/bpf/, a formatter. */
#include <errno.h>
#include <string.h>
#include "sensor/event_table.h"

#define BODY(t) sizeof(struct t)

static const struct event_type_info event_types[VGL_EV_MAX] = {
	[VGL_EV_EXEC] = { "exec", "process", BODY(vgl_exec), 6, true,
		{ "vgl_sched_exec", "vgl_sys_exit_execve", "vgl_sys_exit_execveat" } },
	[VGL_EV_FORK] = { "fork", "process", BODY(vgl_fork), 0, true, { "vgl_sched_fork" } },
	[VGL_EV_EXIT] = { "exit", "process", BODY(vgl_exit), 0, true, { "vgl_sched_exit" } },

	[VGL_EV_OPEN] = { "open", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_open", "vgl_sys_exit_openat", "vgl_sys_exit_openat2",
		  "vgl_sys_exit_creat" } },
	[VGL_EV_UNLINK] = { "unlink", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_unlink", "vgl_sys_exit_unlinkat", "vgl_sys_exit_rmdir" } },
	[VGL_EV_RENAME] = { "rename", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_rename", "vgl_sys_exit_renameat", "vgl_sys_exit_renameat2" } },
	[VGL_EV_LINK] = { "link", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_link", "vgl_sys_exit_linkat" } },
	[VGL_EV_SYMLINK] = { "symlink", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_symlink", "vgl_sys_exit_symlinkat" } },
	[VGL_EV_CHMOD] = { "chmod", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_chmod", "vgl_sys_exit_fchmod", "vgl_sys_exit_fchmodat",
		  "vgl_sys_exit_fchmodat2" } },
	[VGL_EV_CHOWN] = { "chown", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_chown", "vgl_sys_exit_lchown", "vgl_sys_exit_fchown",
		  "vgl_sys_exit_fchownat" } },
	[VGL_EV_TRUNCATE] = { "truncate", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_truncate", "vgl_sys_exit_ftruncate" } },
	[VGL_EV_UTIMES] = { "utimes", "file", BODY(vgl_file), 2, false,
		{ "vgl_sys_exit_utimensat", "vgl_sys_exit_utimes", "vgl_sys_exit_utime",
		  "vgl_sys_exit_futimesat" } },

	[VGL_EV_MEMFD_CREATE] = { "memfd_create", "memory", BODY(vgl_mem), 1, false,
		{ "vgl_sys_exit_memfd_create" } },
	[VGL_EV_MMAP_EXEC] = { "mmap_exec", "memory", BODY(vgl_mem), 1, false,
		{ "vgl_sys_exit_mmap", "vgl_sys_enter_mprotect", "vgl_sys_enter_pkey_mprotect" } },

	[VGL_EV_SOCKET] = { "socket", "network", BODY(vgl_net), 1, false,
		{ "vgl_sys_exit_socket" } },
	[VGL_EV_CONNECT] = { "connect", "network", BODY(vgl_net), 1, false,
		{ "vgl_sys_exit_connect" } },
	[VGL_EV_ACCEPT] = { "accept", "network", BODY(vgl_net), 1, false,
		{ "vgl_sys_exit_accept", "vgl_sys_exit_accept4" } },
	[VGL_EV_BIND] = { "bind", "network", BODY(vgl_net), 1, false, { "vgl_sys_exit_bind" } },
	[VGL_EV_LISTEN] = { "listen", "network", BODY(vgl_net), 1, false,
		{ "vgl_sys_exit_listen" } },

	[VGL_EV_SETUID] = { "setuid", "privilege", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_setuid", "vgl_sys_exit_setgid", "vgl_sys_exit_setreuid",
		  "vgl_sys_exit_setregid", "vgl_sys_exit_setresuid", "vgl_sys_exit_setresgid",
		  "vgl_sys_exit_setfsuid", "vgl_sys_exit_setfsgid" } },
	[VGL_EV_CAPSET] = { "capset", "privilege", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_capset" } },
	[VGL_EV_PTRACE] = { "ptrace", "privilege", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_ptrace" } },
	[VGL_EV_PROCESS_VM_WRITEV] = { "process_vm_writev", "privilege", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_process_vm_writev" } },
	[VGL_EV_MODULE] = { "module", "kernel", BODY(vgl_syscall), 2, false,
		{ "vgl_sys_exit_init_module", "vgl_sys_exit_finit_module",
		  "vgl_sys_exit_delete_module" }, .fallback = true },
	[VGL_EV_BPF] = { "bpf", "kernel", BODY(vgl_syscall), 1, false, { "vgl_sys_exit_bpf" } },
	[VGL_EV_MOUNT] = { "mount", "kernel", BODY(vgl_syscall), 3, false,
		{ "vgl_sys_exit_mount" } },
	[VGL_EV_UMOUNT] = { "umount", "kernel", BODY(vgl_syscall), 1, false,
		{ "vgl_sys_exit_umount" } },
	[VGL_EV_UNSHARE] = { "unshare", "privilege", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_unshare" } },
	[VGL_EV_SETNS] = { "setns", "privilege", BODY(vgl_syscall), 1, false,
		{ "vgl_sys_exit_setns" } },
	[VGL_EV_KEXEC_LOAD] = { "kexec_load", "kernel", BODY(vgl_syscall), 2, false,
		{ "vgl_sys_exit_kexec_load", "vgl_sys_exit_kexec_file_load" }, .fallback = true },
	[VGL_EV_PRCTL] = { "prctl", "privilege", BODY(vgl_syscall), 1, false,
		{ "vgl_sys_exit_prctl" } },
	[VGL_EV_SETXATTR] = { "setxattr", "privilege", BODY(vgl_syscall), 2, false,
		{ "vgl_sys_exit_setxattr", "vgl_sys_exit_lsetxattr", "vgl_sys_exit_fsetxattr",
		  "vgl_sys_exit_setxattrat" } },
	[VGL_EV_IO_URING_SETUP] = { "io_uring_setup", "kernel", BODY(vgl_syscall), 0, false,
		{ "vgl_sys_exit_io_uring_setup" } },

	/* always on: it keeps the container cache current (lifecycle, metadata) */
	[VGL_EV_CGROUP] = { "cgroup", "container", BODY(vgl_cgroup), 1, true,
		{ "vgl_cgroup_mkdir", "vgl_cgroup_rmdir" } },
	[VGL_EV_CONTAINER_START] = { "container_start", "container", BODY(vgl_container), 0,
		false, { NULL }, .userspace = true },
	[VGL_EV_CONTAINER_EXIT] = { "container_exit", "container", BODY(vgl_container), 0,
		false, { NULL }, .userspace = true },
	/* the integrity scanner's findings (src/scan/) */
	[VGL_EV_SCAN_FINDING] = { "scan_finding", "integrity", BODY(vgl_scan), 3, false,
		{ NULL }, .userspace = true },
};

const struct event_type_info *event_info(unsigned int type)
{
	if (type == VGL_EV_NONE || type >= VGL_EV_MAX || !event_types[type].name)
		return NULL;
	return &event_types[type];
}

int event_type_by_name(const char *name)
{
	for (unsigned int t = 1; t < VGL_EV_MAX; t++)
		if (event_types[t].name && !strcmp(event_types[t].name, name))
			return t;
	return -1;
}

/* Mask of one item: an event name, a category, or "all". */
static event_mask_t mask_of_item(const char *item, size_t len)
{
	event_mask_t mask = 0;

	if (len == 3 && !strncmp(item, "all", 3))
		return EVENT_ALL;
	for (unsigned int t = 1; t < VGL_EV_MAX; t++) {
		const struct event_type_info *info = &event_types[t];

		if (!info->name)
			continue;
		if ((strlen(info->name) == len && !strncmp(info->name, item, len)) ||
		    (strlen(info->category) == len && !strncmp(info->category, item, len)))
			mask |= EVENT_BIT(t);
	}
	return mask;
}

int event_mask_parse(const char *list, event_mask_t *mask, const char **bad, int *bad_len)
{
	const char *p = list;

	*mask = 0;
	if (!strcmp(list, "none"))	/* only the always-on lifecycle hooks, nothing output */
		return 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		event_mask_t m = len ? mask_of_item(p, len) : 0;

		if (!m) {
			*bad = p;
			*bad_len = (int)len;
			return -EINVAL;
		}
		*mask |= m;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}
