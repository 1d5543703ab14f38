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
#include "config/config.h"
#include "ops/httpd.h"
#include "log.h"

static volatile bool stop_requested;
static volatile sig_atomic_t reload_requested;
static struct policy_opts run_policy;
static struct respond_opts run_respond;
static const char *protect_list[PROTECTED_MAX + 1];
static const char *config_path;
static bool enforce_flag;
static const char *host_root_flag;
static const char *metrics_addr;	/* --metrics-addr, or the file's metrics.address */

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
		"  -c, --config FILE     read settings from FILE (see docs/configuration.md)\n"
		"      --enforce         act on kill and block rules (default: report would_kill,\n"
		"                        would_block)\n"
		"      --protect PATH    never act on this program (repeatable; replaces the\n"
		"                        built-in list of runtimes, kubelet, sshd and init)\n"
		"      --actions-per-sec N  kills or blocks per rule and second (default 100)\n"
		"      --pin-dir DIR     where network blocks are pinned (default /sys/fs/bpf/vigil)\n"
		"      --host-root DIR   the host's filesystem is mounted at DIR (vigil in a\n"
		"                        container): runtime state and cgroups are read there\n"
		"      --metrics-addr ADDR  serve /metrics, /healthz and /readyz on ADDR\n"
		"                        (IP:PORT, [IPv6]:PORT or :PORT; default: off)\n"
		"SIGHUP reloads the policies.\n");
}

/* Swap in freshly compiled policies, and the hooks they need. */
static int run_reload(struct agent *a)
{
	struct ruleset *rs;

	log_info("SIGHUP: reloading policies");
	if (policy_opts_build(&run_policy, &rs)) {
		log_error("reload failed: the previous policy stays in force");
		if (a->mdata)
			a->mdata->reload_failures++;
		return -1;
	}
	if (engine_swap(a->engine, rs)) {
		ruleset_free(rs);
		log_error("reload failed: out of memory; the previous policy stays in force");
		return -1;
	}
	a->filter.events = rs->events;
	agent_select(a, rs->events);
	if (a->responder && respond_reload(a->responder, rs))
		log_error("reload: enforcement of the new rules failed; see above");
	log_info("policies reloaded: %zu rules", rs->n);
	if (a->mdata)
		a->mdata->reloads++;
	return 0;
}

static int parse_run_opts(int argc, char **argv, struct agent *a, struct run_limits *lim)
{
	static const struct option longopts[] = {
		POLICY_LONGOPTS,
		OUTPUT_LONGOPTS,
		{ "events", no_argument, NULL, 'E' },
		{ "enforce", no_argument, NULL, 'F' },
		{ "config", required_argument, NULL, 'c' },
		{ "protect", required_argument, NULL, 'R' },
		{ "actions-per-sec", required_argument, NULL, 'A' },
		{ "pin-dir", required_argument, NULL, 'D' },
		{ "host-root", required_argument, NULL, 'H' },
		{ "metrics-addr", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "P:c:h", longopts, NULL)) != -1) {
		r = policy_opts_parse(&run_policy, c, optarg);
		if (r == 0)
			r = output_opt_parse(c, optarg, a, lim);
		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case 'E': a->stream_events = true; break;
		case 'F': enforce_flag = true; break;
		case 'c': config_path = optarg; break;
		case 'D': run_respond.pin_dir = optarg; break;
		case 'H': host_root_flag = optarg; break;
		case 'M': metrics_addr = optarg; break;
		case 'R':
			if (run_respond.nprotected == PROTECTED_MAX) {
				log_error("--protect: at most %d programs", PROTECTED_MAX);
				return -EINVAL;
			}
			protect_list[run_respond.nprotected++] = optarg;
			run_respond.protected_exes = protect_list;
			break;
		case 'A':
			if (parse_u32_opt("--actions-per-sec", optarg, &run_respond.actions_per_sec))
				return -EINVAL;
			break;
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

/* The configuration file under the command line: a flag given wins. */
static int apply_config(struct vigil_config *cfg)
{
	if (config_path && config_load(config_path, cfg))
		return -1;
	run_respond.enforce = enforce_flag || cfg->enforce;
	if (!run_respond.actions_per_sec)
		run_respond.actions_per_sec = cfg->actions_per_sec;
	if (!run_respond.protected_exes && cfg->protected_set) {
		for (size_t i = 0; i < cfg->nprotected; i++)
			protect_list[i] = cfg->protected[i];
		run_respond.protected_exes = protect_list;
		run_respond.nprotected = cfg->nprotected;
	}
	return 0;
}

/* containers: from the configuration file, --host-root over it. */
static int apply_container_opts(struct agent *a, const struct vigil_config *cfg)
{
	if (cfg->containers_set)
		a->ctr_opts = cfg->containers;
	else
		container_opts_default(&a->ctr_opts);
	a->ctr_opts_set = true;
	if (host_root_flag && runtime_paths_set(&a->ctr_opts.paths, "host_root", host_root_flag)) {
		log_error("option '--host-root': '%s' is not an absolute path", host_root_flag);
		return -1;
	}
	return 0;
}

/* The metrics and health server; its callbacks read what the loop publishes. */
static int ops_start(struct agent *a, struct httpd **out)
{
	struct httpd_handlers h = { agent_metrics, agent_live, agent_ready, a };
	char err[256];

	if (agent_measure(a))
		return -ENOMEM;
	*out = httpd_start(metrics_addr, &h, err, sizeof(err));
	if (!*out) {
		log_error("metrics: %s", err);
		return -EINVAL;
	}
	log_info("metrics: serving /metrics, /healthz and /readyz on %s", metrics_addr);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct httpd *ops = NULL;
	struct vigil_config cfg = { 0 };
	struct agent a = { .format = OUT_JSON };
	struct ruleset *rs;
	struct run_limits lim = { 0 };
	int err;

	err = parse_run_opts(argc, argv, &a, &lim);
	if (err)
		return err > 0 ? 0 : 2;
	if (apply_config(&cfg) || apply_container_opts(&a, &cfg))
		return 2;
	if (policy_opts_build(&run_policy, &rs)) {
		config_free(&cfg);
		return 1;	/* a bad policy never loads half-way */
	}
	a.engine = engine_new(rs);
	if (!a.engine || agent_open_output(&a)) {
		ruleset_free(a.engine ? NULL : rs);
		agent_fini(&a);
		config_free(&cfg);
		return 1;
	}
	a.filter.events = rs->events;
	a.reload_flag = &reload_requested;
	a.reload = run_reload;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	signal(SIGHUP, on_hup);
	signal(SIGPIPE, SIG_IGN);

	/* first, so probes answer ("starting") while the hooks load */
	err = metrics_addr ? ops_start(&a, &ops) : 0;
	if (!err)
		err = agent_init(&a);
	if (!err)
		err = agent_select(&a, rs->events);
	if (!err) {
		run_respond.hashes = a.hashes;
		run_respond.container_of = agent_container_of;
		run_respond.container_ctx = &a;
		err = respond_open(&a.responder, a.sensor, rs, &run_respond);
	}
	if (!err) {
		log_info("running: %zu rules", rs->n);
		err = agent_run(&a, &stop_requested, lim.duration_s * 1000ULL);
	}
	if (lim.stats || err)
		agent_print_stats(&a, stderr);
	httpd_stop(ops);
	agent_fini(&a);
	config_free(&cfg);
	return err ? 1 : 0;
}
