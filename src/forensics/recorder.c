// SPDX-License-Identifier: GPL-2.0
/*
 * recorder.c - see recorder.h.
 *
 * A ring is one byte buffer of entries (a 16-byte header, the record,
 * padding to 8). An entry never wraps: when it does not fit before the end
 * of the buffer, the rest of the buffer is skipped (marked when there is
 * room for a header) and the entry goes to the start. `used` counts the
 * bytes from head to tail around the buffer, skipped bytes included, so an
 * entry fits when used + skipped + its length <= cap.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "forensics/recorder.h"

#define BUCKETS 4096

struct entry_hdr {
	uint64_t ts_ns;
	uint32_t size;		/* record bytes; 0 marks a skipped tail */
	uint32_t _pad;
};

struct ring {
	uint64_t cgroup_id;
	bool host;
	bool gone;
	uint8_t *buf;
	size_t cap, limit;
	size_t head, tail, used;
	uint32_t count;
	struct ring *hnext;
	struct ring *newer, *older;	/* LRU by last write; the host ring is not in it */
};

struct recorder {
	struct recorder_opts o;
	struct ring *host;
	struct ring *buckets[BUCKETS];
	struct ring *newest, *oldest;
	struct recorder_stats st;
};

static size_t entry_len(size_t size)
{
	return (sizeof(struct entry_hdr) + size + 7) & ~(size_t)7;
}

static size_t bucket_of(uint64_t cgroup_id)
{
	return (cgroup_id * 0x9e3779b97f4a7c15ULL) >> 52;	/* 12 bits: BUCKETS */
}

static void lru_unlink(struct recorder *r, struct ring *g)
{
	if (g->newer)
		g->newer->older = g->older;
	else if (r->newest == g)
		r->newest = g->older;
	if (g->older)
		g->older->newer = g->newer;
	else if (r->oldest == g)
		r->oldest = g->newer;
	g->newer = g->older = NULL;
}

static void lru_touch(struct recorder *r, struct ring *g)
{
	if (g->host || r->newest == g)
		return;
	lru_unlink(r, g);
	g->older = r->newest;
	if (r->newest)
		r->newest->newer = g;
	r->newest = g;
	if (!r->oldest)
		r->oldest = g;
}

struct recorder *recorder_new(const struct recorder_opts *opts)
{
	struct recorder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (opts)
		r->o = *opts;
	if (!r->o.window_ns)
		r->o.window_ns = RECORDER_WINDOW_NS;
	if (!r->o.max_events)
		r->o.max_events = RECORDER_MAX_EVENTS;
	if (!r->o.ring_bytes)
		r->o.ring_bytes = RECORDER_RING_BYTES;
	if (!r->o.host_bytes)
		r->o.host_bytes = RECORDER_HOST_BYTES;
	if (!r->o.total_bytes)
		r->o.total_bytes = RECORDER_TOTAL_BYTES;
	if (!r->o.max_rings)
		r->o.max_rings = RECORDER_MAX_RINGS;
	return r;
}

static void ring_free(struct recorder *r, struct ring *g)
{
	struct ring **pp = &r->buckets[bucket_of(g->cgroup_id)];

	if (g->host) {
		r->host = NULL;
	} else {
		while (*pp && *pp != g)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = g->hnext;
		lru_unlink(r, g);
	}
	r->st.bytes -= g->cap;
	r->st.used -= g->used;
	r->st.rings--;
	free(g->buf);
	free(g);
}

void recorder_free(struct recorder *r)
{
	if (!r)
		return;
	while (r->oldest)
		ring_free(r, r->oldest);
	if (r->host)
		ring_free(r, r->host);
	free(r);
}

/* Free the least recently written ring other than keep; gone rings only
 * when gone_only. False when there was none. */
