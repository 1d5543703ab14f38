/* SPDX-License-Identifier: GPL-2.0 */
/*
 * format.h - an enriched event as one JSON object (the schema in
 * docs/events.md) or one line of text. The common part (time, process,
 * ancestry, container) is written here; each concern formats its own body
 * (format_process.c, format_file.c, format_memory.c, format_net.c,
 * format_priv.c).
 */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdint.h>
#include "decode/decode.h"
#include "enrich/proctable.h"
#include "enrich/container.h"
#include "output/json.h"

#define FORMAT_ANCESTORS_MAX 8

struct enriched_event {
	struct event_view v;
	uint64_t realtime_ns;			/* event time on the realtime clock */
	const struct proc_entry *proc;		/* may be NULL */
	const struct proc_entry *anc[FORMAT_ANCESTORS_MAX];
	int nr_anc;
	const struct container_info *ctr;	/* may be NULL (host) */
};

/* Whole event as a JSON object (no trailing newline). */
void format_json(struct json *j, const struct enriched_event *e);

/* Whole event as one text line (no trailing newline). */
void format_text(struct json *j, const struct enriched_event *e);

/* Body writers: each writes "key": {...} members into the open event object. */
void format_process_body(struct json *j, const struct event_view *v);
void format_file_body(struct json *j, const struct event_view *v);
void format_memory_body(struct json *j, const struct event_view *v);
void format_net_body(struct json *j, const struct event_view *v);
void format_priv_body(struct json *j, const struct event_view *v);
void format_container_body(struct json *j, const struct event_view *v);
void format_scan_body(struct json *j, const struct event_view *v);

/* The members of the "container" object (id, runtime, cgroup; for containers
 * name, image, pod, namespace, pod_uid, labels) into an open object. */
void format_container_members(struct json *j, const struct container_info *c);

/* "host", "<id12>", "<id12> <name>" or "<id12> <namespace>/<pod>/<name>". */
void format_container_brief(char *buf, size_t size, const struct container_info *c);

/* Symbolic names the rule engine shares with the formatters (NULL: unknown). */
const char *net_family_name(unsigned int family);
const char *net_type_name(unsigned int type);
const char *net_proto_name(unsigned int family, unsigned int proto);
const char *priv_syscall_name(uint64_t nr);
const char *file_syscall_name(uint16_t nr);	/* "unknown" when unknown */
const char *priv_ptrace_request_name(uint64_t request);
const char *priv_bpf_cmd_name(uint64_t cmd);
void priv_clone_flags_str(char *buf, size_t len, uint64_t flags);

/* RFC 3339 UTC with nanoseconds. */
void format_time(char *buf, size_t len, uint64_t realtime_ns);

/* Shared helpers for body writers. */
void format_errno(struct json *j, const char *key, int32_t ret);	/* "ENOENT" */
const char *format_errno_name(int32_t ret);	/* "ENOENT", NULL if not an errno */
void format_str(struct json *j, const char *key, const struct vgl_str *s);
void format_dev(struct json *j, const char *key, uint32_t kdev);	/* "major:minor" */
void format_mode(struct json *j, const char *key, uint32_t mode);	/* "0755" octal */

#endif
