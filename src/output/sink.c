// SPDX-License-Identifier: GPL-2.0
/*
 * sink.c - the queue, the delivery thread and the spool policy shared by all
 * outputs (see sink.h). The back ends only render and send.
 *
 * Order: a record goes to the spool only behind everything already there,
 * and while the spool holds anything, the queue is moved behind it before
 * the next send; so records leave in the order they were submitted.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "output/sink_impl.h"

#define DEFAULT_QUEUE_LEN	4096
#define DEFAULT_SPOOL_BYTES	(64ull << 20)
#define DEFAULT_CLOSE_MS	2000
#define DEFAULT_RETRY_MIN_MS	250
#define DEFAULT_RETRY_MAX_MS	30000
#define DROP_REPORT_MS		10000	/* drops are logged at most this often */
#define IDLE_TICK_MS		1000

enum drop_reason { DROP_QUEUE_FULL, DROP_SPOOL_FULL, DROP_DISK, DROP_AT_CLOSE };

static const char *const drop_reason_text[] = {
	[DROP_QUEUE_FULL] = "queue full",
	[DROP_SPOOL_FULL] = "spool full",
	[DROP_DISK] = "spool write failed (disk full?)",
	[DROP_AT_CLOSE] = "shutting down, no spool",
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sink_time_rfc3339(char *buf, size_t len, uint64_t time_ns, int frac_digits)
{
	time_t sec = time_ns / 1000000000ull;
	uint64_t frac = time_ns % 1000000000ull;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac_digits > 0 && frac_digits <= 9) {
		for (int i = frac_digits; i < 9; i++)
			frac /= 10;
		snprintf(buf + n, len - n, ".%0*" PRIu64 "Z", frac_digits, frac);
	} else {
		snprintf(buf + n, len - n, "Z");
	}
}

int sink_format_parse(const char *s, enum sink_format *out)
{
	if (s && !strcmp(s, "json"))
		*out = SINK_FORMAT_JSON;
	else if (s && !strcmp(s, "text"))
		*out = SINK_FORMAT_TEXT;
	else
		return -EINVAL;
	return 0;
}

int sink_webhook_mode_parse(const char *s, enum sink_webhook_mode *out)
{
	if (s && !strcmp(s, "vigil"))
		*out = SINK_WEBHOOK_VIGIL;
	else if (s && !strcmp(s, "falco"))
		*out = SINK_WEBHOOK_FALCO;
	else
		return -EINVAL;
	return 0;
}

static void count_drop(struct sink *s, enum drop_reason why, uint64_t n)
{
	atomic_fetch_add(&s->st_dropped, n);
	atomic_fetch_add(&s->drops_unreported, n);
	atomic_store(&s->last_drop_reason, why);
}

/* One log line per interval for what was dropped, whatever the rate. */
static void report_drops(struct sink *s, bool now)
{
	uint64_t t = mono_ms(), n;

	if (!now && t - s->last_drop_report_ms < DROP_REPORT_MS)
		return;
	n = atomic_exchange(&s->drops_unreported, 0);
	if (!n)
		return;
	s->last_drop_report_ms = t;
	log_error("output '%s': dropped %" PRIu64 " alert(s) (%s); %" PRIu64 " dropped in total",
		  s->name, n, drop_reason_text[atomic_load(&s->last_drop_reason)],
		  atomic_load(&s->st_dropped));
}

static void mirror_spool_stats(struct sink *s)
{
	atomic_store(&s->st_spool_records, spool_pending(s->spool));
	atomic_store(&s->st_spool_bytes, spool_bytes(s->spool));
}

/* Take every queued entry out of the ring, in order, into s->batch. */
static size_t queue_take_all(struct sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->count;
	for (size_t i = 0; i < n; i++)
		s->batch[i] = s->ring[(s->head + i) % s->cap];
	s->head = (s->head + n) % s->cap;
	s->count = 0;
	atomic_store(&s->st_queued, 0);
	pthread_mutex_unlock(&s->mu);
	return n;
}

