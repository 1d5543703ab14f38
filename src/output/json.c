// SPDX-License-Identifier: GPL-2.0
/* json.c - see json.h. No allocation per value once the buffer has grown. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/json.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void json_reset(struct json *j)
{
	j->len = 0;
	j->need_comma = false;
	j->oom = false;
}

void json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

static bool reserve(struct json *j, size_t more)
{
	size_t cap;
	char *nb;

	if (j->len + more + 1 <= j->cap)
		return true;
	cap = j->cap ? j->cap : 1024;
	while (cap < j->len + more + 1)
		cap *= 2;
	nb = realloc(j->buf, cap);
	if (!nb) {
		j->oom = true;
		return false;
	}
	j->buf = nb;
	j->cap = cap;
	return true;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (!reserve(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void putc_(struct json *j, char c)
{
	put(j, &c, 1);
}

static void sep(struct json *j)
{
	if (j->need_comma)
		putc_(j, ',');
	j->need_comma = true;
}

void json_obj_begin(struct json *j)
{
	sep(j);
	putc_(j, '{');
	j->need_comma = false;
}

void json_obj_end(struct json *j)
{
	putc_(j, '}');
	j->need_comma = true;
}

void json_arr_begin(struct json *j)
{
	sep(j);
	putc_(j, '[');
	j->need_comma = false;
}

void json_arr_end(struct json *j)
{
	putc_(j, ']');
	j->need_comma = true;
}

void json_key(struct json *j, const char *key)
{
	json_key_n(j, key, strlen(key));
}

void json_key_n(struct json *j, const char *key, size_t len)
{
	sep(j);
	putc_(j, '"');
	json_escape(j, key, len);
	put(j, "\":", 2);
	j->need_comma = false;	/* the value follows without a comma */
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and values past U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Write the escaped form of str into j. Reserves the worst case once (every
 * byte becoming a 6-byte \uXXXX) and writes in place: this is the output
 * path's hottest loop, so no call per byte. */
void json_escape(struct json *j, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	char *out;
	size_t i = 0;

	if (!reserve(j, len * 6))
		return;
	out = j->buf + j->len;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*out++ = c;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = utf8_seq_len(s + i, len - i);
			if (n) {
				memcpy(out, s + i, n);
				out += n;
				i += n;
			} else {
				memcpy(out, "\\ufffd", 6);
				out += 6;
				i++;
			}
			continue;
		}
		*out++ = '\\';
		switch (c) {
		case '"': *out++ = '"'; break;
		case '\\': *out++ = '\\'; break;
		case '\n': *out++ = 'n'; break;
		case '\r': *out++ = 'r'; break;
		case '\t': *out++ = 't'; break;
		default:	/* other control characters and DEL */
			*out++ = 'u';
			*out++ = '0';
			*out++ = '0';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 15];
		}
		i++;
	}
	j->len = out - j->buf;
	j->buf[j->len] = '\0';
}

void json_strn(struct json *j, const char *s, size_t len)
{
	sep(j);
	putc_(j, '"');
	json_escape(j, s, len);
	putc_(j, '"');
}

void json_str(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_strn(j, s, strlen(s));
}

/* Decimal digits of v, written backwards ending at end; returns the start.
 * Numbers are in every event many times over: no printf for them. */
static char *u64_digits(uint64_t v, char *end)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

void json_u64(struct json *j, uint64_t v)
{
	char tmp[24];
	char *p = u64_digits(v, tmp + sizeof(tmp));

	sep(j);
	put(j, p, tmp + sizeof(tmp) - p);
}

void json_i64(struct json *j, int64_t v)
{
	char tmp[24];
	char *p = u64_digits(v < 0 ? -(uint64_t)v : (uint64_t)v, tmp + sizeof(tmp));

	if (v < 0)
		*--p = '-';
	sep(j);
	put(j, p, tmp + sizeof(tmp) - p);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j)
{
	sep(j);
	put(j, "null", 4);
}

void json_kv_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kv_strn(struct json *j, const char *key, const char *s, size_t len)
{
	json_key(j, key);
	json_strn(j, s, len);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_kv_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_i64(j, v);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}

void json_appendf(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(j, n))
		return;
	va_start(ap, fmt);
	vsnprintf(j->buf + j->len, n + 1, fmt, ap);
	va_end(ap);
	j->len += n;
}
