// SPDX-License-Identifier: GPL-2.0
/* test_json.c - the JSON writer must keep one valid object per line,
 * whatever bytes an attacker puts in argv or a path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "output/json.h"

static const char *escaped(struct json *j, const char *s, size_t len)
{
	json_reset(j);
	json_strn(j, s, len);
	return j->buf;
}

static void test_escapes_quotes_backslash_controls(void **state)
{
	struct json j;

	json_init(&j);
	assert_string_equal(escaped(&j, "a\"b", 3), "\"a\\\"b\"");
	assert_string_equal(escaped(&j, "a\\b", 3), "\"a\\\\b\"");
	assert_string_equal(escaped(&j, "l1\nl2\r\t", 7), "\"l1\\nl2\\r\\t\"");
	assert_string_equal(escaped(&j, "\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
	json_free(&j);
}

static void test_embedded_nul_is_escaped_not_truncating(void **state)
{
	struct json j;

	json_init(&j);
	assert_string_equal(escaped(&j, "a\0b", 3), "\"a\\u0000b\"");
	json_free(&j);
}

static void test_valid_utf8_passes_through(void **state)
{
	struct json j;

	json_init(&j);
	assert_string_equal(escaped(&j, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15),
			    "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
	json_free(&j);
}

static void test_invalid_utf8_is_replaced(void **state)
{
	struct json j;

	json_init(&j);
	/* lone continuation byte, truncated sequence, overlong '/', surrogate, > U+10FFFF */
	assert_string_equal(escaped(&j, "\x80", 1), "\"\\ufffd\"");
	assert_string_equal(escaped(&j, "a\xe2\x82", 3), "\"a\\ufffd\\ufffd\"");
	assert_string_equal(escaped(&j, "\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	assert_string_equal(escaped(&j, "\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(escaped(&j, "\xf4\x90\x80\x80", 4),
			    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(escaped(&j, "\xff\xfe", 2), "\"\\ufffd\\ufffd\"");
	json_free(&j);
}

static void test_objects_arrays_and_commas(void **state)
{
	struct json j;

	json_init(&j);
	json_obj_begin(&j);
	json_kv_str(&j, "a", "x");
	json_kv_u64(&j, "b", 18446744073709551615ULL);
	json_kv_i64(&j, "c", -5);
	json_kv_i64(&j, "m", INT64_MIN);
	json_kv_u64(&j, "z", 0);
	json_key(&j, "d");
	json_arr_begin(&j);
	json_str(&j, "1");
	json_bool(&j, true);
	json_null(&j);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	json_kv_bool(&j, "e", false);
	json_obj_end(&j);
	assert_string_equal(j.buf,
			    "{\"a\":\"x\",\"b\":18446744073709551615,\"c\":-5,"
			    "\"m\":-9223372036854775808,\"z\":0,"
			    "\"d\":[\"1\",true,null,{}],\"e\":false}");
	json_free(&j);
}

static void test_hostile_key_and_long_value(void **state)
{
	struct json j;
	char big[70000];

	memset(big, 'x', sizeof(big));
	json_init(&j);
	json_obj_begin(&j);
	json_kv_strn(&j, "k\"", big, sizeof(big));
	json_obj_end(&j);
	assert_false(j.oom);
	assert_int_equal(j.len, 2 + 5 + 1 + 2 + sizeof(big));
	assert_memory_equal(j.buf, "{\"k\\\"\":\"x", 9);
	json_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_quotes_backslash_controls),
		cmocka_unit_test(test_embedded_nul_is_escaped_not_truncating),
		cmocka_unit_test(test_valid_utf8_passes_through),
		cmocka_unit_test(test_invalid_utf8_is_replaced),
		cmocka_unit_test(test_objects_arrays_and_commas),
		cmocka_unit_test(test_hostile_key_and_long_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
