// SPDX-License-Identifier: GPL-2.0
/* deliver.c - see deliver.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "output/deliver.h"
#include "output/alert.h"
#include "detect/fields.h"
#include "log.h"

#define SPOOL_DIR_DEFAULT "/var/lib/vigil/spool"

/* Common options: queue, retries, and a spool of the output's own. */
static void common_opts(struct sink_options *so, const struct config_outputs *o, const char *name,
			char *spool, size_t len, bool spools)
{
	so->name = name;
	so->queue_len = o->queue_len;
	so->close_timeout_ms = o->close_timeout_ms;
	so->retry_min_ms = o->retry_min_ms;
	so->retry_max_ms = o->retry_max_ms;
	so->spool_max_bytes = o->spool_max_bytes;
	if (spools) {
		snprintf(spool, len, "%s/%s", o->spool_dir ? o->spool_dir : SPOOL_DIR_DEFAULT, name);
		so->spool_dir = spool;
	}
}

static int add_sink(struct deliver *d, const struct sink_options *so)
{
	char err[256];
	struct sink *s = sink_open(so, err, sizeof(err));

	if (!s) {
		log_error("outputs.%s: %s", so->name, err);
		return -EINVAL;
	}
	d->sinks[d->n++] = s;
	log_info("output %s: %s", so->name,
		 so->kind == SINK_FILE ? so->file.path :
		 so->kind == SINK_SYSLOG ? so->syslog.address : so->webhook.url);
	return 0;
}

static int open_file(struct deliver *d, const struct config_outputs *o)
{
	struct sink_options so = { .kind = SINK_FILE };
	char spool[512];

	common_opts(&so, o, "file", spool, sizeof(spool), false);
	so.file.path = o->file.path;
	so.file.rotate_bytes = o->file.rotate_bytes;
	so.file.keep = o->file.keep_set ? o->file.keep : 5;
	if (o->file.format)
		sink_format_parse(o->file.format, &so.file.format);
	return add_sink(d, &so);
}

static int open_syslog(struct deliver *d, const struct config_outputs *o)
{
	struct sink_options so = { .kind = SINK_SYSLOG };
	char spool[512];

	common_opts(&so, o, "syslog", spool, sizeof(spool), true);
	so.syslog.address = o->syslog.address;
	so.syslog.facility = o->syslog.facility;
	so.syslog.app_name = o->syslog.app_name;
	so.syslog.timeout_ms = o->syslog.timeout_ms;
	if (o->syslog.format)
		sink_format_parse(o->syslog.format, &so.syslog.format);
	return add_sink(d, &so);
}

static int open_webhook(struct deliver *d, const struct config_outputs *o)
{
	struct sink_options so = { .kind = SINK_WEBHOOK };
	char spool[512];

	common_opts(&so, o, "webhook", spool, sizeof(spool), true);
	so.webhook.url = o->webhook.url;
	if (o->webhook.format)
		sink_webhook_mode_parse(o->webhook.format, &so.webhook.mode);
	so.webhook.headers = (const char *const *)o->webhook.headers.v;
	so.webhook.nheaders = o->webhook.headers.n;
	so.webhook.ca_file = o->webhook.ca_file;
	so.webhook.cert_file = o->webhook.cert_file;
	so.webhook.key_file = o->webhook.key_file;
	so.webhook.insecure = o->webhook.insecure;
	so.webhook.timeout_ms = o->webhook.timeout_ms;
	so.webhook.connect_timeout_ms = o->webhook.connect_timeout_ms;
	return add_sink(d, &so);
}

int deliver_open(struct deliver *d, const struct config_outputs *o)
{
	int err = 0;

	memset(d, 0, sizeof(*d));
	json_init(&d->json);
	json_init(&d->text);
	if (o->file.path)
		err = open_file(d, o);
	if (!err && o->syslog.address)
		err = open_syslog(d, o);
	if (!err && o->webhook.url)
		err = open_webhook(d, o);
	if (err)
		deliver_close(d);
	return err;
}

/* vigil's severity on the syslog scale: critical is crit, info is info. */
static int syslog_severity(enum severity s)
{
	static const int map[] = {
		[SEV_INFO] = 6, [SEV_LOW] = 5, [SEV_MEDIUM] = 4, [SEV_HIGH] = 3, [SEV_CRITICAL] = 2,
	};

	return s <= SEV_CRITICAL ? map[s] : 4;
}

/* Fields named as Falco names them, for output_fields (falcosidekick keys
 * its labels on them). */
static const char *const falco_fields[] = {
	"evt.type", "proc.pid", "proc.name", "proc.exepath", "proc.cmdline", "proc.pname",
	"user.uid", "container.id", "container.name", "container.image", "k8s.ns.name",
	"k8s.pod.name",
};
#define NFALCO (sizeof(falco_fields) / sizeof(falco_fields[0]))

static size_t fill_fields(const struct enriched_event *e, const char *names[NFALCO],
			  char values[NFALCO][256])
{
	struct field_ctx ctx = { .e = e };
	size_t n = 0;

	for (size_t i = 0; i < NFALCO; i++) {
		const struct field_def *f = field_lookup(falco_fields[i], strlen(falco_fields[i]));
		struct fval v;

		if (!f || field_get(f, &ctx, 0, &v))
			continue;
		if (v.type == FT_STR || v.type == FT_ADDR)
			snprintf(values[n], 256, "%.*s", (int)v.len, v.s);
		else
			snprintf(values[n], 256, "%lld", (long long)v.i);
		names[n++] = falco_fields[i];
	}
	return n;
}

void deliver_alert(struct deliver *d, const struct alert *al, const struct enriched_event *e,
		   uint64_t latency_us)
{
	const char *names[NFALCO];
	char values[NFALCO][256];
	const char *vals[NFALCO];
	struct out_record r = { 0 };

	if (!d->n)
		return;
	json_reset(&d->json);
	alert_format_json(&d->json, al, e, latency_us);
	json_reset(&d->text);
	alert_format_text(&d->text, al, e, latency_us);
	r.nfields = fill_fields(e, names, values);
	for (size_t i = 0; i < r.nfields; i++)
		vals[i] = values[i];
	r.json = d->json.buf;
	r.json_len = d->json.len;
	r.text = d->text.buf;
	r.severity = syslog_severity(al->rule->severity);
	r.rule_id = al->rule->id;
	r.rule_name = al->rule->name;
	r.message = al->message;
	r.time_ns = e->realtime_ns;
	r.tags = (const char *const *)al->rule->tags;
	r.ntags = al->rule->ntags;
	r.field_names = names;
	r.field_values = vals;
	for (size_t i = 0; i < d->n; i++)
		sink_submit(d->sinks[i], &r);	/* never blocks; a drop is counted there */
}

void deliver_close(struct deliver *d)
{
	for (size_t i = 0; i < d->n; i++)
		sink_close(d->sinks[i]);
	d->n = 0;
	json_free(&d->json);
	json_free(&d->text);
}

bool deliver_healthy(const struct deliver *d, char *why, size_t len)
{
	for (size_t i = 0; i < d->n; i++) {
		struct sink_stats st;

		sink_stats(d->sinks[i], &st);
		if (!st.healthy) {
			snprintf(why, len, "output %s: the last delivery failed (%llu alerts spooled)",
				 sink_name(d->sinks[i]), (unsigned long long)st.spool_records);
			return false;
		}
	}
	return true;
}
