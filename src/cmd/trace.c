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
#include "cmd/output_opts.h"
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
		"  -c, --container SEL   container id (prefix) or name, 'host' or 'any' (default)\n"
		"  -n, --namespace NS    only events of pods in this Kubernetes namespace\n"
		"      --pod NAME        only events of this Kubernetes pod\n"
		"      --host-root DIR   the host's filesystem is mounted at DIR (vigil in a\n"
		"                        container): runtime state and cgroups are read there\n"
		"      --comm NAME       only events of processes with this comm\n"
		"  -p, --pid PID         only events of this process\n"
		OUTPUT_USAGE);
}

/* Fills a from argv. Returns 0, 1 (help) or -errno. */
static int parse_trace_opts(int argc, char **argv, struct agent *a, struct run_limits *lim)
{
	static const struct option longopts[] = {
		OUTPUT_LONGOPTS,
		{ "event", required_argument, NULL, 'e' },
		{ "container", required_argument, NULL, 'c' },
		{ "namespace", required_argument, NULL, 'n' },
		{ "pod", required_argument, NULL, 'O' },
		{ "host-root", required_argument, NULL, 'H' },
		{ "comm", required_argument, NULL, 'C' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	container_opts_default(&a->ctr_opts);
	a->ctr_opts_set = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "e:c:n:p:h", longopts, NULL)) != -1) {
		r = output_opt_parse(c, optarg, a, lim);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
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
		case 'c': a->filter.container = optarg; break;
		case 'n': a->filter.k8s_namespace = optarg; break;
		case 'O': a->filter.pod = optarg; break;
		case 'H':
			if (runtime_paths_set(&a->ctr_opts.paths, "host_root", optarg)) {
				log_error("option '--host-root': '%s' is not an absolute path", optarg);
				return -EINVAL;
			}
			break;
		case 'C': a->filter.comm = optarg; break;
		case 'p':
			if (parse_u32_opt("--pid", optarg, &a->filter.pid))
				return -EINVAL;
			break;
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
	struct agent a = { .filter.events = default_events, .format = OUT_JSON,
			  .syscall_fallback = true };	/* a trace shows what was asked */
	struct run_limits lim = { 0 };
	int err;

	err = parse_trace_opts(argc, argv, &a, &lim);
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
		err = agent_run(&a, &stop_requested, lim.duration_s * 1000ULL);
	}
	if (lim.stats || err)
		agent_print_stats(&a, stderr);
	agent_fini(&a);
	return err ? 1 : 0;
}

int cmd_trace(int argc, char **argv)
{
	return trace_main(argc, argv, EVENT_ALL);
}
