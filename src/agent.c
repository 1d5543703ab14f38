// SPDX-License-Identifier: GPL-2.0
/* agent.c - the record pipeline; see agent.h. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "agent.h"
#include "decode/decode.h"
#include "log.h"
#include "detect/socket_filter.h"
#include "output/alert.h"
#include "output/format.h"
#include "sensor/features.h"

#define LOSS_CHECK_MS	1000

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * A container's first exec: the responder may watch its root filesystem
 * (drift). For plain runc, the rootfs and creation time from its state
 * file; for any other runtime the root of the exec'ing process, and the
 * cgroup's creation as the start.
 */
static void announce_container(struct agent *a, const struct container_info *ci, uint32_t pid)
{
	char rootfs[PATH_MAX];
	uint64_t created;

	if (!a->responder || !container_info_is_container(ci) ||
	    !container_announce(a->containers, ci->cgroup_id))
		return;
	if (ci->ref.runtime == CRT_RUNC) {
		if (!container_runc_rootfs(a->containers, ci->ref.id, rootfs, sizeof(rootfs),
					   &created))
			respond_note_container(a->responder, rootfs, created);
		return;
	}
	snprintf(rootfs, sizeof(rootfs), "/proc/%u/root", pid);
	respond_note_container(a->responder, rootfs, ci->seen_ns + a->boot_to_real_ns);
}

/* ---- container lifecycle ---- */

/*
 * Run a container_start or container_exit record, made here, through the
 * whole pipeline (rules, filter, output) like a kernel record. Called only
 * when no other record is half-way through it.
 */
static void emit_lifecycle(struct agent *a, const struct container_info *ci, uint16_t type,
			   uint32_t reason, uint32_t pid, const char *comm, uint64_t ts_ns)
{
	struct {
		struct vgl_hdr h;
		struct vgl_container body;
	} rec = {
		.h = { .type = type, .size = sizeof(rec), .ts_ns = ts_ns, .pid = pid, .tid = pid,
		       .loginuid = (uint32_t)-1, .cgroup_id = ci->cgroup_id },
		.body = { .reason = reason },
	};

	snprintf(rec.h.comm, sizeof(rec.h.comm), "%s", comm);
	a->in_lifecycle = true;
	agent_handle_record(a, &rec, sizeof(rec));
	a->in_lifecycle = false;
}

/*
 * container_start, once per container, when its metadata question is
 * settled (or at once when metadata is off): the event then says who the
 * container is. Its time is when vigil first saw the container.
 */
static void container_started(struct agent *a, const struct container_info *ci)
{
	if (!container_info_is_container(ci) || ci->meta_state == CMETA_PENDING ||
	    ci->meta_state == CMETA_WAIT_EXEC || !container_mark_started(a->containers, ci->cgroup_id))
		return;
	emit_lifecycle(a, ci, VGL_EV_CONTAINER_START, ci->start_reason, ci->creator_pid,
		       ci->creator_comm, ci->seen_ns);
}

static void on_container_ready(void *ctx, const struct container_info *ci)
{
	struct agent *a = ctx;

	container_started(a, ci);
	/* the kernel's container sets were held back until the metadata came */
	respond_note_cgroup(a->responder, ci->cgroup_id, ci, true);
}

/*
 * Before a record is enriched: apply the metadata the resolver found
 * (never waiting for it), and start the record's container if this is the
 * first vigil hears of it, so container_start precedes its events.
 */
static void containers_before(struct agent *a, const struct vgl_hdr *h)
{
	const struct container_info *ci;

	if (container_cache_has_results(a->containers))
		container_cache_collect(a->containers, on_container_ready, a);
	ci = container_lookup(a->containers, h->cgroup_id);
	if (!ci->started)
		container_started(a, ci);
}

/* A cgroup's creation: cache it from the kernel's path, ask for its metadata. */
static void cgroup_created(struct agent *a, const struct event_view *v)
{
	const struct vgl_cgroup *cg = EV_BODY(v, vgl_cgroup);
	const struct vgl_str *path = &v->strs[VGL_CGROUP_S_PATH];

	if (cg->op == VGL_CGROUP_MKDIR)
		container_cache_note_mkdir(a->containers, cg->id, path->ptr, path->len, v->hdr->pid,
					   v->hdr->comm, v->hdr->ts_ns);
}

