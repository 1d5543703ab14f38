// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - `vigil run`, the main job: load the policies, attach exactly the
 * hooks their rules need, and report alerts.
 *
 * Settings come from the command line over the configuration file
 * (/etc/vigil/vigil.yaml when it exists, or --config). SIGHUP reads the
 * file and the policies again, atomically: if either has a problem, what
 * runs stays as it is. The policies, the log level and `events` change at
 * once; settings that shape what was opened at start (enforcement, outputs,
 * metrics address, container paths, forensics) are reported as waiting for
 * a restart.
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
static struct policy_opts flag_policy;	/* as given on the command line */
static struct policy_opts run_policy;	/* merged with the file's */
static struct vigil_config run_cfg;	/* the file in force */
static struct respond_opts run_respond;
static const char *protect_list[PROTECTED_MAX + 1];
static const char *config_path;
static bool enforce_flag;
static const char *host_root_flag;
static const char *metrics_flag;
static const char *metrics_addr;	/* --metrics-addr, or the file's metrics.address */
static bool events_flag;
static const char *incidents_dir_flag;
static bool no_forensics_flag;
static event_mask_t forensics_mask;	/* event types the recorder adds to the rules' */
static bool verbose_flag;
static bool format_flag;

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
		"      --incidents-dir DIR  write incident bundles there (default\n"
		"                        /var/lib/vigil/incidents; see docs/forensics.md)\n"
		"      --no-forensics    no flight recorder and no incident bundles\n"
		"      --metrics-addr ADDR  serve /metrics, /healthz and /readyz on ADDR\n"
		"                        (IP:PORT, [IPv6]:PORT or :PORT; default: off)\n"
		"Settings: /etc/vigil/vigil.yaml if it exists; options given here win.\n"
		"SIGHUP reloads the configuration file and the policies.\n");
}

/* Settings that only take effect at start: say which changed. */
static void report_restart_settings(const struct vigil_config *old, const struct vigil_config *new)
{
	static const struct { const char *name; size_t off, len; } fixed[] = {
		{ "enforce", offsetof(struct vigil_config, enforce), sizeof(bool) },
		{ "actions_per_sec", offsetof(struct vigil_config, actions_per_sec), sizeof(uint32_t) },
		{ "containers", offsetof(struct vigil_config, containers),
		  sizeof(struct container_opts) },
	};
	static const struct { const char *name; size_t off; } strings[] = {
		{ "pin_dir", offsetof(struct vigil_config, pin_dir) },
		{ "event_loop_priority", offsetof(struct vigil_config, event_loop_priority) },
		{ "metrics.address", offsetof(struct vigil_config, metrics_address) },
		{ "outputs.file.path", offsetof(struct vigil_config, outputs.file.path) },
		{ "outputs.syslog.address", offsetof(struct vigil_config, outputs.syslog.address) },
		{ "outputs.webhook.url", offsetof(struct vigil_config, outputs.webhook.url) },
		{ "outputs.spool.dir", offsetof(struct vigil_config, outputs.spool_dir) },
		{ "forensics.dir", offsetof(struct vigil_config, forensics.dir) },
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (memcmp((const char *)old + fixed[i].off, (const char *)new + fixed[i].off,
			   fixed[i].len))
			log_warn("reload: '%s' changed: it takes effect when vigil restarts",
				 fixed[i].name);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		const char *a = *(char *const *)((const char *)old + strings[i].off);
		const char *b = *(char *const *)((const char *)new + strings[i].off);

		if ((a || b) && (!a || !b || strcmp(a, b)))
			log_warn("reload: '%s' changed: it takes effect when vigil restarts",
				 strings[i].name);
	}
}

/* The log level: -v wins, then the file, else info. */
static void apply_log_level(const struct vigil_config *cfg)
{
	log_set_level(verbose_flag ? LOG_DEBUG : cfg->log_level_set ? cfg->log_level : LOG_INFO);
}

/* Swap in the configuration file and the policies again, and the hooks
 * they need; nothing changes unless both load. */
