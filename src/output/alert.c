// SPDX-License-Identifier: GPL-2.0
/* alert.c - see alert.h. */
#include <string.h>
#include "output/alert.h"
#include "output/format.h"

static void strings(struct json *j, const char *key, char *const *v, size_t n)
{
	json_key(j, key);
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		json_str(j, v[i]);
	json_arr_end(j);
}

static void alert_rule(struct json *j, const struct rule *r)
{
	json_key(j, "rule");
	json_obj_begin(j);
	json_kv_str(j, "id", r->id);
	json_kv_str(j, "name", r->name);
	json_kv_str(j, "severity", severity_name(r->severity));
	strings(j, "mitre", r->mitre, r->nmitre);
	strings(j, "tags", r->tags, r->ntags);
	json_obj_end(j);
}

static void alert_process(struct json *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	const struct proc_entry *p = e->proc;

	json_key(j, "process");
	json_obj_begin(j);
	json_kv_u64(j, "pid", h->pid);
	json_kv_u64(j, "tid", h->tid);
	json_kv_u64(j, "ppid", h->ppid);
	json_kv_u64(j, "uid", h->uid);
	json_kv_strn(j, "name", h->comm, strnlen(h->comm, sizeof(h->comm)));
	json_kv_str(j, "exe", p ? p->exe : "");
	json_kv_str(j, "args", p ? p->args : "");
	json_kv_str(j, "cwd", p ? p->cwd : "");
	json_key(j, "ancestors");
	json_arr_begin(j);
	for (int i = 0; i < e->nr_anc; i++) {
		json_obj_begin(j);
		json_kv_u64(j, "pid", e->anc[i]->pid);
		json_kv_str(j, "name", e->anc[i]->comm);
		json_kv_str(j, "exe", e->anc[i]->exe);
		json_kv_str(j, "args", e->anc[i]->args);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void alert_container(struct json *j, const struct enriched_event *e)
{
	const struct container_info *c = e->ctr;

	json_key(j, "container");
	if (!c || c->ref.runtime == CRT_HOST) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	format_container_members(j, c);
	json_obj_end(j);
}

void alert_format_json(struct json *j, const struct alert *a, const struct enriched_event *e,
		       uint64_t latency_us)
{
	char ts[64];

	format_time(ts, sizeof(ts), e->realtime_ns);
	json_obj_begin(j);
	json_kv_str(j, "time", ts);
	json_kv_str(j, "kind", "alert");
	alert_rule(j, a->rule);
	json_kv_str(j, "message", a->message);
	json_kv_str(j, "action", a->action);
	if (a->by) {
		json_kv_str(j, "responder", a->by);
		if (a->respond_latency_us >= 0)
			json_kv_u64(j, "respond_latency_us", a->respond_latency_us);
	}
	if (a->incident_id) {
		json_kv_str(j, "incident_id", a->incident_id);
		json_kv_str(j, "incident_path", a->incident_path);
	}
	alert_process(j, e);
	alert_container(j, e);
	json_key(j, "event");
	format_json(j, e);
	json_kv_u64(j, "detect_latency_us", latency_us);
	json_obj_end(j);
}

void alert_format_text(struct json *j, const struct alert *a, const struct enriched_event *e,
		       uint64_t latency_us)
{
	char ts[64], ctr[512];
	const struct container_info *c = e->ctr;

	format_time(ts, sizeof(ts), e->realtime_ns);
	format_container_brief(ctr, sizeof(ctr), c);
	json_appendf(j, "%.23s %-8s %s %s [%s] (%s%s, %lluus)", ts, severity_name(a->rule->severity),
		     a->rule->id, a->message, a->action,
		     c && c->ref.runtime != CRT_HOST ? "container " : "", ctr,
		     (unsigned long long)latency_us);
}
