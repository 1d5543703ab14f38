// SPDX-License-Identifier: GPL-2.0
/* metrics.c - see metrics.h. Metric names are documented in docs/operations.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "ops/metrics.h"
#include "ops/prom.h"
#include "sensor/event_table.h"

const double metrics_lat_bounds[METRICS_LAT_BOUNDS] = {
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 1, 5,
};

void metrics_observe(struct metrics_hist *h, double seconds)
{
	h->counts[prom_bucket_index(metrics_lat_bounds, METRICS_LAT_BOUNDS, seconds)]++;
	h->sum += seconds;
}

void metrics_count_alert(struct metrics_data *d, const char *rule_id, const char *severity)
{
	struct metrics_rule *r;

	for (size_t i = 0; i < d->nrules; i++)
		if (!strcmp(d->rules[i].id, rule_id) && !strcmp(d->rules[i].severity, severity)) {
			d->rules[i].alerts++;
			return;
		}
	if (d->nrules == METRICS_RULES_MAX) {
		d->rules_overflow++;
		return;
	}
	r = &d->rules[d->nrules++];
	snprintf(r->id, sizeof(r->id), "%s", rule_id);
	snprintf(r->severity, sizeof(r->severity), "%s", severity);
	r->alerts = 1;
}

void metrics_count_action(struct metrics_data *d, const char *action, const char *by)
{
	struct metrics_action *a;

	by = by ? by : "";
	for (size_t i = 0; i < d->nactions; i++)
		if (!strcmp(d->actions[i].action, action) && !strcmp(d->actions[i].by, by)) {
			d->actions[i].n++;
			return;
		}
	if (d->nactions == METRICS_ACTIONS_MAX)
		return;
	a = &d->actions[d->nactions++];
	snprintf(a->action, sizeof(a->action), "%s", action);
	snprintf(a->by, sizeof(a->by), "%s", by);
	a->n = 1;
}

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void metrics_publish(struct metrics *m, const struct metrics_data *d)
{
	pthread_mutex_lock(&m->lock);
	m->pub = *d;
	m->published = true;
	pthread_mutex_unlock(&m->lock);
}

/* ---- rendering ---- */

static void write_events(FILE *f, const struct metrics_data *d)
{
	prom_family(f, "vigil_events_total", PROM_COUNTER,
		    "Event records received from the kernel, by type.");
	for (unsigned int t = 1; t < VGL_EV_MAX; t++)
		if (d->received[t])
			prom_u64(f, "vigil_events_total",
				 (struct prom_label[]){ { "type", event_info(t)->name } }, 1,
				 d->received[t]);
	prom_family(f, "vigil_events_lost_total", PROM_COUNTER,
		    "Event records the kernel could not deliver, by type (ring buffer full).");
	for (unsigned int t = 1; t < VGL_EV_MAX; t++)
		if (d->kernel_submitted[t] || d->kernel_lost[t])
			prom_u64(f, "vigil_events_lost_total",
				 (struct prom_label[]){ { "type", event_info(t)->name } }, 1,
				 d->kernel_lost[t]);
	prom_family(f, "vigil_kernel_lost_total", PROM_COUNTER,
		    "Records lost in the kernel, by reason.");
	prom_u64(f, "vigil_kernel_lost_total", (struct prom_label[]){ { "reason", "ringbuf_full" } },
		 1, d->lost_ringbuf);
	prom_u64(f, "vigil_kernel_lost_total", (struct prom_label[]){ { "reason", "nested" } }, 1,
		 d->lost_nested);
	prom_family(f, "vigil_paths_truncated_total", PROM_COUNTER,
		    "Paths cut to the kernel's bound.");
	prom_u64(f, "vigil_paths_truncated_total", NULL, 0, d->paths_truncated);
	prom_family(f, "vigil_decode_errors_total", PROM_COUNTER, "Malformed records dropped.");
	prom_u64(f, "vigil_decode_errors_total", NULL, 0, d->decode_errors);
	prom_family(f, "vigil_write_errors_total", PROM_COUNTER,
		    "Failed writes of the main output.");
	prom_u64(f, "vigil_write_errors_total", NULL, 0, d->write_errors);
}

static void write_detection(FILE *f, const struct metrics_data *d)
{
	prom_family(f, "vigil_alerts_total", PROM_COUNTER, "Alerts raised, by rule and severity.");
	for (size_t i = 0; i < d->nrules; i++)
		prom_u64(f, "vigil_alerts_total",
			 (struct prom_label[]){ { "rule", d->rules[i].id },
						{ "severity", d->rules[i].severity } }, 2,
			 d->rules[i].alerts);
	if (d->rules_overflow)
		prom_u64(f, "vigil_alerts_total",
			 (struct prom_label[]){ { "rule", "other" }, { "severity", "" } }, 2,
			 d->rules_overflow);
	prom_family(f, "vigil_actions_total", PROM_COUNTER,
		    "Outcomes of kill and block rules, by action and by what acted.");
	for (size_t i = 0; i < d->nactions; i++)
		prom_u64(f, "vigil_actions_total",
			 (struct prom_label[]){ { "action", d->actions[i].action },
						{ "responder", d->actions[i].by } }, 2,
			 d->actions[i].n);
	prom_family(f, "vigil_rules_loaded", PROM_GAUGE, "Rules in force.");
	prom_u64(f, "vigil_rules_loaded", NULL, 0, d->rules_loaded);
	prom_family(f, "vigil_reloads_total", PROM_COUNTER, "SIGHUP reloads, by result.");
	prom_u64(f, "vigil_reloads_total", (struct prom_label[]){ { "result", "ok" } }, 1,
		 d->reloads);
	prom_u64(f, "vigil_reloads_total", (struct prom_label[]){ { "result", "failed" } }, 1,
		 d->reload_failures);
}

