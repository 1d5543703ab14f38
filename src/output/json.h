/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a small JSON writer into a growable buffer, for the output path.
 * Strings are escaped for hostile input: quotes, backslashes, control
 * characters, and bytes that are not valid UTF-8 (each replaced by U+FFFD),
 * so whatever an attacker puts in argv or a path, a line stays one valid
 * JSON object.
 */
#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json {
	char *buf;
	size_t len;
	size_t cap;
	bool need_comma;	/* a value was written at this nesting level */
	bool oom;		/* an allocation failed; the output is incomplete */
};

void json_init(struct json *j);
void json_reset(struct json *j);
void json_free(struct json *j);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);

/* Object key; the next call writes its value. */
void json_key(struct json *j, const char *key);
void json_key_n(struct json *j, const char *key, size_t len);	/* key need not end in NUL */

void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t len);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* key + value shorthands */
void json_kv_str(struct json *j, const char *key, const char *s);
void json_kv_strn(struct json *j, const char *key, const char *s, size_t len);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Append raw text (no escaping, no separator): for the text output. */
void json_appendf(struct json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Escape s into j without quotes (exposed for the text output). */
void json_escape(struct json *j, const char *s, size_t len);

#endif
