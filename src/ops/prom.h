/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prom.h - writers for the Prometheus text exposition format (version 0.0.4),
 * the body of GET /metrics.
 *
 * A metric family is announced once with prom_family() (# HELP and # TYPE),
 * then its samples follow. Label values are escaped (backslash, double quote,
 * newline) and bytes that are not valid UTF-8 become U+FFFD, so a rule id or a
 * container name chosen by an attacker cannot break the scrape. Metric and
 * label names come from vigil's code; an invalid one is refused with -EINVAL
 * and nothing is written, so a typo shows in the unit tests rather than as a
 * scrape that Prometheus rejects.
 *
 *	prom_family(f, "vigil_alerts_total", PROM_COUNTER, "Alerts raised.");
 *	prom_u64(f, "vigil_alerts_total",
 *		 (struct prom_label[]){ { "rule", "VGL-0101" }, { "severity", "high" } }, 2, n);
 */
#ifndef VIGIL_PROM_H
#define VIGIL_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };

struct prom_label {
	const char *name;
	const char *value;
};

/*
 * A histogram as an agent keeps it: one counter per bucket, not cumulative.
 * counts[i] (i < nbounds) counts observations v with bounds[i-1] < v <= bounds[i];
 * counts[nbounds] counts those above the last bound. bounds ascend strictly.
 * The writer makes them cumulative and adds the +Inf bucket and _count.
 */
struct prom_histogram {
	const double *bounds;
	size_t nbounds;
	const uint64_t *counts;		/* nbounds + 1 entries */
	double sum;
};

/* "# HELP name help" and "# TYPE name type". 0 or -EINVAL (bad name). */
int prom_family(FILE *f, const char *name, enum prom_type type, const char *help);

/* One sample line "name{labels} value". 0 or -EINVAL (bad metric or label name). */
int prom_u64(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
	     uint64_t value);
int prom_double(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
		double value);

/* name_bucket{...,le="..."} for every bound and +Inf, name_sum, name_count.
 * 0 or -EINVAL (bad name, or bounds not strictly ascending). */
int prom_histogram(FILE *f, const char *name, const struct prom_label *labels, size_t nlabels,
		   const struct prom_histogram *h);

/* The index of the bucket v falls in (nbounds when above every bound), for the
 * counts[] of struct prom_histogram. */
size_t prom_bucket_index(const double *bounds, size_t nbounds, double v);

#endif
