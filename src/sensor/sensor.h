/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sensor.h - the kernel side, seen from userspace: load the embedded BPF
 * object, attach exactly the hooks the selected event types need, poll the
 * ring buffer and read the kernel's counters.
 */
#ifndef VIGIL_SENSOR_H
#define VIGIL_SENSOR_H

#include <stddef.h>
#include <stdint.h>
#include "sensor/event_table.h"

struct sensor;

/* Called for each raw record; data is valid only during the call. */
typedef int (*sensor_record_fn)(void *ctx, const void *data, size_t size);

struct sensor_opts {
	sensor_record_fn on_record;
	void *ctx;
	uint32_t ringbuf_bytes;		/* 0: built-in default (8 MiB) */
	uint32_t wakeup_interval_us;	/* 0: default (SENSOR_WAKEUP_US) */
	/* serve syscalls that have no tracepoint here (module and kexec calls
	 * on a kernel built without them) by a raw sys_exit program: it runs
	 * on every syscall of the host, so it is a choice */
	bool syscall_fallback;
};

struct sensor_counters {
	uint64_t kernel[VGL_CNT_MAX];	/* summed over CPUs */
	uint64_t per_type[VGL_EV_MAX][VGL_TC_MAX];
};

/* Load the BPF object with nothing attached. Returns 0 or -errno. */
int sensor_open(struct sensor **out, const struct sensor_opts *opts);

/*
 * Attach the hooks of the types in mask and detach the others. Lifecycle
 * types (exec, fork, exit) are always attached: they keep the process table
 * true. Types whose hooks do not exist on this kernel are logged and left
 * out of *effective (may be NULL). Returns 0 or -errno.
 */
int sensor_select(struct sensor *s, event_mask_t mask, event_mask_t *effective);

/* Kernel wake-ups of the reader are coalesced to one per CPU per this
 * interval during bursts; records in between are collected by
 * sensor_poll()'s timeout, so keep poll timeouts short (SENSOR_POLL_MS). */
#define SENSOR_WAKEUP_US	500
#define SENSOR_POLL_MS		2	/* also the worst delay of a record whose wake-up was coalesced */

/* Wait up to timeout_ms for a wake-up, then deliver every record in the
 * ring (woken for or not). Returns records handled or -errno (-EINTR when
 * interrupted by a signal). */
int sensor_poll(struct sensor *s, int timeout_ms);

int sensor_read_counters(struct sensor *s, struct sensor_counters *out);

/* realtime minus boot time, as used by the kernel side (ns). */
uint64_t sensor_boot_to_real_ns(const struct sensor *s);

void sensor_close(struct sensor *s);

/* fd of the sensor's map called name (to share it with another BPF
 * object through bpf_map__reuse_fd), or -ENOENT. */
int sensor_map_fd(const struct sensor *s, const char *name);

/* Mount tracefs and bpffs where they are expected, if they are not. */
void sensor_mount_pseudo_fs(void);

/* True when the tracepoint "group/name" exists on this kernel. */
int sensor_tracepoint_exists(const char *group, const char *name);

#endif
