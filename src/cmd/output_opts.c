// SPDX-License-Identifier: GPL-2.0
/* output_opts.c - see output_opts.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/output_opts.h"
#include "log.h"

int parse_u32_opt(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > UINT32_MAX) {
		log_error("option '%s': '%s' is not a number", opt, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int output_opt_parse(int opt, const char *arg, struct agent *a, struct run_limits *lim)
{
	switch (opt) {
	case 'f':
		if (strcmp(arg, "json") && strcmp(arg, "text")) {
			log_error("option '--format': expected 'json' or 'text', got '%s'", arg);
			return -EINVAL;
		}
		a->format = strcmp(arg, "json") ? OUT_TEXT : OUT_JSON;
		return 1;
	case 'o':
		a->out_path = arg;
		return 1;
	case 'd':
		return parse_u32_opt("--duration", arg, &lim->duration_s) ? -EINVAL : 1;
	case OPT_STATS:
		lim->stats = true;
		return 1;
	case 'v':
		log_set_level(LOG_DEBUG);
		return 1;
	}
	return 0;
}
