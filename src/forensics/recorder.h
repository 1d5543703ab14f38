/* SPDX-License-Identifier: GPL-2.0 */
/*
 * recorder.h - the flight recorder: per container (cgroup id) and one for
 * the host, a bounded in-memory ring of the most recent raw records, the
 * ones no rule alerted on included, so an incident can show what happened
 * before its first alert even after the container is gone.
 *
 * Adding a record is one memcpy into a ring: no formatting, no allocation
 * once the ring has grown to its working size. Each ring is bounded by age
 * (window_ns of event time), by count and by bytes; all rings together by
 * total_bytes. A ring starts small and doubles up to ring_bytes while the
 * total allows; when it does not, rings of containers that are gone
 * (recorder_forget) are freed, least recently written first, and a ring that
 * still cannot grow keeps wrapping at its size. A new container whose ring
 * does not fit even then takes the place of the least recently written ring.
 *
 * One thread (the agent's event thread) uses a recorder; nothing is locked.
 */
#ifndef VIGIL_RECORDER_H
#define VIGIL_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RECORDER_WINDOW_NS	(60ULL * 1000000000ULL)
#define RECORDER_MAX_EVENTS	32768
#define RECORDER_RING_BYTES	(4u << 20)	/* per container */
#define RECORDER_HOST_BYTES	(8u << 20)	/* the host's ring */
#define RECORDER_TOTAL_BYTES	(32u << 20)
#define RECORDER_MAX_RINGS	4096
#define RECORDER_MIN_RING	(64u << 10)	/* a new ring's first size */

/* Zero fields take the defaults above. */
struct recorder_opts {
	uint64_t window_ns;	/* keep events this much older than the newest */
	uint32_t max_events;	/* per ring */
	size_t ring_bytes;	/* per container ring */
	size_t host_bytes;	/* the host ring */
	size_t total_bytes;	/* every ring's memory together */
	uint32_t max_rings;
};

struct recorder_stats {
	size_t bytes;		/* ring memory allocated */
	size_t used;		/* bytes of records held */
	uint32_t rings;
	uint64_t recorded;	/* records added */
	uint64_t expired;	/* records pushed out by age, count or size */
	uint64_t evicted_rings;	/* rings freed to stay under total_bytes or max_rings */
	uint64_t too_big;	/* records larger than a ring could ever hold */
};

struct recorder;

/* NULL when memory runs out. */
struct recorder *recorder_new(const struct recorder_opts *opts);
void recorder_free(struct recorder *r);

/*
 * Copy one raw record (size bytes at data) into the ring of cgroup_id when
 * is_container, else into the host ring. ts_ns: the record's boot-clock time
 * (events arrive in about this order). 0, or -E2BIG / -ENOMEM when the record
 * was not kept (counted).
 */
int recorder_add(struct recorder *r, const void *data, size_t size, uint64_t cgroup_id,
		 uint64_t ts_ns, bool is_container);

/* Called for each record of a snapshot, oldest first; return false to stop. */
typedef bool (*recorder_fn)(void *ctx, const void *data, size_t size, uint64_t ts_ns);

/*
 * Every record of the ring (cgroup_id's, or the host's when !is_container)
 * whose time is >= since_ns, oldest first. The data lives until the next
 * recorder_add(): copy what must outlive the callback. Returns how many
 * records were passed to fn.
 */
size_t recorder_snapshot(struct recorder *r, uint64_t cgroup_id, bool is_container,
			 uint64_t since_ns, recorder_fn fn, void *ctx);

/* Bytes a snapshot since since_ns would pass (to size a copy up front). */
size_t recorder_snapshot_size(struct recorder *r, uint64_t cgroup_id, bool is_container,
			      uint64_t since_ns);

/* The container of cgroup_id is gone: its ring is kept, but freed first. */
void recorder_forget(struct recorder *r, uint64_t cgroup_id);

void recorder_get_stats(const struct recorder *r, struct recorder_stats *s);

#endif
