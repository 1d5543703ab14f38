/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - vigil's configuration file (YAML): /etc/vigil/vigil.yaml when
 * it exists, or `--config FILE`. Every option of `vigil run` has a key;
 * options given on the command line win over the file. Every problem is
 * reported as FILE:LINE:COL, unknown keys included, and nothing of a bad
 * file is used. docs/configuration.md lists every key with its default.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/runtime_meta.h"
#include "log.h"

#define CONFIG_DEFAULT_PATH	"/etc/vigil/vigil.yaml"
#define CONFIG_LIST_MAX		64

/* A list of strings from the file (owned). */
struct config_list {
	char *v[CONFIG_LIST_MAX];
	size_t n;
	bool set;		/* the key was in the file */
};

/* outputs (docs/outputs.md): strings NULL and numbers 0 mean the default */
struct config_outputs {
	bool set;			/* the file has an `outputs` section */
	struct {
		bool enabled_set, enabled;
		char *format;		/* json or text */
		char *color;		/* auto, always, never */
	} out;				/* `stdout`: the main stream */
	struct {
		char *path;		/* NULL: no file output */
		char *format;
		uint64_t rotate_bytes;
		uint32_t keep;
		bool keep_set;
	} file;
	struct {
		char *address;		/* NULL: no syslog output */
		char *facility, *format, *app_name;
		uint32_t timeout_ms;
	} syslog;
	struct {
		char *url;		/* NULL: no webhook */
		char *format;		/* vigil or falco */
		struct config_list headers;	/* "Name: value" */
		char *ca_file, *cert_file, *key_file;
		bool insecure;
		uint32_t timeout_ms, connect_timeout_ms;
	} webhook;
	uint32_t queue_len, close_timeout_ms, retry_min_ms, retry_max_ms;
	char *spool_dir;
	uint64_t spool_max_bytes;
};

/* forensics: numbers left 0 take the library's defaults (docs/forensics.md) */
struct config_forensics {
	bool set, enabled_set, enabled;
	char *dir;
	char *min_severity;
	uint32_t before_s, after_s, window_s;
	uint32_t max_open, max_new_per_min;
	uint32_t capture_file_max_mb, max_incident_mb;
	bool capture_new_execs;
	bool more_events;		/* attach hooks beyond the rules' for the timeline */
	uint32_t max_total_mb, max_age_days;
	struct {
		uint32_t window_s, max_events, ring_mb, host_mb, total_mb;
	} recorder;
};

struct vigil_config {
	const char *path;		/* the file read, NULL: none */
	bool log_level_set;
	enum log_level log_level;
	bool enforce;
	struct config_list protected;	/* absolute paths */
	uint32_t actions_per_sec;	/* 0: not set */
	char *pin_dir;
	bool events;			/* write events too */
	bool syscall_fallback;		/* raw sys_exit for syscalls without tracepoints */
	char *event_loop_priority;	/* normal, high, realtime; NULL: realtime */
	/* policy */
	bool policy_default_set, policy_default;
	struct config_list policy_files;
	struct config_list disabled_rules;
	/* containers */
	struct container_opts containers;	/* defaults filled when the section is read */
	bool containers_set;
	/* metrics */
	char *metrics_address;		/* NULL: off */
	struct config_outputs outputs;
	struct config_forensics forensics;
	/* integrity scans (docs/scan.md) */
	bool scan_interval_set, scan_at_start_set, scan_at_start;
	uint32_t scan_interval_s;
};

/* Read path into c (zeroed by the caller). 0, or -errno with every problem
 * printed as FILE:LINE:COL: message. */
int config_load(const char *path, struct vigil_config *c);

void config_free(struct vigil_config *c);

#endif
