/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deliver.h - alerts to the configured outputs beyond the main stream:
 * a rotated file, syslog, a webhook (src/output/sink.h does the delivery,
 * each in its own thread with its spool). Here an alert becomes the record
 * they share: its JSON and text lines, the syslog severity and the
 * Falco-style fields falcosidekick expects.
 */
#ifndef VIGIL_DELIVER_H
#define VIGIL_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include "config/config.h"
#include "detect/engine.h"
#include "output/json.h"
#include "output/sink.h"

#define DELIVER_SINKS_MAX 3	/* file, syslog, webhook */

struct deliver {
	struct sink *sinks[DELIVER_SINKS_MAX];
	size_t n;
	struct json json, text;		/* reused for every alert */
};

/* Open the outputs the configuration names. 0, or -EINVAL with each
 * problem logged (naming the output and the place). */
int deliver_open(struct deliver *d, const struct config_outputs *o);

/* Hand one alert (already decided and numbered) to every output. */
void deliver_alert(struct deliver *d, const struct alert *al, const struct enriched_event *e,
		   uint64_t latency_us);

/* Flush within each output's close budget, then spool what is left. */
void deliver_close(struct deliver *d);

/* True when every output's last delivery worked; why says which did not. */
bool deliver_healthy(const struct deliver *d, char *why, size_t len);

#endif
