// SPDX-License-Identifier: GPL-2.0
/*
 * scan.c - `vigil scan`: run every integrity check once, put each finding
 * through the rules as a scan_finding event, print the alerts, then what
 * each check did (ran, not available and why, failed). Exit 0 without
 * alerts, 1 with alerts, 2 on error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "cmd/policy_opts.h"
#include "detect/engine.h"
#include "enrich/container.h"
#include "enrich/runtime_meta.h"
#include "log.h"
#include "output/alert.h"
#include "output/format.h"
#include "scan/scan.h"

struct scan_cmd {
	bool json;
	bool events;			/* --events: every finding as an event line too */
	struct engine *engine;
	struct proc_table *procs;
	struct container_cache *containers;
	uint64_t boot_to_real_ns;
	struct json line;
	unsigned int alerts;
};

static void scan_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil scan [options]   run the integrity checks once\n"
		POLICY_USAGE
		"  -f, --format FMT      text (default) or json\n"
		"      --events          print every finding as an event, alert or not\n"
		"      --min-age SECS    LD_PRELOAD check: processes running longer (default 60)\n"
		"  -v, --verbose         debug log\n"
		"exit status: 0 no alert, 1 alerts, 2 error\n");
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_alert(void *ctx, const struct alert *al, const struct enriched_event *e)
{
	struct scan_cmd *s = ctx;
	struct alert out = *al;

	/* the engine fills rule and message only: nothing acted, no incident */
	out.action = "alerted";
	out.by = NULL;
	out.respond_latency_us = -1;
	out.incident_id = NULL;
	out.incident_path = NULL;
	json_reset(&s->line);
	if (s->json)
		alert_format_json(&s->line, &out, e, 0);
	else
		alert_format_text(&s->line, &out, e, 0);
	printf("%s\n", s->line.buf);
	s->alerts++;
}

/* A finding as an event: enrich like the agent would, then the rules. */
static void on_finding(void *ctx, const struct scan_finding *f)
{
	struct scan_cmd *s = ctx;
	uint8_t rec[SCAN_RECORD_MAX];
	size_t n = scan_finding_record(f, NULL, clock_ns(CLOCK_BOOTTIME), rec, sizeof(rec));
	struct enriched_event e = {};
	struct engine_env env = { s->procs, NULL };

	if (!n || decode_record(rec, n, &e.v)) {
		log_warn("cannot make a record of a %s finding", scan_check_name(f->check));
		return;
	}
	e.realtime_ns = e.v.hdr->ts_ns + s->boot_to_real_ns;
	if (e.v.hdr->pid) {
		e.proc = proc_table_get(s->procs, e.v.hdr->pid, true);
		e.nr_anc = proc_table_ancestors(s->procs, e.v.hdr->pid, e.anc,
						FORMAT_ANCESTORS_MAX);
	}
	e.ctr = s->containers ? container_lookup(s->containers, e.v.hdr->cgroup_id) : NULL;
	if (s->events) {
		json_reset(&s->line);
		if (s->json)
			format_json(&s->line, &e);
		else
			format_text(&s->line, &e);
		printf("%s\n", s->line.buf);
	}
	engine_eval(s->engine, &e, &env, on_alert, s);
}

static void summary_json(const struct scan_report *r, unsigned int alerts)
{
	struct json j;

	json_init(&j);
	json_obj_begin(&j);
	json_kv_str(&j, "kind", "scan_summary");
	json_kv_u64(&j, "findings", r->findings);
	json_kv_u64(&j, "alerts", alerts);
	json_kv_u64(&j, "processes", r->processes);
	json_kv_u64(&j, "cpu_us", r->cpu_ns / 1000);
	json_kv_u64(&j, "wall_us", r->wall_ns / 1000);
	json_key(&j, "checks");
	json_arr_begin(&j);
	for (int i = 0; i < SCAN_CHK_MAX; i++) {
		const struct scan_check_result *c = &r->checks[i];

		json_obj_begin(&j);
		json_kv_str(&j, "name", c->name);
		json_kv_str(&j, "status", scan_status_name(c->status));
		if (c->reason[0])
			json_kv_str(&j, "reason", c->reason);
		json_kv_u64(&j, "examined", c->examined);
		json_kv_u64(&j, "findings", c->findings);
		json_kv_u64(&j, "cpu_us", c->cpu_ns / 1000);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	printf("%s\n", j.buf);
	json_free(&j);
}

static void summary_text(const struct scan_report *r, unsigned int alerts)
{
	printf("\nintegrity scan: %u findings, %u alerts; %u processes, %.3f s CPU, %.3f s\n",
	       r->findings, alerts, r->processes, r->cpu_ns / 1e9, r->wall_ns / 1e9);
	for (int i = 0; i < SCAN_CHK_MAX; i++) {
		const struct scan_check_result *c = &r->checks[i];

		if (c->status == SCAN_RAN)
			printf("  %-44s ran: %u examined, %u findings%s%s\n", c->title, c->examined,
			       c->findings, c->reason[0] ? "; " : "", c->reason);
		else
			printf("  %-44s %s: %s\n", c->title,
			       c->status == SCAN_FAILED ? "FAILED" : "not available", c->reason);
	}
}

static int parse_scan_opts(int argc, char **argv, struct scan_cmd *s, struct policy_opts *po,
			   struct scan_opts *so)
{
	static const struct option longopts[] = {
		POLICY_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "events", no_argument, NULL, 'e' },
		{ "min-age", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "P:f:vh", longopts, NULL)) != -1) {
		r = policy_opts_parse(po, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
			s->json = !strcmp(optarg, "json");
		} else if (c == 'e') {
			s->events = true;
		} else if (c == 'a') {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !*optarg || !v || v > 86400 * 365) {
				log_error("--min-age: '%s' is not a number of seconds (1 or more)",
					  optarg);
				return -1;
			}
			so->preload_min_age_s = v;
		} else if (c == 'v') {
			log_set_level(LOG_DEBUG);
		} else if (c == 'h') {
			scan_usage(stdout);
			return 1;
		} else {
			if (c == 'f')
				log_error("unknown format '%s': text or json", optarg);
			scan_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_cmd s = { 0 };
	struct scan_opts so = { 0 };
	struct policy_opts po = { 0 };
	struct container_opts co;
	struct scan_report report;
	struct ruleset *rs;
	int r = parse_scan_opts(argc, argv, &s, &po, &so);

	if (r)
		return r > 0 ? 0 : 2;
	if (geteuid() != 0)
		log_warn("not root: most checks will not be available");
	if (policy_opts_build(&po, &rs))
		return 2;
	s.engine = engine_new(rs);
	s.procs = proc_table_new(0, "/proc");
	container_opts_default(&co);
	s.containers = container_cache_open(&co);
	if (!s.engine || !s.procs) {
		log_error("out of memory");
		r = 2;
		goto out;
	}
	proc_table_seed(s.procs);
	json_init(&s.line);
	s.boot_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	if (scan_run(&so, on_finding, &s, &report)) {
		log_error("the scan could not start");
		r = 2;
		goto out;
	}
	if (s.json)
		summary_json(&report, s.alerts);
	else
		summary_text(&report, s.alerts);
	r = s.alerts ? 1 : 0;
out:
	fflush(stdout);
	json_free(&s.line);
	if (s.containers)
		container_cache_free(s.containers);
	proc_table_free(s.procs);
	if (s.engine)
		engine_free(s.engine);
	else
		ruleset_free(rs);
	return r;
}
