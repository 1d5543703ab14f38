/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fandeny.h - deny execs with fanotify permission events where BPF-LSM is
 * not available: FAN_OPEN_EXEC_PERM marks on whole filesystems (tmpfs such
 * as /dev/shm, container root filesystems for drift), answered by a thread
 * of its own with bounded work and no blocking I/O, so an exec is never
 * stalled for long. A denied exec fails with EPERM in the caller.
 *
 * Decisions come from the exec plan (exec_plan_decide) with the facts
 * userspace can compute from the file descriptor and the pid; a rule whose
 * terms need facts only the kernel has is left to the in-kernel kill.
 * Each denial is reported as a synthetic exec record (ret -EPERM,
 * VGL_HF_DENIED, enforce_rule set) that the main loop drains into the
 * pipeline, so it is alerted like any other event.
 */
#ifndef VIGIL_FANDENY_H
#define VIGIL_FANDENY_H

#include <stdint.h>
#include "respond/exec_plan.h"
#include "sensor/sensor.h"

struct fan_deny;

struct fan_deny_opts {
	uint64_t agent_start_real_ns;	/* "written" reference on the host */
	uint64_t boot_to_real_ns;
	/* (dev, ino) of protected executables, for VGL_FACT_EXECER_PROTECTED */
	const struct vgl_enf_protected_key *protected_keys;
	size_t nprotected;
	int cgroups_fd;			/* enf_cgroups: container sets of classified cgroups */
};

/*
 * Start the answering thread and mark the filesystems the plan needs
 * (directories of the plan's prefix sets that are the root of their own
 * filesystem). Logs which rules it decides. *out is NULL (and 0 returned)
 * when the plan needs no mark. 0 or -errno.
 */
int fan_deny_open(struct fan_deny **out, const struct exec_plan *plan,
		  const struct fan_deny_opts *o);

/* Replace the plan (reload); marks follow. */
int fan_deny_set_plan(struct fan_deny *f, const struct exec_plan *plan);

/*
 * A container started: if the plan has drift terms (IN_CONTAINER and
 * WRITTEN) and rootfs is a filesystem of its own, watch it; files whose
 * ctime is after start_real_ns are "written". Idempotent per rootfs.
 */
int fan_deny_watch_container(struct fan_deny *f, const char *rootfs, uint64_t start_real_ns);

/* True when ruleset index i is decided by fanotify for some execs. */
bool fan_deny_decides(const struct fan_deny *f, uint32_t index);

/* Main thread: pass each queued denial record to fn. Returns how many. */
int fan_deny_drain(struct fan_deny *f, sensor_record_fn fn, void *ctx);

void fan_deny_close(struct fan_deny *f);

#endif