static bool evict_one(struct recorder *r, const struct ring *keep, bool gone_only)
{
	for (struct ring *g = r->oldest; g; g = g->newer) {
		if (g == keep || (gone_only && !g->gone))
			continue;
		ring_free(r, g);
		r->st.evicted_rings++;
		return true;
	}
	return false;
}

/* Make room for extra bytes of ring memory within total_bytes. */
static bool budget_for(struct recorder *r, size_t extra, const struct ring *keep, bool any)
{
	while (r->st.bytes + extra > r->o.total_bytes)
		if (!evict_one(r, keep, true) && !(any && evict_one(r, keep, false)))
			return false;
	return true;
}

static const struct entry_hdr *entry_at(const struct ring *g, size_t *pos)
{
	const struct entry_hdr *e;

	if (g->cap - *pos < sizeof(*e))
		*pos = 0;
	e = (const struct entry_hdr *)(g->buf + *pos);
	if (!e->size) {
		*pos = 0;
		e = (const struct entry_hdr *)g->buf;
	}
	return e;
}

static void pop_oldest(struct recorder *r, struct ring *g)
{
	size_t pos = g->head, len;
	const struct entry_hdr *e = entry_at(g, &pos);

	len = entry_len(e->size);
	/* bytes skipped at the end of the buffer leave with this entry */
	len += pos == g->head ? 0 : g->cap - g->head;
	g->head = pos + entry_len(e->size);
	if (g->head == g->cap)
		g->head = 0;
	g->used -= len;
	r->st.used -= len;
	g->count--;
	r->st.expired++;
	if (!g->count) {
		r->st.used -= g->used;
		g->head = g->tail = g->used = 0;
	}
}

/* Copy the entries into a buffer of new_cap bytes, oldest at 0. */
static bool ring_resize(struct recorder *r, struct ring *g, size_t new_cap)
{
	uint8_t *nb = malloc(new_cap);
	size_t pos = g->head, out = 0;

	if (!nb)
		return false;
	for (uint32_t i = 0; i < g->count; i++) {
		const struct entry_hdr *e = entry_at(g, &pos);
		size_t len = entry_len(e->size);

		memcpy(nb + out, e, len);
		out += len;
		pos += len;
	}
	free(g->buf);
	r->st.bytes += new_cap - g->cap;
	r->st.used -= g->used;
	r->st.used += out;
	g->buf = nb;
	g->cap = new_cap;
	g->head = 0;
	g->tail = out == new_cap ? 0 : out;
	g->used = out;
	return true;
}

static bool ring_grow(struct recorder *r, struct ring *g)
{
	size_t new_cap = g->cap * 2 < g->limit ? g->cap * 2 : g->limit;

	if (new_cap <= g->cap || !budget_for(r, new_cap - g->cap, g, false))
		return false;
	return ring_resize(r, g, new_cap);
}

static struct ring *ring_new(struct recorder *r, uint64_t cgroup_id, bool host)
{
	size_t limit = host ? r->o.host_bytes : r->o.ring_bytes;
	size_t cap = limit < RECORDER_MIN_RING ? limit : RECORDER_MIN_RING;
	struct ring *g;

	while (!host && r->st.rings >= r->o.max_rings)
		if (!evict_one(r, NULL, true) && !evict_one(r, NULL, false))
			return NULL;
	if (!budget_for(r, cap, NULL, true))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->buf = malloc(cap))) {
		free(g);
		return NULL;
	}
	g->cgroup_id = cgroup_id;
	g->host = host;
	g->cap = cap;
	g->limit = limit;
	r->st.bytes += cap;
	r->st.rings++;
	if (host) {
		r->host = g;
	} else {
		g->hnext = r->buckets[bucket_of(cgroup_id)];
		r->buckets[bucket_of(cgroup_id)] = g;
	}
	return g;
}

static struct ring *ring_find(struct recorder *r, uint64_t cgroup_id, bool is_container)
{
	struct ring *g;

