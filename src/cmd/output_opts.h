/* SPDX-License-Identifier: GPL-2.0 */
/* output_opts.h - the options `trace` and `run` share: where and how to
 * write, for how long, and how verbosely. */
#ifndef VIGIL_OUTPUT_OPTS_H
#define VIGIL_OUTPUT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include "agent.h"

struct run_limits {
	uint32_t duration_s;	/* 0: until a signal */
	bool stats;		/* counters to stderr at the end */
};

/* getopt code of --stats (the others use their short letters) */
enum { OPT_STATS = 0x200 };

#define OUTPUT_SHORTOPTS "f:o:d:v"

#define OUTPUT_LONGOPTS							\
	{ "format", required_argument, NULL, 'f' },			\
	{ "output", required_argument, NULL, 'o' },			\
	{ "duration", required_argument, NULL, 'd' },			\
	{ "stats", no_argument, NULL, OPT_STATS },			\
	{ "verbose", no_argument, NULL, 'v' }

#define OUTPUT_USAGE								\
	"  -f, --format FMT      json (default) or text\n"			\
	"  -o, --output FILE     write to FILE (appended) instead of stdout\n"	\
	"  -d, --duration SECS   stop after SECS seconds\n"			\
	"      --stats           print counters to stderr at the end\n"		\
	"  -v, --verbose         debug log\n"

/* Handle one shared option: 1 if it was one, 0 if not, -EINVAL on a bad value. */
int output_opt_parse(int opt, const char *arg, struct agent *a, struct run_limits *lim);

/* A decimal number for option opt into *out; -EINVAL (logged) if it is not one. */
int parse_u32_opt(const char *opt, const char *s, uint32_t *out);

#endif