/* A cgroup's removal, after its record went through: a container exited. */
static void cgroup_removed(struct agent *a, const struct event_view *v)
{
	const struct vgl_cgroup *cg = EV_BODY(v, vgl_cgroup);
	const struct container_info *ci;

	if (cg->op != VGL_CGROUP_RMDIR)
		return;
	if (a->recorder)
		recorder_forget(a->recorder, cg->id);
	ci = container_peek(a->containers, cg->id);
	if (container_info_is_container(ci)) {
		/* never started (its metadata never came): it still gets a pair */
		if (container_mark_started(a->containers, cg->id))
			emit_lifecycle(a, ci, VGL_EV_CONTAINER_START, ci->start_reason,
				       ci->creator_pid, ci->creator_comm, ci->seen_ns);
		ci = container_peek(a->containers, cg->id);
		if (ci)
			emit_lifecycle(a, ci, VGL_EV_CONTAINER_EXIT, VGL_CTR_REMOVED, v->hdr->pid,
				       v->hdr->comm, v->hdr->ts_ns);
	}
	container_cache_forget(a->containers, cg->id);
}

/* Between ring-buffer batches: metadata that came while nothing arrived. */
static void containers_idle(struct agent *a)
{
	if (container_cache_has_results(a->containers))
		container_cache_collect(a->containers, on_container_ready, a);
}

/* enrich: keep the process table true, then attach context to the event. */
static void enrich(struct agent *a, struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;

	if (!a->in_lifecycle) {
		containers_before(a, h);
		if (h->type == VGL_EV_CGROUP)
			cgroup_created(a, &e->v);
	}

	if (h->type == VGL_EV_EXEC && h->ret == 0) {
		const struct vgl_str *path = &e->v.strs[VGL_EXEC_S_PATH];
		const struct vgl_str *args = &e->v.strs[VGL_EXEC_S_ARGS];

		const struct vgl_str *cwd = &e->v.strs[VGL_EXEC_S_CWD];
		struct proc_entry *pe;

		proc_table_exec(a->procs, h->pid, h->ppid, h->start_ns, h->comm, path->ptr,
				path->len, args->ptr, args->len, h->uid, h->cgroup_id);
		pe = proc_table_get(a->procs, h->pid, false);
		if (pe) {
			const struct vgl_exec *x = EV_BODY(&e->v, vgl_exec);
			uint64_t ino[3];

			/* only pipes: inode numbers of other kinds can collide
			 * across file systems */
			for (int i = 0; i < 3; i++)
				ino[i] = x->stdio[i] == VGL_FD_PIPE ? x->stdio_ino[i] : 0;

			proc_entry_set_exec_ctx(pe, cwd->ptr, cwd->len, ino);
		}
		if (pe && !strcmp(pe->comm, "runc"))
			container_note_runc_argv(a->containers, args->ptr, args->len);
		container_recheck_pending(a->containers, h->cgroup_id);
	} else if (h->type == VGL_EV_FORK) {
		const struct vgl_fork *f = EV_BODY(&e->v, vgl_fork);

		proc_table_fork(a->procs, h->pid, f->child_pid, f->child_start_ns);
	}
	e->realtime_ns = h->ts_ns + a->boot_to_real_ns;
	/* a container_start of a container found running has no process */
	if (h->pid) {
		e->proc = proc_table_get(a->procs, h->pid, true);
		e->nr_anc = proc_table_ancestors(a->procs, h->pid, e->anc, FORMAT_ANCESTORS_MAX);
	}
	e->ctr = container_lookup(a->containers, h->cgroup_id);
	if (h->type == VGL_EV_EXEC && h->ret == 0)
		announce_container(a, e->ctr, h->pid);
}

/* "host", "any", an id prefix, or the container's name. */
static bool container_matches(const char *want, const struct container_info *c)
{
	bool host = !c || c->ref.runtime == CRT_HOST;

	if (!want || !strcmp(want, "any"))
		return true;
	if (!strcmp(want, "host"))
		return host;
	return !host && (!strncmp(c->ref.id, want, strlen(want)) ||
			 (c->meta && !strcmp(c->meta->name, want)));
}

static bool pod_matches(const struct trace_filter *f, const struct container_info *c)
{
	const struct container_meta *m = c ? c->meta : NULL;

	if (f->k8s_namespace && (!m || strcmp(m->pod_namespace, f->k8s_namespace)))
		return false;
	return !f->pod || (m && !strcmp(m->pod_name, f->pod));
}

