/* SPDX-License-Identifier: GPL-2.0 */
/*
 * socket_filter.h - whether the loaded rules can match an ordinary socket.
 *
 * The socket hook runs for every socket() of the host (a connect storm opens
 * one per connection), and the default policy only looks at raw and packet
 * sockets. When no rule can match a socket that is neither SOCK_RAW nor
 * AF_PACKET, the kernel sends only those (socket_filter in
 * src/bpf/net.bpf.c). Decided soundly: each socket rule's condition is
 * evaluated in three-valued logic with net.is_raw and net.is_packet false
 * and every other test unknown; only a definite "false" lets the kernel
 * drop ordinary sockets.
 */
#ifndef VIGIL_SOCKET_FILTER_H
#define VIGIL_SOCKET_FILTER_H

#include <stdbool.h>
#include "detect/policy.h"

/* True when some rule of rs could match a socket event of an ordinary
 * socket; *why then names the first such rule (not to be freed). */
bool socket_filter_needs_all(const struct ruleset *rs, const char **why);

#endif