	if (!is_container)
		return r->host;
	for (g = r->buckets[bucket_of(cgroup_id)]; g; g = g->hnext)
		if (g->cgroup_id == cgroup_id)
			return g;
	return NULL;
}

/* Drop entries older than the window or beyond the count. */
static void ring_trim(struct recorder *r, struct ring *g, uint64_t ts_ns)
{
	while (g->count) {
		size_t pos = g->head;
		const struct entry_hdr *e = entry_at(g, &pos);

		if (g->count < r->o.max_events && e->ts_ns + r->o.window_ns >= ts_ns)
			break;
		pop_oldest(r, g);
	}
}

/* Where an entry of len bytes goes, popping old entries (or growing) until
 * it fits. Sets *waste to the bytes skipped at the end of the buffer. */
static size_t ring_place(struct recorder *r, struct ring *g, size_t len, size_t *waste)
{
	for (;;) {
		size_t pos = g->tail;

		*waste = 0;
		if (pos + len > g->cap) {
			*waste = g->cap - pos;
			pos = 0;
		}
		if (g->used + *waste + len <= g->cap)
			return pos;
		if (g->cap < g->limit && ring_grow(r, g))
			continue;
		if (!g->count)
			return SIZE_MAX;	/* larger than the ring can be made */
		pop_oldest(r, g);
	}
}

int recorder_add(struct recorder *r, const void *data, size_t size, uint64_t cgroup_id,
		 uint64_t ts_ns, bool is_container)
{
	struct ring *g = ring_find(r, cgroup_id, is_container);
	size_t len = entry_len(size), waste, pos;
	struct entry_hdr *e;

	if (!g && !(g = ring_new(r, cgroup_id, !is_container)))
		return -ENOMEM;
	if (!size || len > g->limit) {
		r->st.too_big++;
		return -E2BIG;
	}
	lru_touch(r, g);
	g->gone = false;
	ring_trim(r, g, ts_ns);
	pos = ring_place(r, g, len, &waste);
	if (pos == SIZE_MAX) {
		r->st.too_big++;
		return -E2BIG;
	}
	if (waste >= sizeof(*e))
		((struct entry_hdr *)(g->buf + g->tail))->size = 0;
	e = (struct entry_hdr *)(g->buf + pos);
	e->ts_ns = ts_ns;
	e->size = size;
	memcpy(e + 1, data, size);
	g->tail = pos + len == g->cap ? 0 : pos + len;
	g->used += waste + len;
	r->st.used += waste + len;
	g->count++;
	r->st.recorded++;
	return 0;
}

size_t recorder_snapshot(struct recorder *r, uint64_t cgroup_id, bool is_container,
			 uint64_t since_ns, recorder_fn fn, void *ctx)
{
	struct ring *g = ring_find(r, cgroup_id, is_container);
	size_t pos, n = 0;

	if (!g)
		return 0;
	pos = g->head;
	for (uint32_t i = 0; i < g->count; i++) {
		const struct entry_hdr *e = entry_at(g, &pos);

		pos += entry_len(e->size);
		if (e->ts_ns < since_ns)
			continue;
		n++;
		if (!fn(ctx, e + 1, e->size, e->ts_ns))
			break;
	}
	return n;
}

static bool add_size(void *ctx, const void *data, size_t size, uint64_t ts_ns)
{
	*(size_t *)ctx += size;
	return true;
}

size_t recorder_snapshot_size(struct recorder *r, uint64_t cgroup_id, bool is_container,
			      uint64_t since_ns)
{
	size_t total = 0;

	recorder_snapshot(r, cgroup_id, is_container, since_ns, add_size, &total);
	return total;
}

void recorder_forget(struct recorder *r, uint64_t cgroup_id)
{
	struct ring *g = ring_find(r, cgroup_id, true);

	if (g)
		g->gone = true;
}

void recorder_get_stats(const struct recorder *r, struct recorder_stats *s)
{
	*s = r->st;
}