static bool filter_pass(const struct trace_filter *f, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;

	if (!(f->events & EVENT_BIT(h->type)))
		return false;
	if (f->pid && h->pid != f->pid)
		return false;
	if (f->comm && strncmp(h->comm, f->comm, sizeof(h->comm)))
		return false;
	return container_matches(f->container, e->ctr) && pod_matches(f, e->ctr);
}

static void write_line(struct agent *a);

static void output(struct agent *a, const struct enriched_event *e)
{
	json_reset(&a->line);
	if (a->format == OUT_TEXT)
		format_text(&a->line, e);
	else
		format_json(&a->line, e);
	write_line(a);
	a->stats.output[e->v.hdr->type]++;
}

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);	/* vDSO: no system call */
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void write_line(struct agent *a)
{
	json_appendf(&a->line, "\n");
	/* buffered: one write per poll batch, not per event */
	if (fwrite(a->line.buf, 1, a->line.len, a->out) != a->line.len)
		a->stats.write_errors++;
}

/* An alert's numbers for GET /metrics. */
static void measure_alert(struct agent *a, const struct alert *al, uint64_t latency_us)
{
	struct metrics_data *d = a->mdata;

	if (!d)
		return;
	metrics_count_alert(d, al->rule->id, severity_name(al->rule->severity));
	metrics_observe(&d->detect_latency, latency_us / 1e6);
	if (strcmp(al->action, "alerted"))
		metrics_count_action(d, al->action, al->by);
	if (al->respond_latency_us >= 0 && al->by)
		metrics_observe(&d->respond_latency, al->respond_latency_us / 1e6);
}

/* The main stream's alert line; text on a terminal is coloured by severity. */
static void write_alert_line(struct agent *a, enum severity sev)
{
	static const char *const colors[] = {
		[SEV_INFO] = "\033[2m", [SEV_LOW] = "\033[36m", [SEV_MEDIUM] = "\033[33m",
		[SEV_HIGH] = "\033[31m", [SEV_CRITICAL] = "\033[1;31m",
	};

	if (a->format == OUT_TEXT && a->color < 0)
		a->color = a->out && isatty(fileno(a->out));
	if (a->format != OUT_TEXT || a->color != 1 || sev > SEV_CRITICAL || !a->out) {
		write_line(a);
		return;
	}
	fputs(colors[sev], a->out);
	fwrite(a->line.buf, 1, a->line.len, a->out);
	fputs("\033[0m\n", a->out);
}

static void on_alert(void *ctx, const struct alert *al, const struct enriched_event *e)
{
	struct agent *a = ctx;
	uint64_t now = boot_ns();
	uint64_t latency_us = now > e->v.hdr->ts_ns ? (now - e->v.hdr->ts_ns) / 1000 : 0;
	struct respond_result res;
	struct alert out = *al;

	respond_alert(a->responder, al, e, &res);
	out.action = res.action;
	out.by = res.by;
	out.respond_latency_us = res.latency_us;
	if (a->incidents)
		out.incident_id = incidents_on_alert(a->incidents, &out, e, &out.incident_path);
	if (e->v.hdr->enforce_rule == al->rule->index + 1)
		a->enforced_alerted = true;
	json_reset(&a->line);
	if (a->format == OUT_TEXT)
		alert_format_text(&a->line, &out, e, latency_us);
	else
		alert_format_json(&a->line, &out, e, latency_us);
	write_alert_line(a, al->rule->severity);
	deliver_alert(&a->deliver, &out, e, latency_us);
	a->stats.alerts++;
	measure_alert(a, &out, latency_us);
}

/*
 * The kernel (or the fanotify thread) acted on this event for a rule that
 * did not alert on it: a denied exec never became a successful one, or the
 * userspace view of a condition differs from the kernel's. The action is
 * reported all the same, as that rule's alert.
 */
static void alert_enforced(struct agent *a, const struct enriched_event *e,
			   const struct engine_env *env)
{
	const struct ruleset *rs = engine_rules(a->engine);
	uint32_t index = e->v.hdr->enforce_rule - 1;
	struct alert al = { .respond_latency_us = -1 };

	if (index >= rs->n) {
		log_warn("the kernel acted on rule #%u, unknown since a reload", index);
		return;
	}
	al.rule = rs->rules[index];
	engine_render(al.rule, e, env, al.message, sizeof(al.message));
	on_alert(a, &al, e);
}