/*
 * Move the whole queue behind the spool: one append each, one sync for the
 * batch. Syncing per batch rather than per record loses nothing: the memory
 * copies are freed only after the sync, and nobody is told "stored" earlier.
 */
static void spool_queue(struct sink *s)
{
	size_t n = queue_take_all(s), stored = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = spool_append(s->spool, s->batch[i].buf, s->batch[i].len);
		if (rc == 0)
			stored++;
		else
			count_drop(s, rc == -EFBIG ? DROP_SPOOL_FULL : DROP_DISK, 1);
		free(s->batch[i].buf);
	}
	if (n && (rc = spool_sync(s->spool)) < 0)
		log_error("output '%s': spool '%s': sync failed: %s", s->name, spool_dir(s->spool),
			  strerror(-rc));
	atomic_fetch_add(&s->st_spooled, stored);
	mirror_spool_stats(s);
}

static void on_success(struct sink *s)
{
	if (!atomic_load(&s->st_healthy))
		log_info("output '%s': delivering again", s->name);
	atomic_store(&s->st_healthy, true);
	atomic_fetch_add(&s->st_delivered, 1);
	s->backoff_ms = 0;
	s->retry_at_ms = 0;
}

static void on_failure(struct sink *s)
{
	if (atomic_load(&s->st_healthy))
		log_warn("output '%s': delivery failed: %s; %s, retrying", s->name,
			 s->error[0] ? s->error : "unknown error",
			 s->spool ? "spooling" : "holding alerts in memory");
	atomic_store(&s->st_healthy, false);
	atomic_fetch_add(&s->st_failed, 1);
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : s->retry_min_ms;
	if (s->backoff_ms > s->retry_max_ms)
		s->backoff_ms = s->retry_max_ms;
	s->retry_at_ms = mono_ms() + s->backoff_ms;
}

enum step { STEP_SENT, STEP_FAILED, STEP_WAIT, STEP_IDLE };

static enum step send_from_spool(struct sink *s)
{
	const char *buf;
	size_t len;
	int rc = spool_peek(s->spool, &buf, &len);

	if (rc == -EBADMSG) {
		mirror_spool_stats(s);
		return STEP_SENT;	/* logged by the spool; go on with the next */
	}
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "spool '%s': cannot read: %s",
			 spool_dir(s->spool), strerror(-rc));
		on_failure(s);	/* and retry later, not in a tight loop */
		return STEP_FAILED;
	}
	s->error[0] = '\0';
	if (s->ops->send(s, buf, len) < 0) {
		on_failure(s);
		return STEP_FAILED;
	}
	rc = spool_ack(s->spool);
	if (rc < 0)
		log_error("output '%s': spool '%s': cannot write the cursor: %s", s->name,
			  spool_dir(s->spool), strerror(-rc));
	on_success(s);
	mirror_spool_stats(s);
	return STEP_SENT;
}

static enum step send_from_queue(struct sink *s)
{
	struct sink_entry e;

	pthread_mutex_lock(&s->mu);
	if (!s->count) {
		pthread_mutex_unlock(&s->mu);
		return STEP_IDLE;
	}
	e = s->ring[s->head];	/* stays valid: only this thread removes entries */
	pthread_mutex_unlock(&s->mu);

	s->error[0] = '\0';
	if (s->ops->send(s, e.buf, e.len) < 0) {
		on_failure(s);
		if (s->spool)
			spool_queue(s);	/* the failed head first, then the rest */
		return STEP_FAILED;
	}
	pthread_mutex_lock(&s->mu);
	s->head = (s->head + 1) % s->cap;
	s->count--;
	atomic_store(&s->st_queued, s->count);
	pthread_mutex_unlock(&s->mu);
	free(e.buf);
	on_success(s);
	return STEP_SENT;
}

