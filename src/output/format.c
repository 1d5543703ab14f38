// SPDX-License-Identifier: GPL-2.0
/* format.c - the common part of every event; see format.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "output/format.h"
#include "sensor/event_table.h"

void format_str(struct json *j, const char *key, const struct vgl_str *s)
{
	json_kv_strn(j, key, s->ptr, s->len);
}

const char *format_errno_name(int32_t ret)
{
	/* errno values are 1..4095; anything else is not an error code (and
	 * -INT32_MIN would overflow) */
	return ret < 0 && ret > -4096 ? strerrorname_np(-ret) : NULL;
}

void format_errno(struct json *j, const char *key, int32_t ret)
{
	const char *name = format_errno_name(ret);
	char tmp[24];

	if (!name) {
		snprintf(tmp, sizeof(tmp), "E%lld", -(long long)ret);
		name = tmp;
	}
	json_kv_str(j, key, name);
}

void format_dev(struct json *j, const char *key, uint32_t kdev)
{
	char tmp[24];

	/* kernel dev_t: 12-bit major, 20-bit minor */
	snprintf(tmp, sizeof(tmp), "%u:%u", kdev >> 20, kdev & 0xfffff);
	json_kv_str(j, key, tmp);
}

void format_mode(struct json *j, const char *key, uint32_t mode)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%04o", mode & 07777);
	json_kv_str(j, key, tmp);
}

void format_time(char *buf, size_t len, uint64_t realtime_ns)
{
	time_t sec = realtime_ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long long)(realtime_ns % 1000000000ULL));
}