int agent_handle_record(void *ctx, const void *data, size_t size)
{
	struct agent *a = ctx;
	struct enriched_event e = {};
	enum decode_error err = decode_record(data, size, &e.v);

	if (err) {
		if (a->stats.decode_errors++ < 10)
			log_warn("dropping a malformed record (%zu bytes): %s", size,
				 decode_error_str(err));
		return 0;
	}
	a->stats.received[e.v.hdr->type]++;
	enrich(a, &e);
	/* before detection: the alerting event is the last of "before" */
	if (a->recorder)
		recorder_add(a->recorder, data, size, e.v.hdr->cgroup_id, e.v.hdr->ts_ns,
			     container_info_is_container(e.ctr));
	if (e.v.hdr->type == VGL_EV_EXEC && a->responder)
		respond_note_cgroup(a->responder, e.v.hdr->cgroup_id, e.ctr, false);
	if (a->engine) {
		struct engine_env env = { a->procs, a->hashes };

		a->enforced_alerted = false;
		if (a->measure) {
			uint64_t t0 = mono_ns();

			engine_eval(a->engine, &e, &env, on_alert, a);
			metrics_observe(&a->mdata->rule_eval, (mono_ns() - t0) / 1e9);
		} else {
			engine_eval(a->engine, &e, &env, on_alert, a);
		}
		if (e.v.hdr->enforce_rule && !a->enforced_alerted)
			alert_enforced(a, &e, &env);
	}
	if ((!a->engine || a->stream_events) && filter_pass(&a->filter, &e))
		output(a, &e);
	if (a->incidents)
		incidents_on_event(a->incidents, &e);
	if (e.v.hdr->type == VGL_EV_EXIT)
		proc_table_exit_later(a->procs, e.v.hdr->pid, e.v.hdr->ts_ns);
	if (e.v.hdr->type == VGL_EV_CGROUP && !a->in_lifecycle)
		cgroup_removed(a, &e.v);
	return 0;
}

int agent_init(struct agent *a)
{
	struct sensor_opts opts = { .on_record = agent_handle_record, .ctx = a,
				    .syscall_fallback = a->syscall_fallback };
	int err;

	struct features fs;

	features_probe(&fs);
	features_log_summary(&fs);
	json_init(&a->line);
	a->procs = proc_table_new(0, "/proc");
	if (!a->ctr_opts_set)
		container_opts_default(&a->ctr_opts);
	a->containers = container_cache_open(&a->ctr_opts);
	a->hashes = exehash_new();
	if (!a->procs || !a->containers || !a->hashes)
		return -ENOMEM;
	err = sensor_open(&a->sensor, &opts);
	if (err)
		return err;
	a->boot_to_real_ns = sensor_boot_to_real_ns(a->sensor);
	/* seed after the hooks load: a process born in between is then seen
	 * by both, and both paths agree */
	log_debug("process table seeded with %d processes", proc_table_seed(a->procs));
	return 0;
}

const struct container_info *agent_container_of(void *ctx, uint64_t cgroup_id)
{
	struct agent *a = ctx;

	return container_lookup(a->containers, cgroup_id);
}

int agent_filter_opens(struct agent *a, const struct ruleset *rs)
{
	struct open_filter *f;
	int err = open_filter_build(rs, &f);

	if (err)
		return err;
	/* write the idle generation, then flip: never half a filter */
	err = open_filter_install(f, a->sensor, a->open_filter_gen ^ 1, true);
	if (err) {
		log_error("cannot load the open filter: %s", strerror(-err));
		open_filter_free(f);
		return err;
	}
	a->open_filter_gen ^= 1;
	if (f->set.all)
		log_info("open filter: every open is sent (%s)", f->why_all);
	else if (rs->events & EVENT_BIT(VGL_EV_OPEN))
		log_info("open filter: the kernel sends only opens the rules could match "
			 "(%u terms, %zu names)", f->set.nterms, f->nnames);
	open_filter_free(a->open_filter);
	a->open_filter = f;
	return 0;
}