static size_t queue_depth(struct sink *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->count;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* One delivery step: the spool first (it holds the oldest records), then the queue. */
static enum step deliver_one(struct sink *s)
{
	bool due = mono_ms() >= s->retry_at_ms;
	size_t depth = queue_depth(s);

	if (s->spool && depth &&
	    (spool_pending(s->spool) || !atomic_load(&s->st_healthy) || depth >= s->cap / 2))
		spool_queue(s);
	if (s->spool && spool_pending(s->spool))
		return due ? send_from_spool(s) : STEP_WAIT;
	if (queue_depth(s))
		return due ? send_from_queue(s) : STEP_WAIT;
	return STEP_IDLE;
}

/*
 * Sleep until there is something to do: a record to send (not before the
 * retry time), a record to spool while the destination is down, shutdown,
 * or the tick that reports drops.
 */
static void wait_for_work(struct sink *s)
{
	uint64_t now = mono_ms(), until = now + IDLE_TICK_MS;
	struct timespec ts;

	if (s->retry_at_ms > now && s->retry_at_ms < until)
		until = s->retry_at_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (until - now) / 1000;
	ts.tv_nsec += (long)((until - now) % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->closing) {
		bool backoff = s->retry_at_ms > mono_ms();

		if (s->count && (!backoff || s->spool))
			break;
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->mu);
}

/*
 * At shutdown: deliver (the spool first, as always) while it works and time
 * remains, stopping at the first failure; then what is left in memory goes
 * to the spool, or is counted as dropped without one.
 */
static void drain_at_close(struct sink *s)
{
	uint64_t deadline;
	enum step st = STEP_SENT;

	pthread_mutex_lock(&s->mu);
	deadline = s->close_deadline_ms;
	pthread_mutex_unlock(&s->mu);
	s->retry_at_ms = 0;	/* one more try, whatever the backoff said */
	while (st == STEP_SENT && mono_ms() < deadline) {
		if (s->spool && spool_pending(s->spool)) {
			if (queue_depth(s))
				spool_queue(s);
			st = send_from_spool(s);
		} else {
			st = send_from_queue(s);
		}
	}
	if (s->spool) {
		spool_queue(s);
	} else {
		size_t n = queue_take_all(s);

		for (size_t i = 0; i < n; i++)
			free(s->batch[i].buf);
		if (n)
			count_drop(s, DROP_AT_CLOSE, n);
	}
	report_drops(s, true);
}

static void *delivery_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		bool closing;
		enum step st;

		pthread_mutex_lock(&s->mu);
		closing = s->closing;
		pthread_mutex_unlock(&s->mu);
		if (closing)
			break;
		st = deliver_one(s);
		report_drops(s, false);
		if (st != STEP_SENT)
			wait_for_work(s);
	}
	drain_at_close(s);
	return NULL;
}

int sink_submit(struct sink *s, const struct out_record *r)
{
	struct json j;
	int rc;

	json_init(&j);
	rc = s->ops->render(s, r, &j);
	if (!rc && (j.oom || !j.buf))
		rc = -ENOMEM;
	if (rc) {
		json_free(&j);
		return rc;
	}
	pthread_mutex_lock(&s->mu);
	if (s->count == s->cap || s->closing) {
		bool closing = s->closing;

		pthread_mutex_unlock(&s->mu);
		json_free(&j);
		count_drop(s, closing ? DROP_AT_CLOSE : DROP_QUEUE_FULL, 1);
		return -ENOBUFS;
	}
	s->ring[(s->head + s->count) % s->cap] = (struct sink_entry){ j.buf, j.len };
	s->count++;
	atomic_store(&s->st_queued, s->count);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static int sink_init_sync(struct sink *s, const struct sink_options *o)
{
	pthread_condattr_t ca;

	if (pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&s->cv, &ca) || pthread_mutex_init(&s->mu, NULL))
		return -ENOMEM;
	pthread_condattr_destroy(&ca);
	s->cap = o->queue_len ? o->queue_len : DEFAULT_QUEUE_LEN;
	s->ring = calloc(s->cap, sizeof(*s->ring));
	s->batch = calloc(s->cap, sizeof(*s->batch));
	return s->ring && s->batch ? 0 : -ENOMEM;
}

