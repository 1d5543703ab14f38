// SPDX-License-Identifier: GPL-2.0
/* trace.c - `vigil trace`: stream events as JSON lines or text. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "cmd/cmd.h"
#include "log.h"

static volatile bool stop_requested;

static void on_signal(int sig)
{
	stop_requested = true;
}

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil trace [options]\n"
		"  -e, --event LIST      event types or categories, comma-separated (default: all)\n"
		"                        e.g. exec,open,network; see docs/events.md\n"
		"  -f, --format FMT      json (default) or text\n"
		"  -o, --output FILE     write events to FILE instead of stdout\n"
		"  -c, --container SEL   container id (prefix), 'host' or 'any' (default)\n"
		"      --comm NAME       only events of processes with this comm\n"
		"  -p, --pid PID         only events of this process\n"
		"  -d, --duration SECS   stop after SECS seconds\n"
		"      --stats           print counters to stderr at the end\n"
		"  -v, --verbose         debug log\n");
}

static int parse_u32(const char *opt, const char *s, uint32_t *out)
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

/* Shared by trace and run: fills a from argv. Returns 0, 1 (help) or -errno. */
static int parse_trace_opts(int argc, char **argv, struct agent *a, uint32_t *duration_s,
			    bool *stats)
{
	static const struct option longopts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "container", required_argument, NULL, 'c' },
		{ "comm", required_argument, NULL, 'C' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "e:f:o:c:p:d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': {
			const char *bad;
			int bad_len;

			if (event_mask_parse(optarg, &a->filter.events, &bad, &bad_len)) {
				log_error("option '--event': unknown event type or category '%.*s'",
					  bad_len, bad);
				return -EINVAL;
			}
			break;
		}
		case 'f':
			if (!strcmp(optarg, "json"))
				a->format = OUT_JSON;
			else if (!strcmp(optarg, "text"))
				a->format = OUT_TEXT;
			else {
				log_error("option '--format': expected 'json' or 'text', got '%s'",
					  optarg);
				return -EINVAL;
			}
			break;
		case 'o': a->out_path = optarg; break;
		case 'c': a->filter.container = optarg; break;
		case 'C': a->filter.comm = optarg; break;
		case 'p':
			if (parse_u32("--pid", optarg, &a->filter.pid))
				return -EINVAL;
			break;
		case 'd':
			if (parse_u32("--duration", optarg, duration_s))
				return -EINVAL;
			break;
		case 'S': *stats = true; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': trace_usage(stdout); return 1;
		default: trace_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int trace_main(int argc, char **argv, event_mask_t default_events)
{
	struct agent a = { .filter.events = default_events, .format = OUT_JSON };
	uint32_t duration_s = 0;
	bool stats = false;
	int err;

	err = parse_trace_opts(argc, argv, &a, &duration_s, &stats);
	if (err)
		return err > 0 ? 0 : 2;
	if (geteuid() != 0)
		log_warn("not running as root: loading BPF programs will likely fail");
	if (agent_open_output(&a))
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	err = agent_init(&a);
	if (!err)
		err = agent_select(&a, a.filter.events);
	if (!err) {
		log_info("tracing (%s); Ctrl-C to stop", a.format == OUT_JSON ? "json" : "text");
		err = agent_run(&a, &stop_requested, duration_s * 1000ULL);
	}
	if (stats || err)
		agent_print_stats(&a, stderr);
	agent_fini(&a);
	return err ? 1 : 0;
}

int cmd_trace(int argc, char **argv)
{
	return trace_main(argc, argv, EVENT_ALL);
}