int agent_filter_sockets(struct agent *a, const struct ruleset *rs)
{
	const char *why = NULL;
	uint32_t zero = 0, special_only = !socket_filter_needs_all(rs, &why);
	int fd = sensor_map_fd(a->sensor, "socket_filter");

	int err = fd < 0 ? fd : bpf_map_update_elem(fd, &zero, &special_only, BPF_ANY) ? -errno : 0;

	if (err) {
		log_error("cannot load the socket filter: %s", strerror(-err));
		return err;
	}
	if (!(rs->events & EVENT_BIT(VGL_EV_SOCKET)))
		return 0;
	if (special_only)
		log_info("socket filter: the kernel sends only raw and packet sockets");
	else
		log_info("socket filter: every socket is sent (%s can match an ordinary one)", why);
	return 0;
}

int agent_select(struct agent *a, event_mask_t mask)
{
	event_mask_t got = 0;
	int err = sensor_select(a->sensor, mask, &got);

	if (!err && (mask & ~got))
		log_warn("some requested event types are unavailable on this kernel");
	return err;
}

static uint64_t kernel_lost(struct agent *a)
{
	struct sensor_counters c;

	if (sensor_read_counters(a->sensor, &c))
		return 0;
	return c.kernel[VGL_CNT_LOST_RINGBUF] + c.kernel[VGL_CNT_LOST_NESTED];
}

/* A loss is reported as it happens, never only in a summary. */
static void report_losses(struct agent *a)
{
	uint64_t lost = kernel_lost(a);

	if (lost > a->last_lost)
		log_warn("%llu events lost in the kernel (total %llu): the reader is too slow",
			 (unsigned long long)(lost - a->last_lost), (unsigned long long)lost);
	a->last_lost = lost;
}

/* ---- self-measurement ---- */

#define PUBLISH_MS	1000
#define LIVE_MAX_MS	30000	/* a loop turn older than this: not alive */

int agent_measure(struct agent *a)
{
	a->mdata = calloc(1, sizeof(*a->mdata));
	if (!a->mdata)
		return -ENOMEM;
	metrics_init(&a->metrics);
	a->measure = true;
	return 0;
}

/* Copy the loop's numbers, and the kernel's counters, for scrapes. */
static void publish_metrics(struct agent *a)
{
	struct metrics_data *d = a->mdata;
	struct sensor_counters c = {};

	if (!d)
		return;
	memcpy(d->received, a->stats.received, sizeof(d->received));
	d->decode_errors = a->stats.decode_errors;
	d->write_errors = a->stats.write_errors;
	if (a->sensor && !sensor_read_counters(a->sensor, &c)) {
		d->lost_ringbuf = c.kernel[VGL_CNT_LOST_RINGBUF];
		d->lost_nested = c.kernel[VGL_CNT_LOST_NESTED];
		d->paths_truncated = c.kernel[VGL_CNT_PATH_TRUNC];
		for (unsigned int t = 0; t < VGL_EV_MAX; t++) {
			d->kernel_submitted[t] = c.per_type[t][VGL_TC_SUBMITTED];
			d->kernel_lost[t] = c.per_type[t][VGL_TC_LOST];
		}
	}
	d->processes = proc_table_size(a->procs);
	d->containers = container_cache_size(a->containers);
	d->rules_loaded = a->engine ? engine_rules(a->engine)->n : 0;
	d->noutputs = 0;
	for (size_t i = 0; i < a->deliver.n && i < METRICS_OUTPUTS_MAX; i++) {
		struct metrics_output *mo = &d->outputs[d->noutputs++];
		struct sink_stats st;

		sink_stats(a->deliver.sinks[i], &st);
		snprintf(mo->name, sizeof(mo->name), "%s", sink_name(a->deliver.sinks[i]));
		mo->queued = st.queued;
		mo->delivered = st.delivered;
		mo->failed = st.failed;
		mo->spooled = st.spool_records;
		mo->spool_bytes = st.spool_bytes;
		mo->dropped = st.dropped;
		mo->healthy = st.healthy;
	}
	metrics_publish(&a->metrics, d);
	a->published_ms = now_ms();
}

int agent_metrics(void *ctx, FILE *out)
{
	struct agent *a = ctx;

	return metrics_write(&a->metrics, out);
}