static const char *const kind_names[] = {
	[SINK_FILE] = "file", [SINK_SYSLOG] = "syslog", [SINK_WEBHOOK] = "webhook",
};

static int sink_init_backend(struct sink *s, const struct sink_options *o, char *err,
			     size_t errlen)
{
	switch (o->kind) {
	case SINK_FILE:
		return sink_file_init(s, &o->file, err, errlen);
	case SINK_SYSLOG:
		return sink_syslog_init(s, &o->syslog, err, errlen);
	case SINK_WEBHOOK:
		return sink_webhook_init(s, &o->webhook, err, errlen);
	}
	snprintf(err, errlen, "output: unknown kind %d", (int)o->kind);
	return -EINVAL;
}

static void sink_free(struct sink *s)
{
	if (s->ops && s->ops->destroy)
		s->ops->destroy(s);
	if (s->spool) {
		spool_close(s->spool);
		s->spool = NULL;
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->ring);
	free(s->batch);
	free(s->name);
	free(s);
}

struct sink *sink_open(const struct sink_options *o, char *err, size_t errlen)
{
	struct sink *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || (unsigned)o->kind > SINK_WEBHOOK ||
	    !(s->name = strdup(o->name ? o->name : kind_names[o->kind])) ||
	    sink_init_sync(s, o)) {
		snprintf(err, errlen, "output: cannot set up: %s",
			 s && (unsigned)o->kind > SINK_WEBHOOK ? "unknown kind" : "out of memory");
		if (s)
			sink_free(s);
		return NULL;
	}
	s->kind = o->kind;
	atomic_store(&s->st_healthy, true);
	s->retry_min_ms = o->retry_min_ms ? o->retry_min_ms : DEFAULT_RETRY_MIN_MS;
	s->retry_max_ms = o->retry_max_ms ? o->retry_max_ms : DEFAULT_RETRY_MAX_MS;
	s->close_timeout_ms = o->close_timeout_ms ? o->close_timeout_ms : DEFAULT_CLOSE_MS;
	if (gethostname(s->hostname, sizeof(s->hostname) - 1) < 0 || !s->hostname[0])
		snprintf(s->hostname, sizeof(s->hostname), "localhost");
	rc = sink_init_backend(s, o, err, errlen);
	if (!rc && o->spool_dir)
		rc = spool_open(o->spool_dir, o->spool_max_bytes ? o->spool_max_bytes
					      : DEFAULT_SPOOL_BYTES, &s->spool, err, errlen);
	if (!rc && s->spool) {
		mirror_spool_stats(s);
		if (spool_pending(s->spool))
			log_info("output '%s': %" PRIu64 " spooled alert(s) from an earlier run "
				 "to deliver first", s->name, spool_pending(s->spool));
	}
	if (!rc && (rc = -pthread_create(&s->thread, NULL, delivery_main, s)))
		snprintf(err, errlen, "output '%s': cannot start its thread: %s", s->name,
			 strerror(-rc));
	if (rc) {
		sink_free(s);
		return NULL;
	}
	return s;
}

void sink_close(struct sink *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->closing = true;
	s->close_deadline_ms = mono_ms() + s->close_timeout_ms;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	sink_free(s);
}

void sink_stats(const struct sink *cs, struct sink_stats *st)
{
	struct sink *s = (struct sink *)cs;	/* atomics only */

	st->queued = atomic_load(&s->st_queued);
	st->delivered = atomic_load(&s->st_delivered);
	st->failed = atomic_load(&s->st_failed);
	st->spooled = atomic_load(&s->st_spooled);
	st->spool_records = atomic_load(&s->st_spool_records);
	st->spool_bytes = atomic_load(&s->st_spool_bytes);
	st->dropped = atomic_load(&s->st_dropped);
	st->healthy = atomic_load(&s->st_healthy);
}

const char *sink_name(const struct sink *s)
{
	return s->name;
}
