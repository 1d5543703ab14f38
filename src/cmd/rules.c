// SPDX-License-Identifier: GPL-2.0
/*
 * rules.c - `vigil rules`: list the loaded rules (text or JSON), check
 * policy files (`vigil rules check FILE...`: every problem as
 * FILE:LINE:COL: message, exit 1), or list the fields rules can use.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "cmd/policy_opts.h"
#include "detect/fields.h"
#include "log.h"
#include "output/json.h"

static void rules_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil rules [list] [options]   list the loaded rules\n"
		"       vigil rules check FILE...      validate policy files (with the default policy)\n"
		"       vigil rules fields             list the fields conditions can use\n"
		POLICY_USAGE
		"  -f, --format FMT      text (default) or json\n");
}

static void event_names(struct json *j, event_mask_t m)
{
	json_arr_begin(j);
	for (unsigned int t = 1; t < VGL_EV_MAX; t++)
		if ((m & EVENT_BIT(t)) && event_info(t))
			json_str(j, event_info(t)->name);
	json_arr_end(j);
}

static void list_json(const struct ruleset *rs)
{
	struct json j;

	json_init(&j);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];

		json_reset(&j);
		json_obj_begin(&j);
		json_kv_str(&j, "id", r->id);
		json_kv_str(&j, "name", r->name);
		json_kv_str(&j, "severity", severity_name(r->severity));
		json_kv_str(&j, "action", rule_action_name(r->action));
		json_kv_str(&j, "scope", rule_scope_name(r->scope));
		json_key(&j, "mitre");
		json_arr_begin(&j);
		for (size_t k = 0; k < r->nmitre; k++)
			json_str(&j, r->mitre[k]);
		json_arr_end(&j);
		json_key(&j, "tags");
		json_arr_begin(&j);
		for (size_t k = 0; k < r->ntags; k++)
			json_str(&j, r->tags[k]);
		json_arr_end(&j);
		json_key(&j, "events");
		event_names(&j, r->events);
		json_kv_bool(&j, "stateful", r->has_window);
		json_kv_str(&j, "description", r->description);
		json_kv_str(&j, "false_positives", r->false_positives);
		json_kv_str(&j, "condition", r->condition_text);
		json_kv_str(&j, "source", r->source);
		json_obj_end(&j);
		printf("%s\n", j.buf);
	}
	json_free(&j);
}

static void list_text(const struct ruleset *rs)
{
	printf("%-10s %-9s %-7s %-22s %s\n", "ID", "SEVERITY", "ACTION", "MITRE", "NAME");
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];
		char mitre[64] = "";
		size_t n = 0;

		for (size_t k = 0; k < r->nmitre && n < sizeof(mitre); k++)
			n += snprintf(mitre + n, sizeof(mitre) - n, "%s%s", k ? "," : "",
				      r->mitre[k]);
		printf("%-10s %-9s %-7s %-22s %s\n", r->id, severity_name(r->severity),
		       rule_action_name(r->action), mitre, r->name);
	}
	printf("%zu rules\n", rs->n);
}

static int list_fields(void)
{
	size_t n;
	const struct field_def *f = field_table(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-28s %-8s %s\n", f[i].name, ftype_name(f[i].type), f[i].doc);
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		POLICY_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct policy_opts po = { 0 };
	bool json = false, check = false;
	struct ruleset *rs;
	int c, r;

	if (argc > 1 && !strcmp(argv[1], "fields"))
		return list_fields();
	if (argc > 1 && (!strcmp(argv[1], "check") || !strcmp(argv[1], "list"))) {
		check = !strcmp(argv[1], "check");
		argc--;
		argv++;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "P:f:h", longopts, NULL)) != -1) {
		r = policy_opts_parse(&po, c, optarg);
		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (c == 'f' && (!strcmp(optarg, "json") || !strcmp(optarg, "text"))) {
			json = !strcmp(optarg, "json");
		} else if (c == 'h') {
			rules_usage(stdout);
			return 0;
		} else {
			rules_usage(stderr);
			return 2;
		}
	}
	for (; optind < argc; optind++) {
		if (!check) {
			log_error("unexpected argument '%s'", argv[optind]);
			return 2;
		}
		if (policy_opts_parse(&po, OPT_POLICY, argv[optind]) < 0)
			return 2;
	}
	if (check && !po.nfiles) {
		log_error("rules check: name the policy files to check");
		return 2;
	}
	if (policy_opts_build(&po, &rs))
		return 1;
	if (check)
		printf("ok: %zu rules\n", rs->n);
	else if (json)
		list_json(rs);
	else
		list_text(rs);
	ruleset_free(rs);
	return 0;
}
