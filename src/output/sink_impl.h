/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink_impl.h - what sink.c shares with the destination back ends
 * (sink_file.c, sink_syslog.c, sink_webhook.c). Not for other users.
 *
 * A back end renders a record into its wire payload in the submitter's
 * thread (render), and delivers one payload at a time in the delivery thread
 * (send). Payloads are opaque bytes to the queue and the spool, so what is
 * replayed after a restart is exactly what would have been sent.
 */
#ifndef VIGIL_SINK_IMPL_H
#define VIGIL_SINK_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include "output/json.h"
#include "output/sink.h"
#include "output/spool.h"

struct sink;

struct sink_ops {
	/* The complete payload for r into out. 0 or -errno. Any thread. */
	int (*render)(struct sink *s, const struct out_record *r, struct json *out);
	/* Deliver one payload. 0, or -errno with s->error set. Delivery thread. */
	int (*send)(struct sink *s, const char *buf, size_t len);
	void (*destroy)(struct sink *s);
};

struct sink_entry {
	char *buf;
	size_t len;
};

struct sink {
	char *name;
	enum sink_kind kind;
	const struct sink_ops *ops;
	void *priv;			/* the back end's state */
	char hostname[256];
	char error[512];		/* the last delivery error, for the log */

	/* queue: a ring of cap entries, guarded by mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sink_entry *ring;
	size_t cap, head, count;
	bool closing;
	uint64_t close_deadline_ms;

	/* delivery thread only */
	pthread_t thread;
	struct spool *spool;
	struct sink_entry *batch;	/* scratch for moving the queue to the spool */
	uint64_t retry_at_ms, backoff_ms, retry_min_ms, retry_max_ms;
	unsigned close_timeout_ms;
	uint64_t last_drop_report_ms;

	/* stats (sink.h), readable from any thread */
	_Atomic uint64_t st_queued, st_delivered, st_failed, st_spooled;
	_Atomic uint64_t st_spool_records, st_spool_bytes, st_dropped;
	_Atomic bool st_healthy;
	_Atomic uint64_t drops_unreported;
	_Atomic int last_drop_reason;
};

int sink_file_init(struct sink *s, const struct sink_file_options *o, char *err, size_t errlen);
int sink_syslog_init(struct sink *s, const struct sink_syslog_options *o, char *err,
		     size_t errlen);
int sink_webhook_init(struct sink *s, const struct sink_webhook_options *o, char *err,
		      size_t errlen);

/* RFC 3339 UTC time with frac_digits (0..9) decimals: 2024-05-01T10:20:30.123456Z */
void sink_time_rfc3339(char *buf, size_t len, uint64_t time_ns, int frac_digits);

/* "" for NULL */
static inline const char *sink_str(const char *s)
{
	return s ? s : "";
}

#endif
