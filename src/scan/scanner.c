// SPDX-License-Identifier: GPL-2.0
/*
 * scanner.c - periodic scans for `vigil run`, in a thread of their own so a
 * scan never stalls event processing. Findings become scan_finding records
 * in a bounded queue that the main loop drains into the pipeline
 * (agent_handle_record), like the fanotify thread's denial records: only
 * the event loop touches the process table, the rules and the outputs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "scan/scan.h"

struct queued {
	size_t size;
	uint8_t data[];
};

struct scanner {
	struct scanner_opts o;
	struct scan_state state;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	/* under lock */
	struct queued **q;
	size_t nq;
	uint64_t dropped;
	bool report_ready;
	struct scan_report report;
	unsigned int scans;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_finding(void *ctx, const struct scan_finding *f)
{
	struct scanner *s = ctx;
	uint8_t buf[SCAN_RECORD_MAX];
	size_t n = scan_finding_record(f, s->o.scan.proc_root, boot_ns(), buf, sizeof(buf));
	struct queued *q = n ? malloc(sizeof(*q) + n) : NULL;

	if (q) {
		q->size = n;
		memcpy(q->data, buf, n);
	}
	pthread_mutex_lock(&s->lock);
	if (q && s->nq < s->o.queue_max) {
		s->q[s->nq++] = q;
		q = NULL;
	} else {
		s->dropped++;
	}
	pthread_mutex_unlock(&s->lock);
	free(q);
}

/* Wait until the next scan is due; false when told to stop. */
static bool wait_turn(struct scanner *s, uint32_t delay_s)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += delay_s;
	pthread_mutex_lock(&s->lock);
	while (!s->stop &&
	       pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
		;
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return !stop;
}

static void *scanner_main(void *arg)
{
	struct scanner *s = arg;
	struct scan_report r;
	uint32_t delay = s->o.at_start ? 0 : s->o.interval_s;

	if (!s->o.at_start && !s->o.interval_s)
		return NULL;	/* nothing asked for */
	/* background work: let the event loop have the CPU first */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	while ((delay == 0 || wait_turn(s, delay))) {
		pthread_mutex_lock(&s->lock);
		bool stop = s->stop;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
		scan_run(&s->o.scan, on_finding, s, &r);
		pthread_mutex_lock(&s->lock);
		s->report = r;
		s->report_ready = true;
		pthread_mutex_unlock(&s->lock);
		if (!s->o.interval_s)
			break;
		delay = s->o.interval_s;
	}
	return NULL;
}

struct scanner *scanner_start(const struct scanner_opts *opts)
{
	struct scanner *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int err;

	if (!s) {
		log_error("cannot start the integrity scanner: out of memory");
		return NULL;
	}
	s->o = *opts;
	if (!s->o.queue_max)
		s->o.queue_max = 1024;
	s->o.scan.state = &s->state;
	s->q = calloc(s->o.queue_max, sizeof(*s->q));
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	err = s->q ? pthread_create(&s->thread, NULL, scanner_main, s) : ENOMEM;
	if (err) {
		log_error("cannot start the integrity scanner: %s", strerror(err));
		free(s->q);
		free(s);
		return NULL;
	}
	return s;
}

static void log_report(const struct scan_report *r, unsigned int nth)
{
	log_info("integrity scan: %u findings, %u processes, %.3f s CPU", r->findings,
		 r->processes, r->cpu_ns / 1e9);
	for (int i = 0; i < SCAN_CHK_MAX; i++) {
		const struct scan_check_result *c = &r->checks[i];

		/* what cannot run here does not change: say it once */
		if (c->status == SCAN_FAILED)
			log_warn("integrity scan: %s failed: %s", c->title, c->reason);
		else if (c->status == SCAN_NOT_AVAILABLE && nth == 1)
			log_info("integrity scan: %s: not available: %s", c->title, c->reason);
	}
}

int scanner_drain(struct scanner *s, scan_record_fn fn, void *ctx)
{
	struct queued **q;
	struct scan_report r;
	size_t n;
	uint64_t dropped;
	bool report;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->nq;
	if (!n && !s->report_ready) {
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	q = malloc((n ? n : 1) * sizeof(*q));
	if (!q) {
		pthread_mutex_unlock(&s->lock);
		return 0;	/* the queue keeps them for the next turn */
	}
	memcpy(q, s->q, n * sizeof(*q));
	s->nq = 0;
	dropped = s->dropped;
	s->dropped = 0;
	report = s->report_ready;
	s->report_ready = false;
	r = s->report;
	if (report)
		s->scans++;
	unsigned int nth = s->scans;
	pthread_mutex_unlock(&s->lock);

	for (size_t i = 0; i < n; i++) {
		fn(ctx, q[i]->data, q[i]->size);
		free(q[i]);
	}
	free(q);
	if (dropped)
		log_warn("integrity scan: %llu findings dropped (queue full)",
			 (unsigned long long)dropped);
	if (report)
		log_report(&r, nth);
	return (int)n;
}

void scanner_stop(struct scanner *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	for (size_t i = 0; i < s->nq; i++)
		free(s->q[i]);
	free(s->q);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
