// SPDX-License-Identifier: GPL-2.0
/* test_prom.c - the Prometheus text writer: exact lines, escaping of hostile
 * label values, histograms made cumulative, invalid names refused. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ops/prom.h"

/* A memory stream the test reads back as one string. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

static const char *cap_text(struct capture *c)
{
	fflush(c->f);
	return c->buf;
}

static void cap_close(struct capture *c)
{
	fclose(c->f);
	free(c->buf);
}

static void test_family_and_plain_samples(void **state)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_family(c.f, "vigil_events_total", PROM_COUNTER,
				     "Events read from the ring buffer."), 0);
	assert_int_equal(prom_u64(c.f, "vigil_events_total", NULL, 0, 18446744073709551615ULL), 0);
	assert_int_equal(prom_family(c.f, "vigil_rss_bytes", PROM_GAUGE, "Resident set size."), 0);
	assert_int_equal(prom_double(c.f, "vigil_rss_bytes", NULL, 0, 0.1), 0);
	assert_string_equal(cap_text(&c),
			    "# HELP vigil_events_total Events read from the ring buffer.\n"
			    "# TYPE vigil_events_total counter\n"
			    "vigil_events_total 18446744073709551615\n"
			    "# HELP vigil_rss_bytes Resident set size.\n"
			    "# TYPE vigil_rss_bytes gauge\n"
			    "vigil_rss_bytes 0.1\n");
	cap_close(&c);
}

static void test_help_escapes_backslash_and_newline(void **state)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_family(c.f, "m", PROM_GAUGE, "a\\b\nc \"q\""), 0);
	assert_string_equal(cap_text(&c), "# HELP m a\\\\b\\nc \"q\"\n# TYPE m gauge\n");
	cap_close(&c);
}

static void test_labels_and_hostile_values(void **state)
{
	struct prom_label l[] = {
		{ "rule", "VGL-\"0101\"\\x\ny" },
		{ "container", "c\xff" "d\xe2\x82" },	/* invalid UTF-8: bad byte, truncated */
		{ "image", "h\xc3\xa9llo \xf0\x9f\x98\x80" },	/* valid UTF-8 passes */
	};
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_u64(c.f, "vigil_alerts_total", l, 3, 7), 0);
	assert_string_equal(cap_text(&c),
			    "vigil_alerts_total{rule=\"VGL-\\\"0101\\\"\\\\x\\ny\","
			    "container=\"c\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\","
			    "image=\"h\xc3\xa9llo \xf0\x9f\x98\x80\"} 7\n");
	cap_close(&c);
}

static void test_special_doubles(void **state)
{
	struct capture c;

	cap_open(&c);
	prom_double(c.f, "g", NULL, 0, NAN);
	prom_double(c.f, "g", NULL, 0, INFINITY);
	prom_double(c.f, "g", NULL, 0, -INFINITY);
	prom_double(c.f, "g", NULL, 0, 1e-9);
	prom_double(c.f, "g", NULL, 0, 0.30000000000000004);	/* needs 17 digits */
	prom_double(c.f, "g", NULL, 0, -2.5);
	assert_string_equal(cap_text(&c), "g NaN\ng +Inf\ng -Inf\ng 1e-09\n"
			    "g 0.30000000000000004\ng -2.5\n");
	cap_close(&c);
}

static void test_histogram_is_cumulative(void **state)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };
	static const uint64_t counts[] = { 2, 0, 3, 1 };	/* last: above 0.1 */
	struct prom_histogram h = { bounds, 3, counts, 0.5 };
	struct prom_label l[] = { { "stage", "detect" } };
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_histogram(c.f, "vigil_latency_seconds", l, 1, &h), 0);
	assert_string_equal(cap_text(&c),
			    "vigil_latency_seconds_bucket{stage=\"detect\",le=\"0.001\"} 2\n"
			    "vigil_latency_seconds_bucket{stage=\"detect\",le=\"0.01\"} 2\n"
			    "vigil_latency_seconds_bucket{stage=\"detect\",le=\"0.1\"} 5\n"
			    "vigil_latency_seconds_bucket{stage=\"detect\",le=\"+Inf\"} 6\n"
			    "vigil_latency_seconds_sum{stage=\"detect\"} 0.5\n"
			    "vigil_latency_seconds_count{stage=\"detect\"} 6\n");
	cap_close(&c);
}