bool agent_live(void *ctx, char *why, size_t len)
{
	struct agent *a = ctx;
	uint64_t beat = __atomic_load_n(&a->heartbeat_ms, __ATOMIC_RELAXED), now = now_ms();

	if (beat && now - beat > LIVE_MAX_MS) {
		snprintf(why, len, "the event loop has not turned for %llu s",
			 (unsigned long long)(now - beat) / 1000);
		return false;
	}
	return true;
}

bool agent_ready(void *ctx, char *why, size_t len)
{
	struct agent *a = ctx;

	if (!__atomic_load_n(&a->running, __ATOMIC_ACQUIRE)) {
		snprintf(why, len, "starting: hooks not attached yet");
		return false;
	}
	return agent_live(ctx, why, len) && deliver_healthy(&a->deliver, why, len);
}

/*
 * The thread that reads the ring buffer runs ahead of the workload. Woken by
 * a record, a normal-priority reader waits until the task that woke it
 * (often the one that just exec'd, on the same CPU) blocks or uses up its
 * slice: the idle detection latency p99 was ~1 ms here for that alone. At
 * nice -10 it was ~0.8 ms, as SCHED_FIFO 1 ("realtime", the default) 0.18
 * ms. The loop uses little CPU and blocks every SENSOR_POLL_MS; should it
 * ever spin, RLIMIT_RTTIME (a second of CPU without blocking) raises
 * SIGXCPU and the thread drops back to nice -10, and the kernel's RT
 * throttling caps it meanwhile.
 */
#define EVENT_LOOP_NICE		(-10)
#define EVENT_LOOP_RTTIME_US	1000000

static pid_t event_loop_tid;
static volatile sig_atomic_t event_loop_demoted;

static void demote_event_loop(int sig)
{
	struct sched_param sp = { 0 };

	sched_setscheduler(event_loop_tid, SCHED_OTHER, &sp);
	setpriority(PRIO_PROCESS, event_loop_tid, EVENT_LOOP_NICE);
	event_loop_demoted = 1;
}

static bool event_loop_realtime(void)
{
	struct rlimit rt = { EVENT_LOOP_RTTIME_US, RLIM_INFINITY };
	struct sigaction sa = { .sa_handler = demote_event_loop };
	struct sched_param sp = { .sched_priority = 1 };
	int err;

	getrlimit(RLIMIT_RTTIME, &rt);
	rt.rlim_cur = EVENT_LOOP_RTTIME_US;
	if (rt.rlim_max < rt.rlim_cur)
		rt.rlim_cur = rt.rlim_max;
	if (setrlimit(RLIMIT_RTTIME, &rt) || sigaction(SIGXCPU, &sa, NULL)) {
		log_warn("event_loop_priority realtime: cannot set its CPU-time watchdog (%s); "
			 "using nice %d", strerror(errno), EVENT_LOOP_NICE);
		return false;
	}
	err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (err)
		log_warn("event_loop_priority realtime: cannot use SCHED_FIFO (%s); using nice %d",
			 strerror(err), EVENT_LOOP_NICE);
	return !err;
}

static void set_event_loop_priority(const char *prio)
{
	event_loop_tid = syscall(SYS_gettid);
	if (prio && !strcmp(prio, "normal"))
		return;
	if ((!prio || !strcmp(prio, "realtime")) && event_loop_realtime())
		return;
	/* per thread on Linux: the helper threads keep their own priority */
	if (setpriority(PRIO_PROCESS, event_loop_tid, EVENT_LOOP_NICE))
		log_warn("event_loop_priority: cannot raise the event loop's priority to nice %d "
			 "(%s; needs CAP_SYS_NICE): alerts may wait for the scheduler (~1 ms)",
			 EVENT_LOOP_NICE, strerror(errno));
}

