/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netblock.h - `action: block` rules on connect, enforced by cgroup socket
 * hooks (connect4/6, sendmsg4/6) on the cgroup v2 root: the application
 * gets EPERM and the peer never sees a packet.
 *
 * The hooks and their maps are pinned under pin_dir so that a restart of
 * vigil replaces them without a moment when nothing is enforced, and they
 * stay in force while vigil is down; `vigil unpin` removes them.
 */
#ifndef VIGIL_NETBLOCK_H
#define VIGIL_NETBLOCK_H

#include <stdbool.h>
#include "detect/policy.h"
#include "sensor/sensor.h"

#define NETBLOCK_PIN_DIR "/sys/fs/bpf/vigil"

struct netblock;

struct netblock_opts {
	const char *pin_dir;	/* NULL: NETBLOCK_PIN_DIR */
	uint32_t actions_per_sec;	/* per rule; 0: unlimited */
};

/*
 * Compile the block rules of rs, load and attach the hooks (sharing the
 * sensor's maps where they need them), pin them, and remove what an
 * earlier vigil pinned, in that order. Logs per block rule whether the
 * kernel enforces it or why not. With no enforceable rule, removes any
 * earlier pins and returns 0 with *out NULL. 0 or -errno (logged).
 */
int netblock_open(struct netblock **out, struct sensor *s, const struct ruleset *rs,
		  const struct netblock_opts *o);

/* Recompile for a reloaded ruleset, in place (map updates). */
int netblock_reload(struct netblock *nb, const struct ruleset *rs);

/* True when ruleset index i is a block rule the kernel enforces. */
bool netblock_enforces(const struct netblock *nb, uint32_t index);

/* Close our handles; the pinned hooks stay in force. NULL is fine. */
void netblock_close(struct netblock *nb);

/* Remove everything pinned under pin_dir (NULL: default). 0 or -errno. */
int netblock_unpin(const char *pin_dir);

#endif