static int run_reload(struct agent *a)
{
	struct vigil_config cfg = { 0 };
	struct policy_opts po;
	struct ruleset *rs;

	log_info("SIGHUP: reloading %s%s%spolicies", run_cfg.path ? "the configuration '" : "",
		 run_cfg.path ? run_cfg.path : "", run_cfg.path ? "' and the " : "");
	if (run_cfg.path && config_load(run_cfg.path, &cfg)) {
		log_error("reload failed: the configuration has problems (above); "
			  "the previous configuration and policies stay in force");
		config_free(&cfg);
		if (a->mdata)
			a->mdata->reload_failures++;
		return -1;
	}
	policy_opts_merge(&po, &flag_policy, &cfg);
	if (policy_opts_build(&po, &rs)) {
		log_error("reload failed: the previous configuration and policies stay in force");
		config_free(&cfg);
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
	if (!a->stream_events) {
		int opens = agent_filter_opens(a, rs), sockets = agent_filter_sockets(a, rs);

		if (opens || sockets)
			log_error("reload: the open or socket filter was not updated; see above");
	}
	agent_select(a, rs->events | forensics_mask);
	if (a->responder && respond_reload(a->responder, rs))
		log_error("reload: enforcement of the new rules failed; see above");
	report_restart_settings(&run_cfg, &cfg);
	config_free(&run_cfg);
	run_cfg = cfg;
	run_policy = po;	/* points into run_cfg and the command line */
	apply_log_level(&run_cfg);
	a->stream_events = events_flag || run_cfg.events;
	log_info("reloaded: %zu rules", rs->n);
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
		{ "incidents-dir", required_argument, NULL, 'I' },
		{ "no-forensics", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "P:c:h", longopts, NULL)) != -1) {
		verbose_flag |= c == 'v';
		format_flag |= c == 'f';
		r = policy_opts_parse(&flag_policy, c, optarg);
		if (r == 0)
			r = output_opt_parse(c, optarg, a, lim);
		if (r < 0)
			return -EINVAL;
		if (r > 0)
			continue;
		switch (c) {
		case 'E': events_flag = true; break;
		case 'F': enforce_flag = true; break;
		case 'c': config_path = optarg; break;
		case 'D': run_respond.pin_dir = optarg; break;
		case 'H': host_root_flag = optarg; break;
		case 'M': metrics_flag = optarg; break;
		case 'I': incidents_dir_flag = optarg; break;
		case 'N': no_forensics_flag = true; break;
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
static int apply_config(struct agent *a, struct vigil_config *cfg)
{
	if (!config_path && !access(CONFIG_DEFAULT_PATH, F_OK))
		config_path = CONFIG_DEFAULT_PATH;
	if (config_path && config_load(config_path, cfg))
		return -1;
	apply_log_level(cfg);
	run_respond.enforce = enforce_flag || cfg->enforce;
	if (!run_respond.actions_per_sec)
		run_respond.actions_per_sec = cfg->actions_per_sec;
	if (!run_respond.protected_exes && cfg->protected.set) {
		for (size_t i = 0; i < cfg->protected.n; i++)
			protect_list[i] = cfg->protected.v[i];
		run_respond.protected_exes = protect_list;
		run_respond.nprotected = cfg->protected.n;
	}
	if (!run_respond.pin_dir)
		run_respond.pin_dir = cfg->pin_dir;
	metrics_addr = metrics_flag ? metrics_flag : cfg->metrics_address;
	a->stream_events = events_flag || cfg->events;
	a->syscall_fallback = cfg->syscall_fallback;
	a->event_loop_priority = cfg->event_loop_priority;
	policy_opts_merge(&run_policy, &flag_policy, cfg);
	return 0;
}

/*
 * outputs: the main stream (stdout or -o FILE, -f over the file's format)
 * and the outputs that deliver on their own (file, syslog, webhook).
 */
static int apply_outputs(struct agent *a, const struct vigil_config *cfg, bool format_flag)
{
	const struct config_outputs *o = &cfg->outputs;

	a->color = -1;
	if (o->out.color)
		a->color = !strcmp(o->out.color, "always") ? 1 : !strcmp(o->out.color, "never") ? 0 : -1;
	if (!format_flag && o->out.format)
		a->format = !strcmp(o->out.format, "text") ? OUT_TEXT : OUT_JSON;
	if (o->out.enabled_set && !o->out.enabled && !a->out_path)
		a->out_path = "/dev/null";	/* alerts only where the outputs say */
	return deliver_open(&a->deliver, o) ? -1 : 0;
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

/*
 * Event types the flight recorder asks for beyond what the rules need:
 * by default the cheap ones an incident's timeline must show (where a
 * process connected, the memfds it made); with forensics.more_events also
 * the rest of the network and the files changed, at the cost of their
 * hooks. Opens are never added: they cost the most.
 */
#define FORENSICS_EVENTS "memfd_create,connect"
#define FORENSICS_MORE_EVENTS "process,network,memfd_create,unlink,rename,link,symlink,chmod,chown,truncate"

static uint64_t mib(uint32_t n)
{
	return (uint64_t)n << 20;
}

/* The recorder and the incident writer, from the file's forensics section. */
static int forensics_open(struct agent *a, const struct vigil_config *cfg, event_mask_t *mask)
{
	const struct config_forensics *f = &cfg->forensics;
	struct recorder_opts ro = {
		.window_ns = f->recorder.window_s * 1000000000ULL,
		.max_events = f->recorder.max_events,
		.ring_bytes = mib(f->recorder.ring_mb),
		.host_bytes = mib(f->recorder.host_mb),
		.total_bytes = mib(f->recorder.total_mb),
	};
	struct incidents_opts io = {
		.dir = incidents_dir_flag ? incidents_dir_flag : f->dir,
		.before_ns = f->before_s * 1000000000ULL,
		.after_ns = f->after_s * 1000000000ULL,
		.window_ns = f->window_s * 1000000000ULL,
		.max_open = f->max_open,
		.max_new_per_min = f->max_new_per_min,
		.capture_file_max = mib(f->capture_file_max_mb),
		.max_incident_bytes = mib(f->max_incident_mb),
		.capture_new_execs = f->capture_new_execs,
		.max_total_bytes = mib(f->max_total_mb),
		.max_age_ns = f->max_age_days * 86400ULL * 1000000000ULL,
		.boot_to_real_ns = a->boot_to_real_ns,
	};
	event_mask_t extra = 0;
	const char *bad;
	int bad_len;

	if (no_forensics_flag || (f->enabled_set && !f->enabled && !incidents_dir_flag))
		return 0;
	for (int s = SEV_INFO; f->min_severity && s <= SEV_CRITICAL; s++)
		if (!strcmp(f->min_severity, severity_name(s)))
			io.min_severity = INCIDENT_SEVERITY(s);
	if (event_mask_parse(f->more_events ? FORENSICS_MORE_EVENTS : FORENSICS_EVENTS, &extra,
			     &bad, &bad_len))
		return -EINVAL;
	a->recorder = recorder_new(&ro);
	io.recorder = a->recorder;
	a->incidents = a->recorder ? incidents_new(&io) : NULL;
	if (!a->incidents) {
		log_error("forensics: cannot start (see above); --no-forensics runs without it");
		return -EINVAL;
	}
	forensics_mask = extra;
	*mask |= extra;
	log_info("forensics: incident bundles in %s", io.dir ? io.dir : INCIDENTS_DIR);
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

/* Integrity scans: at start and every scan.interval_s (default: hourly). */
static void scan_start(struct agent *a, const struct vigil_config *cfg)
{
	struct scanner_opts so = {
		.interval_s = cfg->scan_interval_set ? cfg->scan_interval_s : 3600,
		.at_start = cfg->scan_at_start_set ? cfg->scan_at_start : true,
		.scan = { .self_pid = getpid() },
	};

	if (!so.interval_s && !so.at_start)
		return;
	a->scanner = scanner_start(&so);
	if (a->scanner)
		log_info("integrity scans: %s%s every %u s", so.at_start ? "now, then" : "",
			 so.at_start ? "" : "first in", so.interval_s);
}

int cmd_run(int argc, char **argv)
{
	struct httpd *ops = NULL;
	struct vigil_config *cfg = &run_cfg;
	struct agent a = { .format = OUT_JSON };
	struct ruleset *rs;
	struct run_limits lim = { 0 };
	int err;

	err = parse_run_opts(argc, argv, &a, &lim);
	if (err)
		return err > 0 ? 0 : 2;
	if (apply_config(&a, cfg) || apply_container_opts(&a, cfg) ||
	    apply_outputs(&a, cfg, format_flag))
		return 2;
	if (policy_opts_build(&run_policy, &rs)) {
		config_free(cfg);
		return 1;	/* a bad policy never loads half-way */
	}
	a.engine = engine_new(rs);
	if (!a.engine || agent_open_output(&a)) {
		ruleset_free(a.engine ? NULL : rs);
		agent_fini(&a);
		config_free(cfg);
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
	event_mask_t mask = rs->events;

	err = metrics_addr ? ops_start(&a, &ops) : 0;
	if (!err)
		err = agent_init(&a);
	if (!err)
		err = forensics_open(&a, cfg, &mask);
	/* --events shows every open of the types the rules select, not only
	 * those they could match */
	if (!err && !a.stream_events)
		err = agent_filter_opens(&a, rs);
	if (!err && !a.stream_events)
		err = agent_filter_sockets(&a, rs);
	if (!err)
		err = agent_select(&a, mask);
	if (!err) {
		run_respond.hashes = a.hashes;
		run_respond.container_of = agent_container_of;
		run_respond.container_ctx = &a;
		err = respond_open(&a.responder, a.sensor, rs, &run_respond);
	}
	if (!err)
		scan_start(&a, cfg);
	if (!err) {
		log_info("running: %zu rules", rs->n);
		err = agent_run(&a, &stop_requested, lim.duration_s * 1000ULL);
	}
	if (lim.stats || err)
		agent_print_stats(&a, stderr);
	httpd_stop(ops);
	agent_fini(&a);
	config_free(cfg);
	return err ? 1 : 0;
}