int agent_run(struct agent *a, volatile bool *stop, uint64_t duration_ms)
{
	uint64_t start = now_ms(), last_check = start;

	set_event_loop_priority(a->event_loop_priority);

	__atomic_store_n(&a->heartbeat_ms, start, __ATOMIC_RELAXED);
	__atomic_store_n(&a->running, true, __ATOMIC_RELEASE);
	publish_metrics(a);
	while (!*stop) {
		int n = sensor_poll(a->sensor, SENSOR_POLL_MS);

		if (n < 0 && n != -EINTR) {
			log_error("ring buffer poll failed: %s", strerror(-n));
			return n;
		}
		respond_drain(a->responder, agent_handle_record, a);
		scanner_drain(a->scanner, agent_handle_record, a);
		containers_idle(a);
		if (a->incidents)
			incidents_tick(a->incidents, boot_ns());
		fflush(a->out);
		if (a->reload_flag && *a->reload_flag) {
			*a->reload_flag = 0;
			/* what happened before the signal is judged by the old rules
			 * (the signal may have cut the poll short of reading it) */
			while (sensor_poll(a->sensor, 0) > 0)
				;
			if (a->reload)
				a->reload(a);
		}
		if (event_loop_demoted == 1) {
			event_loop_demoted = 2;
			log_warn("event loop ran %d ms of CPU without blocking at realtime priority: "
				 "it now runs at nice %d", EVENT_LOOP_RTTIME_US / 1000, EVENT_LOOP_NICE);
		}
		uint64_t t = now_ms();
		__atomic_store_n(&a->heartbeat_ms, t, __ATOMIC_RELAXED);
		if (a->mdata && t - a->published_ms >= PUBLISH_MS)
			publish_metrics(a);
		if (t - last_check >= LOSS_CHECK_MS) {
			report_losses(a);
			last_check = t;
		}
		if (duration_ms && t - start >= duration_ms)
			break;
	}
	/* drain what is already in the ring */
	while (sensor_poll(a->sensor, 0) > 0)
		;
	respond_drain(a->responder, agent_handle_record, a);
	scanner_drain(a->scanner, agent_handle_record, a);
	fflush(a->out);
	report_losses(a);
	__atomic_store_n(&a->running, false, __ATOMIC_RELEASE);
	publish_metrics(a);
	return 0;
}

void agent_print_stats(struct agent *a, FILE *f)
{
	struct sensor_counters c = {};

	if (!a->sensor)
		return;
	sensor_read_counters(a->sensor, &c);
	fprintf(f, "kernel: submitted %llu, lost (ring buffer full) %llu, lost (nested) %llu, "
		   "paths truncated %llu, filtered %llu\n",
		(unsigned long long)c.kernel[VGL_CNT_EVENTS],
		(unsigned long long)c.kernel[VGL_CNT_LOST_RINGBUF],
		(unsigned long long)c.kernel[VGL_CNT_LOST_NESTED],
		(unsigned long long)c.kernel[VGL_CNT_PATH_TRUNC],
		(unsigned long long)c.kernel[VGL_CNT_FILTERED]);
	fprintf(f, "userspace: alerts %llu, decode errors %llu, write errors %llu, processes %zu, "
		   "cgroups %zu\n",
		(unsigned long long)a->stats.alerts, (unsigned long long)a->stats.decode_errors,
		(unsigned long long)a->stats.write_errors, proc_table_size(a->procs),
		container_cache_size(a->containers));
	for (unsigned int t = 1; t < VGL_EV_MAX; t++)
		if (a->stats.received[t] || c.per_type[t][VGL_TC_LOST])
			fprintf(f, "  %-18s submitted %llu, lost %llu, received %llu, output %llu\n",
				event_info(t)->name,
				(unsigned long long)c.per_type[t][VGL_TC_SUBMITTED],
				(unsigned long long)c.per_type[t][VGL_TC_LOST],
				(unsigned long long)a->stats.received[t],
				(unsigned long long)a->stats.output[t]);
}

void agent_fini(struct agent *a)
{
	scanner_stop(a->scanner);
	deliver_close(&a->deliver);	/* flushes within budget, spools the rest */
	incidents_free(a->incidents);	/* closes open incidents, flushes bundles */
	open_filter_free(a->open_filter);
	recorder_free(a->recorder);
	respond_close(a->responder);
	engine_free(a->engine);
	exehash_free(a->hashes);
	sensor_close(a->sensor);
	proc_table_free(a->procs);
	if (a->containers)
		container_cache_free(a->containers);
	json_free(&a->line);
	free(a->mdata);
	a->mdata = NULL;
	if (a->out && a->out != stdout)
		fclose(a->out);
}

int agent_open_output(struct agent *a)
{
	static char buf[1 << 16];

	if (!a->out_path) {
		a->out = stdout;
	} else {
		a->out = fopen(a->out_path, "a");
		if (!a->out) {
			int err = errno;

			log_error("cannot open output '%s': %s", a->out_path, strerror(err));
			return -err;
		}
	}
	setvbuf(a->out, buf, _IOFBF, sizeof(buf));
	return 0;
}
