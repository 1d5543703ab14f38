/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink.h - alert delivery: one sink per configured output (file or stdout,
 * syslog, HTTP webhook). Detection hands each alert to every sink with
 * sink_submit(), which renders the destination's payload into a private copy
 * and queues it: no I/O, no waiting on the destination. A delivery thread per
 * sink sends the queue in order. While the destination fails, or when the
 * queue fills up, records go to the sink's on-disk spool (spool.h) and are
 * replayed, oldest first, before anything newer. See docs/outputs.md.
 *
 * Typical use (the agent):
 *   struct sink *s = sink_open(&opts, err, sizeof(err));   // at start-up
 *   sink_submit(s, &rec);                                   // per alert
 *   sink_stats(s, &st);                                     // metrics, any thread
 *   sink_close(s);                                          // at shutdown
 */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One alert, as the agent has rendered it. Every pointer is borrowed for the
 * duration of sink_submit() only (the sink copies what it needs). Strings are
 * NUL-terminated; NULL is read as "".
 */
struct out_record {
	const char *json;		/* vigil's alert JSON object, one line, no newline */
	size_t json_len;		/* 0: strlen(json) */
	const char *text;		/* the human line (format text), no newline */
	int severity;			/* syslog scale: 0 emergency .. 7 debug */
	const char *rule_id;		/* e.g. "VGL-EXEC-001" */
	const char *rule_name;		/* Falco "rule" */
	const char *message;		/* the rule's rendered output sentence */
	const char *priority;		/* Falco word (Emergency..Debug); NULL: from severity */
	uint64_t time_ns;		/* event time, realtime clock, ns since the epoch */
	const char *const *tags;	/* Falco "tags" */
	size_t ntags;
	const char *const *field_names;	/* Falco "output_fields" (string values) */
	const char *const *field_values;
	size_t nfields;
	const char *hostname;		/* NULL: gethostname() at sink_open() */
};

enum sink_kind { SINK_FILE, SINK_SYSLOG, SINK_WEBHOOK };

enum sink_format {
	SINK_FORMAT_JSON,	/* out_record.json, one per line */
	SINK_FORMAT_TEXT,	/* out_record.text, one per line (coloured on a TTY) */
};

enum sink_webhook_mode {
	SINK_WEBHOOK_VIGIL,	/* body: out_record.json as is */
	SINK_WEBHOOK_FALCO,	/* body: Falco's alert payload (falco.h) */
};

struct sink_file_options {
	const char *path;		/* NULL or "-": stdout */
	enum sink_format format;
	uint64_t rotate_bytes;		/* rotate before a write would pass this; 0: never */
	unsigned keep;			/* rotated files kept: path.1 (newest) .. path.<keep> */
	int color;			/* text only: 1 always, 0 never, -1 when a TTY */
};

struct sink_syslog_options {
	/* "unix:/dev/log" (or a bare path), "udp://HOST:PORT", "tcp://HOST:PORT" */
	const char *address;
	const char *facility;		/* "kern".."local7" (RFC 5424 names); NULL: "auth" */
	const char *app_name;		/* APP-NAME; NULL: "vigil" */
	enum sink_format format;	/* MSG part: the alert JSON (default) or the text line */
	unsigned timeout_ms;		/* TCP connect and send timeout; 0: 5000 */
};

struct sink_webhook_options {
	const char *url;		/* http:// or https:// */
	enum sink_webhook_mode mode;
	const char *const *headers;	/* "Name: value" lines, added to every POST */
	size_t nheaders;
	const char *ca_file;		/* verify the server against this CA bundle */
	const char *cert_file;		/* client certificate (mutual TLS) */
	const char *key_file;		/* its private key */
	bool insecure;			/* skip server certificate and name checks */
	unsigned timeout_ms;		/* whole request; 0: 5000 */
	unsigned connect_timeout_ms;	/* 0: timeout_ms */
};

struct sink_options {
	const char *name;		/* for logs and metrics, e.g. "webhook"; NULL: the kind */
	enum sink_kind kind;
	size_t queue_len;		/* records held in memory; 0: 4096 */
	const char *spool_dir;		/* NULL: no spool (failures past the queue are dropped) */
	uint64_t spool_max_bytes;	/* 0: 64 MiB */
	unsigned close_timeout_ms;	/* sink_close() delivery budget; 0: 2000 */
	unsigned retry_min_ms;		/* first retry after a failure; 0: 250 */
	unsigned retry_max_ms;		/* backoff cap; 0: 30000 */
	union {
		struct sink_file_options file;
		struct sink_syslog_options syslog;
		struct sink_webhook_options webhook;
	};
};

/* Counters for metrics; read with sink_stats() from any thread. */
struct sink_stats {
	uint64_t queued;		/* records in memory now */
	uint64_t delivered;		/* total delivered */
	uint64_t failed;		/* total failed delivery attempts */
	uint64_t spooled;		/* total records written to the spool */
	uint64_t spool_records;		/* records in the spool now */
	uint64_t spool_bytes;		/* spool size on disk now */
	uint64_t dropped;		/* total lost: queue full without spool, spool or disk full */
	bool healthy;			/* the last attempt succeeded (true before any) */
};

/*
 * Validate the options, open the spool (replaying what a previous run left
 * comes first) and start the delivery thread. Returns the sink, or NULL with
 * a message naming the culprit in err, e.g. "webhook: bad url 'htp:/x': ...".
 */
struct sink *sink_open(const struct sink_options *opts, char *err, size_t errlen);

/*
 * Queue one alert. O(1) besides rendering the payload; never does I/O and
 * never waits on the destination. Thread-safe. Returns 0, or -ENOBUFS when
 * the record was dropped (queue full, or the sink is closing; counted in
 * dropped), -ENOMEM.
 */
int sink_submit(struct sink *s, const struct out_record *r);

/*
 * Deliver what is queued for at most close_timeout_ms (plus the one send
 * in flight, bounded by its own timeout), then move what is
 * left in memory to the spool (or count it as dropped without one), persist
 * the spool cursor and free the sink. NULL is a no-op.
 */
void sink_close(struct sink *s);

void sink_stats(const struct sink *s, struct sink_stats *st);
const char *sink_name(const struct sink *s);

/* Parse "json"/"text", "vigil"/"falco"; -EINVAL otherwise (for the config). */
int sink_format_parse(const char *s, enum sink_format *out);
int sink_webhook_mode_parse(const char *s, enum sink_webhook_mode *out);

#endif
