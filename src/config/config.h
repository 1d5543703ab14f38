/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config.h - vigil's configuration file (YAML), `vigil run --config FILE`.
 * Command-line options given too win over the file. Every problem is
 * reported as FILE:LINE:COL and nothing of a bad file is used.
 *
 *	enforce: true              # act on kill and block rules
 *	protected: [/usr/sbin/runc, /usr/sbin/sshd]   # replaces the built-in list
 *	actions_per_sec: 100       # per rule
 *	containers:                # where container metadata is read
 *	  host_root: /host         # the host's filesystem, when vigil runs in a container
 *	  containerd: /run/containerd
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "enrich/runtime_meta.h"

#define CONFIG_PROTECTED_MAX 64

struct vigil_config {
	bool enforce;
	char *protected[CONFIG_PROTECTED_MAX];
	size_t nprotected;
	bool protected_set;		/* the file has a `protected` list */
	uint32_t actions_per_sec;	/* 0: not set */
	struct container_opts containers;	/* defaults filled when the section is read */
	bool containers_set;		/* the file has a `containers` section */
};

/* Read path into c (fields it does not set are left alone). 0 or -errno. */
int config_load(const char *path, struct vigil_config *c);

void config_free(struct vigil_config *c);

#endif
