/* SPDX-License-Identifier: GPL-2.0 */
/*
 * respond.h - acting on alerts: the last stage before output.
 *
 *	detect (alert) -> respond (kill / block / deny, or what it would do) -> output
 *
 * Without enforcement every `kill` or `block` rule reports would_kill /
 * would_block. With it, each rule is enforced by the earliest mechanism
 * that can decide it, chosen at start and logged per rule:
 *
 *	exec kill rules   fanotify deny (FAN_OPEN_EXEC_PERM, exec fails with
 *			  EPERM) where the file's filesystem can be watched, else
 *			  SIGKILL from the exec tracepoint before the first
 *			  instruction, else a userspace kill after the alert
 *	block rules	  cgroup connect/sendmsg hooks refuse with EPERM
 *	other kill rules  userspace kill (pidfd), latency reported
 *
 * The kernel marks what it did in the event header (enforce_rule and
 * VGL_HF_KILLED, _BLOCKED, _DENIED ...); the responder turns that into the
 * alert's action and result. Safety rails: never PID 1 of the host, kernel
 * threads, vigil itself or a protected program; a budget of actions per
 * rule and second.
 */
#ifndef VIGIL_RESPOND_H
#define VIGIL_RESPOND_H

#include <stdbool.h>
#include <stdint.h>
#include "detect/engine.h"
#include "sensor/sensor.h"
#include "enrich/exehash.h"

#define PROTECTED_MAX 64

struct respond_opts {
	bool enforce;
	/* executables never acted on; NULL: the built-in list (runtimes, kubelet, sshd, init) */
	const char *const *protected_exes;
	size_t nprotected;
	uint32_t actions_per_sec;	/* per rule; 0: RESPOND_DEFAULT_RATE */
	const char *pin_dir;		/* NULL: /sys/fs/bpf/vigil */
	struct exe_hashes *hashes;	/* the agent's SHA-256 cache (hash lists); may be NULL */
	/* the container of a cgroup id, without I/O for one already seen
	 * (container sets are re-entered after a reload); may be NULL */
	const struct container_info *(*container_of)(void *ctx, uint64_t cgroup_id);
	void *container_ctx;
};

#define RESPOND_DEFAULT_RATE 100

/* What happened to one alert. */
struct respond_result {
	const char *action;	/* alerted, killed, kill_failed, would_kill, blocked,
				 * would_block, denied, protected, rate_limited, block_unsupported */
	const char *by;		/* kernel, fanotify, userspace; NULL when nothing was done */
	int64_t latency_us;	/* event to action, -1 when no action */
};

struct respond_stats {
	uint64_t killed, kill_failed, blocked, denied, protected, rate_limited;
};

struct responder;

/* Compile and install the enforcement of rs. 0 or -errno (logged). */
int respond_open(struct responder **out, struct sensor *s, const struct ruleset *rs,
		 const struct respond_opts *o);

/* Swap in the enforcement of a reloaded ruleset. */
int respond_reload(struct responder *r, const struct ruleset *rs);

/* Decide, and act on, one alert of event e. */
void respond_alert(struct responder *r, const struct alert *al, const struct enriched_event *e,
		   struct respond_result *res);

const struct respond_stats *respond_stats(const struct responder *r);

/* Main loop: feed denials reported by the fanotify thread to fn. */
int respond_drain(struct responder *r, sensor_record_fn fn, void *ctx);

/* A container was first seen: its root filesystem may need watching. */
void respond_note_container(struct responder *r, const char *rootfs, uint64_t start_real_ns);

/*
 * The container of cgroup_id (NULL: host) as the agent knows it now.
 * Called for every exec, and with changed when its metadata arrives: tells
 * the kernel which container sets of the kill rules the cgroup is in, once
 * the metadata is settled (until then the kernel leaves those rules to
 * userspace). After that a call costs a lookup.
 */
struct container_info;
void respond_note_cgroup(struct responder *r, uint64_t cgroup_id,
			 const struct container_info *ci, bool changed);

/* Detach what must not outlive vigil; pinned network enforcement stays. */
void respond_close(struct responder *r);

/* The built-in protected executables (NULL-terminated). */
extern const char *const respond_default_protected[];

#endif
