/* SPDX-License-Identifier: GPL-2.0 */
/*
 * falco.h - an alert as Falco's JSON alert payload, the body Falco posts to
 * its http_output, so falcosidekick (and what it forwards to) takes vigil's
 * alerts unchanged:
 *
 *   {"hostname":"h","output":"<time>: <Priority> <message>",
 *    "output_fields":{"evt.time":<ns>,"<name>":"<value>",...},
 *    "priority":"Warning","rule":"<rule name>","source":"syscall",
 *    "tags":["..."],"time":"2024-05-01T10:20:30.123456789Z"}
 *
 * Keys are in Falco's (alphabetical) order. falcosidekick refuses a payload
 * without a known priority, a rule, a time or any output field: the rule
 * falls back to the rule id, then "vigil", and output_fields always holds
 * evt.time (the event time in ns, a number, as Falco writes it).
 */
#ifndef VIGIL_FALCO_H
#define VIGIL_FALCO_H

#include "output/json.h"
#include "output/sink.h"

/* "Emergency" .. "Debug" for a syslog severity (clamped to 0..7). */
const char *falco_priority(int severity);

/* The payload of r into j; hostname when r->hostname is NULL. */
void falco_payload(struct json *j, const struct out_record *r, const char *hostname);

#endif
