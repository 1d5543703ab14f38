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
#include "cmd/output_opts.h"
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
		OUTPUT_USAGE
		"      --events          also write the events the rules look at\n"
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

static int parse_run_opts(int argc, char **argv, struct agent *a, struct run_limits *lim)
{
	static const struct option longopts[] = {
		POLICY_LONGOPTS,
		OUTPUT_LONGOPTS,
		{ "events", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "P:h", longopts, NULL)) != -1) {
		r = policy_opts_parse(&run_policy, c, optarg);
		if (r == 0)
			r = output_opt_parse(c, optarg, a, lim);
		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case 'E': a->stream_events = true; break;
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
	struct run_limits lim = { 0 };
	int err;

	err = parse_run_opts(argc, argv, &a, &lim);
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
		err = agent_run(&a, &stop_requested, lim.duration_s * 1000ULL);
	}
	if (lim.stats || err)
		agent_print_stats(&a, stderr);
	agent_fini(&a);
	return err ? 1 : 0;
}
