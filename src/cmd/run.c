// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `vigil run`, the main job: load the policies, attach exactly the
 * hooks their rules need, and report alerts. SIGHUP reloads the policies
 * atomically: a policy that does not compile leaves the running one alone.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "cmd/cmd.h"
#include "cmd/policy_opts.h"
#include "log.h"

static volatile bool stop_requested;
static volatile sig_atomic_t reload_requested;
static struct policy_opts run_policy;

static void on_stop(int sig)
{
	stop_requested = true;
}

static void on_hup(int sig)
{
	reload_requested = 1;
}

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil run [options]\n"
		POLICY_USAGE
		"  -f, --format FMT      json (default) or text\n"
		"  -o, --output FILE     write alerts to FILE instead of stdout\n"
		"      --events          also write the events the rules look at\n"
		"  -d, --duration SECS   stop after SECS seconds\n"
		"      --stats           print counters to stderr at the end\n"
		"  -v, --verbose         debug log\n"
		"SIGHUP reloads the policies.\n");
}

/* Swap in freshly compiled policies, and the hooks they need. */
static int run_reload(struct agent *a)
{
	struct ruleset *rs;

	log_info("SIGHUP: reloading policies");
	if (policy_opts_build(&run_policy, &rs)) {
		log_error("reload failed: the previous policy stays in force");
		return -1;
	}
	if (engine_swap(a->engine, rs)) {
		ruleset_free(rs);
		log_error("reload failed: out of memory; the previous policy stays in force");
		return -1;
	}
	a->filter.events = rs->events;
	agent_select(a, rs->events);
	log_info("policies reloaded: %zu rules", rs->n);
	return 0;
}

static int parse_run_opts(int argc, char **argv, struct agent *a, uint32_t *duration_s,
			  bool *stats)
{
	static const struct option longopts[] = {
		POLICY_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "events", no_argument, NULL, 'E' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stats", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "P:f:o:d:vh", longopts, NULL)) != -1) {
		r = policy_opts_parse(&run_policy, c, optarg);
		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				log_error("option '--format': expected 'json' or 'text', got '%s'",
					  optarg);
				return -EINVAL;
			}
			a->format = strcmp(optarg, "json") ? OUT_TEXT : OUT_JSON;
			break;
		case 'o': a->out_path = optarg; break;
		case 'E': a->stream_events = true; break;
		case 'd':
			*duration_s = strtoul(optarg, &end, 10);
			if (*end || !*optarg) {
				log_error("option '--duration': '%s' is not a number", optarg);
				return -EINVAL;
			}
			break;
		case 'S': *stats = true; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'h': run_usage(stdout); return 1;
		default: run_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct agent a = { .format = OUT_JSON };
	struct ruleset *rs;
	uint32_t duration_s = 0;
	bool stats = false;
	int err;

	err = parse_run_opts(argc, argv, &a, &duration_s, &stats);
	if (err)
		return err > 0 ? 0 : 2;
	if (policy_opts_build(&run_policy, &rs))
		return 1;	/* a bad policy never loads half-way */
	a.engine = engine_new(rs);
	if (!a.engine || agent_open_output(&a)) {
		ruleset_free(a.engine ? NULL : rs);
		agent_fini(&a);
		return 1;
	}
	a.filter.events = rs->events;
	a.reload_flag = &reload_requested;
	a.reload = run_reload;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	err = agent_init(&a);
	if (!err)
		err = agent_select(&a, rs->events);
	if (!err) {
		log_info("running: %zu rules", rs->n);
		err = agent_run(&a, &stop_requested, duration_s * 1000ULL);
	}
	if (stats || err)
		agent_print_stats(&a, stderr);
	agent_fini(&a);
	return err ? 1 : 0;
}
