/* SPDX-License-Identifier: GPL-2.0 */
/*
 * alert.h - an alert as one JSON object (schema in docs/alerts.md) or one
 * line of text.
 */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include "detect/engine.h"
#include "output/json.h"

/* latency_us: kernel event time to now, measured by the caller. */
void alert_format_json(struct json *j, const struct alert *a, const struct enriched_event *e,
		       uint64_t latency_us);
void alert_format_text(struct json *j, const struct alert *a, const struct enriched_event *e,
		       uint64_t latency_us);

#endif
