// SPDX-License-Identifier: GPL-2.0
/* prom.c - the Prometheus text exposition format (see prom.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "ops/prom.h"

static bool is_name_char(char c, bool first, bool colon_ok)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (c == ':')
		return colon_ok;
	return !first && c >= '0' && c <= '9';
}

/* Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'. */
static bool valid_name(const char *s, bool colon_ok)
{
	if (!s || !*s)
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!is_name_char(s[i], i == 0, colon_ok))
			return false;
	return true;
}

/* Label names starting with "__" are reserved to Prometheus itself, and "le"
 * would collide with the bucket label of a histogram. */
static int check_labels(const struct prom_label *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!valid_name(labels[i].name, false) || !strncmp(labels[i].name, "__", 2) ||
		    !strcmp(labels[i].name, "le") || !labels[i].value)
			return -EINVAL;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;	/* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

static void write_label_value(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v);

	while (n) {
		size_t len = utf8_len(s, n);

		if (len == 0) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD for one bad byte */
			len = 1;
		} else if (*s == '\\') {
			fputs("\\\\", f);
		} else if (*s == '"') {
			fputs("\\\"", f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else {
			fwrite(s, 1, len, f);
		}
		s += len;
		n -= len;
	}
}

/* {a="x",b="y",le="0.5"}; nothing at all when there are no labels. */
static void write_labels(FILE *f, const struct prom_label *labels, size_t n, const char *le)
{
	if (n == 0 && !le)
		return;
	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i].name);
		write_label_value(f, labels[i].value);
		fputc('"', f);
	}
	if (le)
		fprintf(f, "%sle=\"%s\"", n ? "," : "", le);
	fputc('}', f);
}

/* Go's float syntax as Prometheus parses it; the shortest of %.15g and %.17g
 * that reads back as the same double, so 0.1 stays "0.1". */
static void format_double(char *buf, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
	} else if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	} else {
		snprintf(buf, len, "%.15g", v);
		if (strtod(buf, NULL) != v)
			snprintf(buf, len, "%.17g", v);
	}
}

int prom_family(FILE *f, const char *name, enum prom_type type, const char *help)
{
	static const char *const type_names[] = {
		[PROM_COUNTER] = "counter", [PROM_GAUGE] = "gauge", [PROM_HISTOGRAM] = "histogram",
	};

	if (!valid_name(name, true) || (unsigned)type > PROM_HISTOGRAM)
		return -EINVAL;
	fprintf(f, "# HELP %s ", name);
	/* HELP escapes backslash and newline only */
	for (const char *p = help ? help : ""; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name, type_names[type]);
	return 0;
}

static void write_sample(FILE *f, const char *name, const char *suffix,
			 const struct prom_label *labels, size_t n, const char *le,
			 const char *value)
{
	fprintf(f, "%s%s", name, suffix);
	write_labels(f, labels, n, le);
	fprintf(f, " %s\n", value);
}

int prom_u64(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
	     uint64_t value)
{
	char buf[32];

	if (!valid_name(name, true) || check_labels(labels, nlabels))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	write_sample(f, name, "", labels, nlabels, NULL, buf);
	return 0;
}

int prom_double(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
		double value)
{
	char buf[40];

	if (!valid_name(name, true) || check_labels(labels, nlabels))
		return -EINVAL;
	format_double(buf, sizeof(buf), value);
	write_sample(f, name, "", labels, nlabels, NULL, buf);
	return 0;
}

static bool bounds_ascend(const double *bounds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (isnan(bounds[i]) || isinf(bounds[i]) || (i && bounds[i] <= bounds[i - 1]))
			return false;
	}
	return true;
}

int prom_histogram(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
		   const struct prom_histogram *h)
{
	char le[40], buf[40];
	uint64_t cumulative = 0;

	if (!valid_name(name, true) || check_labels(labels, nlabels) ||
	    !bounds_ascend(h->bounds, h->nbounds))
		return -EINVAL;
	for (size_t i = 0; i <= h->nbounds; i++) {
		cumulative += h->counts[i];
		if (i < h->nbounds)
			format_double(le, sizeof(le), h->bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cumulative);
		write_sample(f, name, "_bucket", labels, nlabels, le, buf);
	}
	format_double(buf, sizeof(buf), h->sum);
	write_sample(f, name, "_sum", labels, nlabels, NULL, buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cumulative);
	write_sample(f, name, "_count", labels, nlabels, NULL, buf);
	return 0;
}

size_t prom_bucket_index(const double *bounds, size_t nbounds, double v)
{
	size_t lo = 0, hi = nbounds;

	if (isnan(v))
		return nbounds;	/* no bound is >= NaN */
	/* the first bound >= v: buckets are "less than or equal" */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bounds[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