static void format_proc(struct json *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;

	json_key(j, "proc");
	json_obj_begin(j);
	json_kv_u64(j, "pid", h->pid);
	json_kv_u64(j, "tid", h->tid);
	json_kv_u64(j, "ppid", h->ppid);
	json_kv_strn(j, "comm", h->comm, strnlen(h->comm, sizeof(h->comm)));
	json_kv_str(j, "exe", e->proc ? e->proc->exe : "");
	json_kv_str(j, "args", e->proc ? e->proc->args : "");
	json_kv_u64(j, "uid", h->uid);
	json_kv_u64(j, "gid", h->gid);
	json_kv_u64(j, "euid", h->euid);
	json_kv_u64(j, "egid", h->egid);
	if (h->loginuid == (uint32_t)-1)
		json_kv_i64(j, "loginuid", -1);
	else
		json_kv_u64(j, "loginuid", h->loginuid);
	json_kv_u64(j, "start_ns", h->start_ns);
	json_kv_u64(j, "cgroup_id", h->cgroup_id);
	json_kv_u64(j, "pidns", h->pidns);
	json_kv_u64(j, "mntns", h->mntns);
	json_obj_end(j);

	json_key(j, "ancestors");
	json_arr_begin(j);
	for (int i = 0; i < e->nr_anc; i++) {
		json_obj_begin(j);
		json_kv_u64(j, "pid", e->anc[i]->pid);
		json_kv_str(j, "comm", e->anc[i]->comm);
		json_kv_str(j, "exe", e->anc[i]->exe);
		json_kv_str(j, "args", e->anc[i]->args);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* "k:v,k2:v2" as {"k": "v", "k2": "v2"}. */
static void format_labels(struct json *j, const char *labels)
{
	const char *p = labels;

	json_key(j, "labels");
	json_obj_begin(j);
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *colon = memchr(p, ':', len);

		if (colon) {
			json_key_n(j, p, colon - p);
			json_strn(j, colon + 1, len - (colon - p) - 1);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	json_obj_end(j);
}

void format_container_members(struct json *j, const struct container_info *c)
{
	const struct container_meta *m = c ? c->meta : NULL;
	bool host = !container_info_is_container(c) && (!c || !c->ref.pod_uid[0]);

	json_kv_str(j, "id", host ? "host" : c->ref.id);
	json_kv_str(j, "runtime", host ? "host" : container_runtime_name(c->ref.runtime));
	if (c)
		json_kv_str(j, "cgroup", c->cgroup_path);
	if (host)
		return;
	json_kv_str(j, "name", m ? m->name : "");
	json_kv_str(j, "image", m ? m->image : "");
	json_kv_str(j, "pod", m ? m->pod_name : "");
	json_kv_str(j, "namespace", m ? m->pod_namespace : "");
	json_kv_str(j, "pod_uid", m && m->pod_uid[0] ? m->pod_uid : c->ref.pod_uid);
	format_labels(j, m ? m->labels : "");
	if (m && m->sandbox)
		json_kv_bool(j, "sandbox", true);
	/* the runtime's state has not answered yet: name and image may come later */
	if (c->meta_state == CMETA_PENDING || c->meta_state == CMETA_WAIT_EXEC)
		json_kv_bool(j, "metadata_pending", true);
}

static void format_container(struct json *j, const struct enriched_event *e)
{
	json_key(j, "container");
	json_obj_begin(j);
	format_container_members(j, e->ctr);
	json_obj_end(j);
}

void format_container_brief(char *buf, size_t size, const struct container_info *c)
{
	const struct container_meta *m = c ? c->meta : NULL;

	if (!c || c->ref.runtime == CRT_HOST)
		snprintf(buf, size, "host");
	else if (m && m->pod_name[0])
		snprintf(buf, size, "%.12s %s/%s/%s", c->ref.id, m->pod_namespace, m->pod_name,
			 m->name);
	else if (m && m->name[0])
		snprintf(buf, size, "%.12s %s", c->ref.id, m->name);
	else
		snprintf(buf, size, "%.12s", c->ref.id);
}

/* What the kernel (or the fanotify thread) did about the event. */
static void format_enforce(struct json *j, const struct vgl_hdr *h)
{
	static const struct { uint8_t flag; const char *name; } results[] = {
		{ VGL_HF_KILLED, "killed" }, { VGL_HF_DENIED, "denied" },
		{ VGL_HF_BLOCKED, "blocked" }, { VGL_HF_KILL_FAILED, "kill_failed" },
		{ VGL_HF_RATE_LIMITED, "rate_limited" },
	};
	const char *result = "protected";

	if (!h->enforce_rule)
		return;
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (h->hdr_flags & results[i].flag) {
			result = results[i].name;
			break;
		}
	json_key(j, "enforced");
	json_obj_begin(j);
	json_kv_u64(j, "rule_index", h->enforce_rule - 1);
	json_kv_str(j, "result", result);
	json_obj_end(j);
}

static void format_body(struct json *j, const struct event_view *v)
{
	const struct event_type_info *info = event_info(v->hdr->type);

	if (!strcmp(info->category, "process"))
		format_process_body(j, v);
	else if (!strcmp(info->category, "file"))
		format_file_body(j, v);
	else if (!strcmp(info->category, "memory"))
		format_memory_body(j, v);
	else if (!strcmp(info->category, "network"))
		format_net_body(j, v);
	else if (!strcmp(info->category, "container"))
		format_container_body(j, v);
	else if (!strcmp(info->category, "integrity"))
		format_scan_body(j, v);
	else
		format_priv_body(j, v);
}

void format_json(struct json *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	const struct event_type_info *info = event_info(h->type);
	char ts[64];

	format_time(ts, sizeof(ts), e->realtime_ns);
	json_obj_begin(j);
	json_kv_str(j, "time", ts);
	json_kv_u64(j, "ktime_ns", h->ts_ns);
	json_kv_str(j, "type", info->name);
	json_kv_str(j, "category", info->category);
	json_kv_i64(j, "ret", h->ret);
	if (h->ret < 0)
		format_errno(j, "error", h->ret);
	format_enforce(j, h);
	format_proc(j, e);
	format_container(j, e);
	format_body(j, &e->v);
	json_obj_end(j);
}

void format_text(struct json *j, const struct enriched_event *e)
{
	const struct vgl_hdr *h = e->v.hdr;
	const struct event_type_info *info = event_info(h->type);
	char ts[64], ctr[512];
	struct json body;

	format_time(ts, sizeof(ts), e->realtime_ns);
	format_container_brief(ctr, sizeof(ctr), e->ctr);
	json_appendf(j, "%.12s %-14s %7u %-15.*s %-12s", ts + 11, info->name, h->pid,
		     (int)strnlen(h->comm, sizeof(h->comm)), h->comm, ctr);
	if (h->ret < 0)
		json_appendf(j, " [%s]", format_errno_name(h->ret) ?: "error");
	/* the body as compact JSON: one format to maintain */
	json_init(&body);
	json_obj_begin(&body);
	format_body(&body, &e->v);
	json_obj_end(&body);
	if (body.buf)
		json_appendf(j, " %s", body.buf);
	json_free(&body);
}