static void test_histogram_without_labels(void **state)
{
	static const double bounds[] = { 1 };
	static const uint64_t counts[] = { 4, 0 };
	struct prom_histogram h = { bounds, 1, counts, 2 };
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_histogram(c.f, "h", NULL, 0, &h), 0);
	assert_string_equal(cap_text(&c), "h_bucket{le=\"1\"} 4\nh_bucket{le=\"+Inf\"} 4\n"
			    "h_sum 2\nh_count 4\n");
	cap_close(&c);
}

static void test_bucket_index(void **state)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };

	assert_int_equal(prom_bucket_index(bounds, 3, 0), 0);
	assert_int_equal(prom_bucket_index(bounds, 3, 0.001), 0);	/* le: inclusive */
	assert_int_equal(prom_bucket_index(bounds, 3, 0.0011), 1);
	assert_int_equal(prom_bucket_index(bounds, 3, 0.1), 2);
	assert_int_equal(prom_bucket_index(bounds, 3, 5), 3);
	assert_int_equal(prom_bucket_index(bounds, 3, NAN), 3);
	assert_int_equal(prom_bucket_index(bounds, 0, 1), 0);
}

static void test_invalid_names_write_nothing(void **state)
{
	static const double bad_bounds[] = { 0.1, 0.1 };
	static const uint64_t counts[] = { 0, 0, 0 };
	struct prom_histogram h = { bad_bounds, 2, counts, 0 };
	struct prom_label bad_name[] = { { "bad-name", "x" } };
	struct prom_label colon[] = { { "a:b", "x" } };
	struct prom_label reserved[] = { { "__name__", "x" } };
	struct prom_label le[] = { { "le", "x" } };
	struct prom_label null_value[] = { { "a", NULL } };
	struct capture c;

	cap_open(&c);
	assert_int_equal(prom_family(c.f, "9lives", PROM_GAUGE, "x"), -EINVAL);
	assert_int_equal(prom_family(c.f, "", PROM_GAUGE, "x"), -EINVAL);
	assert_int_equal(prom_family(c.f, "ok", (enum prom_type)7, "x"), -EINVAL);
	assert_int_equal(prom_u64(c.f, "has space", NULL, 0, 1), -EINVAL);
	assert_int_equal(prom_u64(c.f, "m", bad_name, 1, 1), -EINVAL);
	assert_int_equal(prom_u64(c.f, "m", colon, 1, 1), -EINVAL);
	assert_int_equal(prom_u64(c.f, "m", reserved, 1, 1), -EINVAL);
	assert_int_equal(prom_u64(c.f, "m", le, 1, 1), -EINVAL);
	assert_int_equal(prom_u64(c.f, "m", null_value, 1, 1), -EINVAL);
	assert_int_equal(prom_histogram(c.f, "h", NULL, 0, &h), -EINVAL);
	assert_string_equal(cap_text(&c), "");
	/* a colon is fine in metric names (recording rules), not in label names */
	assert_int_equal(prom_u64(c.f, "ns:m", NULL, 0, 1), 0);
	assert_string_equal(cap_text(&c), "ns:m 1\n");
	cap_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_and_plain_samples),
		cmocka_unit_test(test_help_escapes_backslash_and_newline),
		cmocka_unit_test(test_labels_and_hostile_values),
		cmocka_unit_test(test_special_doubles),
		cmocka_unit_test(test_histogram_is_cumulative),
		cmocka_unit_test(test_histogram_without_labels),
		cmocka_unit_test(test_bucket_index),
		cmocka_unit_test(test_invalid_names_write_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