static void write_hist(FILE *f, const char *name, const char *help, const struct metrics_hist *h)
{
	struct prom_histogram ph = { metrics_lat_bounds, METRICS_LAT_BOUNDS, h->counts, h->sum };

	prom_family(f, name, PROM_HISTOGRAM, help);
	prom_histogram(f, name, NULL, 0, &ph);
}

static void write_outputs(FILE *f, const struct metrics_data *d)
{
	static const struct { const char *name, *help; size_t off; enum prom_type type; } cols[] = {
		{ "vigil_output_queue_depth", "Alerts waiting in an output's memory queue.",
		  offsetof(struct metrics_output, queued), PROM_GAUGE },
		{ "vigil_output_delivered_total", "Alerts an output delivered.",
		  offsetof(struct metrics_output, delivered), PROM_COUNTER },
		{ "vigil_output_failures_total", "Failed delivery attempts of an output.",
		  offsetof(struct metrics_output, failed), PROM_COUNTER },
		{ "vigil_output_spool_records", "Alerts waiting in an output's disk spool.",
		  offsetof(struct metrics_output, spooled), PROM_GAUGE },
		{ "vigil_output_spool_bytes", "Bytes of an output's disk spool.",
		  offsetof(struct metrics_output, spool_bytes), PROM_GAUGE },
		{ "vigil_output_dropped_total", "Alerts an output lost (spool full).",
		  offsetof(struct metrics_output, dropped), PROM_COUNTER },
	};

	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
		prom_family(f, cols[c].name, cols[c].type, cols[c].help);
		for (size_t i = 0; i < d->noutputs; i++)
			prom_u64(f, cols[c].name,
				 (struct prom_label[]){ { "output", d->outputs[i].name } }, 1,
				 *(const uint64_t *)((const char *)&d->outputs[i] + cols[c].off));
	}
	prom_family(f, "vigil_output_healthy", PROM_GAUGE,
		    "1 when an output's last delivery attempt succeeded.");
	for (size_t i = 0; i < d->noutputs; i++)
		prom_u64(f, "vigil_output_healthy",
			 (struct prom_label[]){ { "output", d->outputs[i].name } }, 1,
			 d->outputs[i].healthy);
}

/* vigil's own resident memory, from /proc/self/statm. */
static uint64_t self_rss_bytes(void)
{
	unsigned long long size, rss;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &size, &rss);
	fclose(f);
	return n == 2 ? rss * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static void write_self(FILE *f, const struct metrics_data *d)
{
	struct rusage ru;
	double cpu = 0;

	if (!getrusage(RUSAGE_SELF, &ru))
		cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	prom_family(f, "vigil_process_cpu_seconds_total", PROM_COUNTER,
		    "CPU time vigil used (user and system).");
	prom_double(f, "vigil_process_cpu_seconds_total", NULL, 0, cpu);
	prom_family(f, "vigil_process_resident_memory_bytes", PROM_GAUGE, "vigil's resident memory.");
	prom_u64(f, "vigil_process_resident_memory_bytes", NULL, 0, self_rss_bytes());
	prom_family(f, "vigil_process_table_size", PROM_GAUGE, "Processes vigil tracks.");
	prom_u64(f, "vigil_process_table_size", NULL, 0, d->processes);
	prom_family(f, "vigil_container_table_size", PROM_GAUGE, "cgroups vigil has classified.");
	prom_u64(f, "vigil_container_table_size", NULL, 0, d->containers);
}

int metrics_write(struct metrics *m, FILE *out)
{
	struct metrics_data *d = malloc(sizeof(*d));

	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	*d = m->pub;
	pthread_mutex_unlock(&m->lock);
	write_events(out, d);
	write_detection(out, d);
	write_hist(out, "vigil_detection_latency_seconds",
		   "From the kernel event to its alert written.", &d->detect_latency);
	write_hist(out, "vigil_response_latency_seconds",
		   "From the kernel event to the kill or block (0 when the kernel acted).",
		   &d->respond_latency);
	write_hist(out, "vigil_rule_evaluation_seconds", "Rule evaluation time per event.",
		   &d->rule_eval);
	write_outputs(out, d);
	write_self(out, d);
	free(d);
	return ferror(out) ? -EIO : 0;
}
