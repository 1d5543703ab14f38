// SPDX-License-Identifier: GPL-2.0
/* test_recorder.c - the flight recorder: order, the since filter, bounds by
 * count, age, bytes per ring and in total, LRU eviction of gone rings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "forensics/recorder.h"

#define MS 1000000ULL

/* A record of size bytes whose first 8 bytes are seq, the rest a pattern of it. */
static void make(uint8_t *buf, size_t size, uint64_t seq)
{
	memset(buf, (int)(seq & 0xff), size);
	memcpy(buf, &seq, sizeof(seq));
}

struct seen {
	uint64_t seq[70000];
	size_t n, bytes;
	bool intact;
};

static bool collect(void *ctx, const void *data, size_t size, uint64_t ts_ns)
{
	struct seen *s = ctx;
	uint64_t seq;

	memcpy(&seq, data, sizeof(seq));
	for (size_t i = sizeof(seq); i < size; i++)
		if (((const uint8_t *)data)[i] != (uint8_t)(seq & 0xff))
			s->intact = false;
	s->seq[s->n++] = seq;
	s->bytes += size;
	return true;
}

static struct seen *snap(struct recorder *r, uint64_t cg, bool ctr, uint64_t since)
{
	struct seen *s = calloc(1, sizeof(*s));

	s->intact = true;
	recorder_snapshot(r, cg, ctr, since, collect, s);
	return s;
}

static void assert_consecutive(const struct seen *s, uint64_t last)
{
	assert_true(s->intact);
	assert_true(s->n > 0);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(s->seq[i], last - (s->n - 1) + i);
}

static void test_order_and_since(void **state)
{
	struct recorder *r = recorder_new(NULL);
	uint8_t buf[200];
	struct seen *s;

	for (uint64_t i = 0; i < 100; i++) {
		make(buf, 40 + i, i);
		assert_int_equal(recorder_add(r, buf, 40 + i, 7, 1000 * MS + i * MS, true), 0);
	}
	s = snap(r, 7, true, 0);
	assert_int_equal(s->n, 100);
	assert_consecutive(s, 99);
	free(s);
	s = snap(r, 7, true, 1000 * MS + 90 * MS);	/* the last 10 */
	assert_int_equal(s->n, 10);
	assert_consecutive(s, 99);
	free(s);
	s = snap(r, 8, true, 0);	/* another cgroup: nothing */
	assert_int_equal(s->n, 0);
	free(s);
	s = snap(r, 0, false, 0);	/* the host ring is separate */
	assert_int_equal(s->n, 0);
	free(s);
	recorder_free(r);
}

static void test_count_and_age_bounds(void **state)
{
	struct recorder_opts o = { .max_events = 10, .window_ns = 1000 * MS };
	struct recorder *r = recorder_new(&o);
	uint8_t buf[64];
	struct seen *s;

	for (uint64_t i = 0; i < 50; i++) {
		make(buf, sizeof(buf), i);
		recorder_add(r, buf, sizeof(buf), 1, i * MS, false);
	}
	s = snap(r, 0, false, 0);
	assert_int_equal(s->n, 10);	/* count bound */
	assert_consecutive(s, 49);
	free(s);
	/* 5 s later: everything older than the 1 s window goes */
	make(buf, sizeof(buf), 50);
	recorder_add(r, buf, sizeof(buf), 1, 5000 * MS, false);
	s = snap(r, 0, false, 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->seq[0], 50);
	free(s);
	recorder_free(r);
}

/* Records of many sizes through a small ring: it wraps, stays in order,
 * keeps the newest, and never holds more than its bytes. */
static void test_ring_bytes_wrap(void **state)
{
	struct recorder_opts o = { .ring_bytes = 64 << 10, .max_events = 100000 };
	struct recorder *r = recorder_new(&o);
	struct recorder_stats st;
	uint8_t buf[3000];
	struct seen *s;

	for (uint64_t i = 0; i < 20000; i++) {
		size_t size = 9 + (i * 7919) % 2990;

		make(buf, size, i);
		assert_int_equal(recorder_add(r, buf, size, 3, i, true), 0);
	}
	s = snap(r, 3, true, 0);
	assert_consecutive(s, 19999);
	assert_true(s->bytes <= 64 << 10);
	assert_true(s->bytes > 32 << 10);	/* the ring is used, not just a corner */
	recorder_get_stats(r, &st);
	assert_int_equal(st.bytes, 64 << 10);
	assert_int_equal(st.rings, 1);
	assert_int_equal(st.recorded, 20000);
	assert_int_equal(st.expired, 20000 - s->n);
	free(s);
	/* a record larger than the ring can be is refused, counted */
	assert_int_equal(recorder_add(r, buf, sizeof(buf), 3, 1, true), 0);
	recorder_free(r);
	o.ring_bytes = 1024;
	o.total_bytes = 4096;
	r = recorder_new(&o);
	assert_int_equal(recorder_add(r, buf, 2000, 3, 1, true), -E2BIG);
	recorder_get_stats(r, &st);
	assert_int_equal(st.too_big, 1);
	recorder_free(r);
}

static void fill(struct recorder *r, uint64_t cg, int n, uint64_t seq0)
{
	uint8_t buf[1000];

	for (int i = 0; i < n; i++) {
		make(buf, sizeof(buf), seq0 + i);
		recorder_add(r, buf, sizeof(buf), cg, seq0 + i, true);
	}
}

/* The total budget: gone containers' rings go first, least recently
 * written first; live rings stop growing instead. */
static void test_total_budget_and_lru(void **state)
{
	struct recorder_opts o = { .ring_bytes = 256 << 10, .total_bytes = 512 << 10,
				   .max_events = 100000 };
	struct recorder *r = recorder_new(&o);
	struct recorder_stats st;
	struct seen *s;

	fill(r, 1, 300, 0);		/* 1 and 2 grow to their full 256 KiB */
	fill(r, 2, 300, 1000);
	recorder_get_stats(r, &st);
	assert_int_equal(st.rings, 2);
	assert_true(st.bytes <= o.total_bytes);
	recorder_forget(r, 1);		/* container 1 is gone */
	fill(r, 3, 300, 2000);		/* 3 needs room: 1's ring goes */
	recorder_get_stats(r, &st);
	assert_true(st.bytes <= o.total_bytes);
	assert_int_equal(st.evicted_rings, 1);
	s = snap(r, 1, true, 0);
	assert_int_equal(s->n, 0);
	free(s);
	s = snap(r, 2, true, 0);	/* alive: kept whole */
	assert_consecutive(s, 1299);
	assert_true(s->n >= 200);
	free(s);
	s = snap(r, 3, true, 0);	/* kept its newest within what it could get */
	assert_consecutive(s, 2299);
	free(s);
	/* many containers at once: the total still holds */
	for (uint64_t cg = 10; cg < 60; cg++)
		fill(r, cg, 100, cg * 1000);
	recorder_get_stats(r, &st);
	assert_true(st.bytes <= o.total_bytes);
	assert_true(st.used <= st.bytes);
	s = snap(r, 59, true, 0);	/* the newest container has its events */
	assert_consecutive(s, 59099);
	free(s);
	recorder_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_since),
		cmocka_unit_test(test_count_and_age_bounds),
		cmocka_unit_test(test_ring_bytes_wrap),
		cmocka_unit_test(test_total_budget_and_lru),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
