// SPDX-License-Identifier: GPL-2.0
/* falco.c - see falco.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/falco.h"
#include "output/sink_impl.h"

static const char *const priorities[] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *falco_priority(int severity)
{
	return priorities[severity < 0 ? 0 : severity > 7 ? 7 : severity];
}

static bool has_field(const struct out_record *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!strcmp(sink_str(r->field_names[i]), name))
			return true;
	return false;
}

static void falco_output_fields(struct json *j, const struct out_record *r)
{
	json_key(j, "output_fields");
	json_obj_begin(j);
	if (!has_field(r, "evt.time"))
		json_kv_u64(j, "evt.time", r->time_ns);
	for (size_t i = 0; i < r->nfields; i++)
		json_kv_str(j, sink_str(r->field_names[i]), sink_str(r->field_values[i]));
	json_obj_end(j);
}

static const char *falco_rule(const struct out_record *r)
{
	if (r->rule_name && *r->rule_name)
		return r->rule_name;
	if (r->rule_id && *r->rule_id)
		return r->rule_id;
	return "vigil";
}

void falco_payload(struct json *j, const struct out_record *r, const char *hostname)
{
	const char *prio = r->priority && *r->priority ? r->priority : falco_priority(r->severity);
	char ts[48], *output;

	sink_time_rfc3339(ts, sizeof(ts), r->time_ns, 9);
	json_obj_begin(j);
	json_kv_str(j, "hostname", r->hostname ? r->hostname : sink_str(hostname));
	if (asprintf(&output, "%s: %s %s", ts, prio, sink_str(r->message)) < 0) {
		j->oom = true;
		return;
	}
	json_kv_str(j, "output", output);
	free(output);
	falco_output_fields(j, r);
	json_kv_str(j, "priority", prio);
	json_kv_str(j, "rule", falco_rule(r));
	json_kv_str(j, "source", "syscall");
	json_key(j, "tags");
	json_arr_begin(j);
	for (size_t i = 0; i < r->ntags; i++)
		json_str(j, sink_str(r->tags[i]));
	json_arr_end(j);
	json_kv_str(j, "time", ts);
	json_obj_end(j);
}
