// SPDX-License-Identifier: GPL-2.0
/*
 * test_rules.c - the rule language and engine without the kernel: events
 * are built by hand in the ABI layout, policies are YAML strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "detect/engine.h"

/* ---- building events ---- */

struct test_event {
	uint8_t buf[4096];
	size_t len;
	struct enriched_event e;
	struct proc_entry self, parent;
	struct container_info ctr;
};

static void *begin(struct test_event *t, uint16_t type, size_t body)
{
	struct vgl_hdr *h = (struct vgl_hdr *)t->buf;

	memset(t, 0, sizeof(*t));
	h->type = type;
	h->pid = 100;
	h->tid = 100;
	h->ppid = 10;
	h->ts_ns = 1000000000ULL;
	strcpy(h->comm, "bash");
	t->len = sizeof(*h) + body;
	return t->buf + sizeof(*h);
}

static void put_str(struct test_event *t, const char *s)
{
	uint16_t n = strlen(s);

	memcpy(t->buf + t->len, &n, 2);
	memcpy(t->buf + t->len + 2, s, n);
	t->len += 2 + n;
	((struct vgl_hdr *)t->buf)->nr_strs++;
}

static const struct enriched_event *finish(struct test_event *t)
{
	((struct vgl_hdr *)t->buf)->size = t->len;
	assert_int_equal(decode_record(t->buf, t->len, &t->e.v), DECODE_OK);
	t->self.pid = 100;
	strcpy(t->self.comm, "bash");
	strcpy(t->self.exe, "/usr/bin/bash");
	strcpy(t->self.args, "bash -c x");
	t->parent.pid = 10;
	strcpy(t->parent.comm, "sshd");
	strcpy(t->parent.exe, "/usr/sbin/sshd");
	t->e.proc = &t->self;
	t->e.anc[0] = &t->parent;
	t->e.nr_anc = 1;
	t->e.ctr = &t->ctr;		/* host */
	return &t->e;
}

static const struct enriched_event *exec_event(struct test_event *t, const char *path,
					       uint32_t flags, uint8_t stdin_kind)
{
	struct vgl_exec *x = begin(t, VGL_EV_EXEC, sizeof(*x));

	x->flags = flags;
	x->argc = 2;
	x->stdio[0] = stdin_kind;
	put_str(t, path);
	put_str(t, path);
	put_str(t, "");
	put_str(t, "");
	put_str(t, "/root");
	put_str(t, "");
	return finish(t);
}

static const struct enriched_event *open_event(struct test_event *t, const char *path,
					       uint32_t flags, int32_t ret)
{
	struct vgl_file *f = begin(t, VGL_EV_OPEN, sizeof(*f));

	f->flags = flags;
	((struct vgl_hdr *)t->buf)->ret = ret;
	put_str(t, path);
	put_str(t, "");
	return finish(t);
}

static const struct enriched_event *connect_event(struct test_event *t, const char *daddr,
						  uint16_t dport)
{
	struct vgl_net *n = begin(t, VGL_EV_CONNECT, sizeof(*n));

	n->family = 2;	/* AF_INET */
	n->type = 1;
	n->protocol = 6;
	n->dport = dport;
	assert_int_equal(field_parse_addr(daddr, n->daddr), 4);
	put_str(t, "");
	return finish(t);
}

/* ---- compiling conditions ---- */

static const char *const shells[] = { "sh", "bash", "dash" };

static const char *const *test_list(void *ctx, const char *name, size_t len, size_t *n)
{
	if (len == 6 && !memcmp(name, "shells", 6)) {
		*n = 3;
		return shells;
	}
	return NULL;
}

static struct expr *compile(const char *text)
{
	struct expr_scope scope = { NULL, test_list, NULL };
	struct expr_error err;
	struct expr *x = expr_compile(text, &scope, &err);

	if (!x)
		fail_msg("'%s' does not compile: %s at %zu", text, err.msg, err.offset);
	return x;
}

static bool eval(const char *text, const struct enriched_event *e)
{
	struct expr *x = compile(text);
	struct field_ctx c = { e, NULL, NULL };
	bool r = expr_eval(x, &c);

	expr_free(x);
	return r;
}

static void compile_error(const char *text, size_t offset, const char *msg_part)
{
	struct expr_scope scope = { NULL, test_list, NULL };
	struct expr_error err;
	struct expr *x = expr_compile(text, &scope, &err);

	if (x) {
		expr_free(x);
		fail_msg("'%s' compiled but should not", text);
	}
	if (!strstr(err.msg, msg_part))
		fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, msg_part);
	assert_int_equal(err.offset, offset);
}

static void test_operators(void **state)
{
	struct test_event t;
	const struct enriched_event *e = open_event(&t, "/etc/shadow", 0, -13);

	assert_true(eval("evt.type = open", e));
	assert_true(eval("evt.type == open and fd.name = /etc/shadow", e));
	assert_false(eval("evt.type != open", e));
	assert_true(eval("fd.name startswith /etc/", e));
	assert_true(eval("fd.name endswith shadow", e));
	assert_true(eval("fd.name contains 'c/sha'", e));
	assert_true(eval("fd.name icontains SHADOW", e));
	assert_true(eval("fd.name glob '/etc/*ow'", e));
	assert_false(eval("fd.name glob '/etc/*.conf'", e));
	assert_true(eval("fd.name in (/etc/passwd, /etc/shadow)", e));
	assert_true(eval("evt.res < 0 and evt.res >= -13 and evt.res <= -13 and evt.res > -14", e));
	assert_true(eval("evt.failed and evt.error = EACCES", e));
	assert_true(eval("not (fd.name = /etc/passwd or proc.name = sshd)", e));
	assert_true(eval("proc.name in shells and proc.pname = sshd", e));
	assert_true(eval("proc.aname[0] = bash and proc.aname[1] = sshd", e));
	assert_true(eval("proc.aname = sshd", e));		/* any ancestor */
	assert_false(eval("proc.aname = bash", e));		/* ancestors only, not self */
	assert_true(eval("proc.args = '-c x' and proc.cmdline = 'bash -c x'", e));
	assert_true(eval("container.id = host and not container.is", e));
}

static void test_absent_fields_are_false(void **state)
{
	struct test_event t;
	const struct enriched_event *e = open_event(&t, "/etc/shadow", 0, 3);

	/* an open event has no ports: every comparison is false, even != */
	assert_false(eval("net.dport = 22", e));
	assert_false(eval("net.dport != 22", e));
	assert_true(eval("not net.dport = 22", e));
	assert_false(eval("proc.is_memfd", e));
}

static void test_exec_fields(void **state)
{
	struct test_event t;
	const struct enriched_event *e =
		exec_event(&t, "/tmp/.x", VGL_EXEC_MEMFD | VGL_EXEC_TMPDIR, VGL_FD_SOCKET);

	assert_true(eval("evt.type = exec and proc.is_memfd and proc.exe_in_tmp", e));
	assert_true(eval("proc.is_memfd = true and proc.exe_deleted = false", e));
	assert_true(eval("proc.stdin = socket and proc.exe_hidden and proc.argc = 2", e));
	assert_true(eval("proc.exepath = /tmp/.x and proc.cwd = /root", e));
}

static void test_addresses_and_cidrs(void **state)
{
	struct test_event t;
	const struct enriched_event *e = connect_event(&t, "169.254.169.254", 80);

	assert_true(eval("net.daddr = 169.254.169.254", e));
	assert_true(eval("net.daddr in (10.0.0.0/8, 169.254.0.0/16)", e));
	assert_false(eval("net.daddr in (10.0.0.0/8, 192.168.0.0/16)", e));
	assert_true(eval("net.daddr = 169.254.169.0/24 and net.dport = 80", e));
	assert_true(eval("net.daddr != ::1 and net.proto = tcp and net.family = AF_INET", e));
}

static void test_compile_errors(void **state)
{
	compile_error("proc.nmae = bash", 0, "unknown field or macro 'proc.nmae'");
	compile_error("evt.type = exce", 11, "unknown event type 'exce'");
	compile_error("evt.type = exec and", 19, "condition ends too early");
	compile_error("(evt.type = exec", 0, "unbalanced '('");
	compile_error("evt.type = exec proc.name = x", 16, "missing 'and'/'or'");
	compile_error("evt.res = abc", 10, "wants a number");
	compile_error("proc.name < 3", 10, "does not apply to string field");
	compile_error("proc.name", 0, "needs an operator");
	compile_error("proc.name in (a, b", 18, "expected ',' or ')'");
	compile_error("net.daddr = 1.2.3.4/40", 12, "IP address or CIDR");
	compile_error("proc.aname[99] = x", 0, "bad index");
	compile_error("k8s.pod.label = x", 0, "takes a label name");
	compile_error("k8s.pod.label[a b] = x", 0, "");
	compile_error("proc.name = 'unterminated", 12, "unterminated string");
	compile_error("", 0, "empty condition");
	compile_error("proc.name ! x", 10, "'!' must be followed by '='");
}

static void test_event_types_derived(void **state)
{
	struct expr *x = compile("evt.type in (exec, open) and proc.name = bash");

	assert_true(expr_event_types(x) == (EVENT_BIT(VGL_EV_EXEC) | EVENT_BIT(VGL_EV_OPEN)));
	expr_free(x);
	x = compile("net.dport = 22");	/* from the field: network events only */
	assert_true(expr_event_types(x) == (EVENT_BIT(VGL_EV_SOCKET) | EVENT_BIT(VGL_EV_CONNECT) |
					     EVENT_BIT(VGL_EV_ACCEPT) | EVENT_BIT(VGL_EV_BIND) |
					     EVENT_BIT(VGL_EV_LISTEN)));
	expr_free(x);
	x = compile("not evt.type = exec");
	assert_true(expr_event_types(x) == EVENT_ALL);
	expr_free(x);
}

/* ---- policies ---- */

static int build(const char *yaml, struct ruleset **rs, struct diags *d)
{
	struct policy_source src = { "test.yaml", yaml, strlen(yaml) };
	struct ruleset_opts o = { &src, 1, NULL, 0 };

	memset(d, 0, sizeof(*d));
	return ruleset_build(&o, rs, d);
}

static void expect_diag(const struct diags *d, int line, int col, const char *msg_part)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].line == line && d->v[i].col == col && strstr(d->v[i].msg, msg_part))
			return;
	diags_print(d, stderr);
	fail_msg("no diagnostic %d:%d '%s'", line, col, msg_part);
}

static const char good_policy[] =
	"- list: bins\n"
	"  items: [sh, bash]\n"
	"- macro: spawned\n"
	"  condition: evt.type = exec and evt.res = 0\n"
	"- id: T-1\n"
	"  name: shell from sshd\n"
	"  severity: high\n"
	"  mitre: [T1059]\n"
	"  tags: [test]\n"
	"  condition: spawned and proc.name in (bins) and proc.pname = sshd\n"
	"  exceptions:\n"
	"    - name: admin cwd\n"
	"      condition: proc.cwd = /admin\n"
	"  output: \"shell %proc.name under %proc.aname[1] (100%%)\"\n"
	"- id: T-2\n"
	"  name: secrets\n"
	"  severity: critical\n"
	"  scope: containers\n"
	"  condition: >\n"
	"    evt.type = open and\n"
	"    fd.name = /etc/shadow\n"
	"  output: read %fd.name\n";

static void test_policy_builds_and_indexes(void **state)
{
	struct ruleset *rs;
	struct diags d;

	assert_int_equal(build(good_policy, &rs, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(rs->n, 2);
	assert_int_equal(rs->nby_type[VGL_EV_EXEC], 1);
	assert_int_equal(rs->nby_type[VGL_EV_OPEN], 1);
	assert_int_equal(rs->nby_type[VGL_EV_CONNECT], 0);
	assert_true(rs->events == (EVENT_BIT(VGL_EV_EXEC) | EVENT_BIT(VGL_EV_OPEN)));
	assert_string_equal(rs->rules[0]->source, "test.yaml:5");
	ruleset_free(rs);
}

static int alerts_seen;
static char last_message[ALERT_MESSAGE_MAX + 64];

static void count_alert(void *ctx, const struct alert *a, const struct enriched_event *e)
{
	alerts_seen++;
	snprintf(last_message, sizeof(last_message), "%s %s", a->rule->id, a->message);
}

static void test_engine_alerts_exceptions_scope(void **state)
{
	struct ruleset *rs;
	struct diags d;
	struct engine *en;
	struct test_event t;

	assert_int_equal(build(good_policy, &rs, &d), 0);
	en = engine_new(rs);
	alerts_seen = 0;
	engine_eval(en, exec_event(&t, "/usr/bin/bash", 0, VGL_FD_TTY), NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);
	assert_string_equal(last_message, "T-1 shell bash under sshd (100%)");

	/* the exception: same exec from /admin */
	exec_event(&t, "/usr/bin/bash", 0, VGL_FD_TTY);
	t.e.v.strs[VGL_EXEC_S_CWD].ptr = "/admin";
	t.e.v.strs[VGL_EXEC_S_CWD].len = 6;
	engine_eval(en, &t.e, NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);

	/* scope containers: the host read does not alert, a container's does */
	engine_eval(en, open_event(&t, "/etc/shadow", 0, 3), NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);
	open_event(&t, "/etc/shadow", 0, 3);
	t.ctr.ref.runtime = CRT_RUNC;
	strcpy(t.ctr.ref.id, "c1");
	engine_eval(en, &t.e, NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 2);
	assert_string_equal(last_message, "T-2 read /etc/shadow");
	assert_int_equal(engine_matches(en, 1), 1);
	engine_free(en);
}

static void test_window_distinct_ports(void **state)
{
	static const char policy[] =
		"- id: SCAN\n"
		"  name: port scan\n"
		"  severity: medium\n"
		"  condition: evt.type = connect\n"
		"  window: {key: [proc.pid], distinct: net.dport, count: 5, seconds: 2}\n"
		"  output: scan by %proc.pid\n";
	struct ruleset *rs;
	struct diags d;
	struct engine *en;
	struct test_event t;

	assert_int_equal(build(policy, &rs, &d), 0);
	en = engine_new(rs);
	alerts_seen = 0;
	for (int i = 0; i < 10; i++)	/* the same port again and again: not a scan */
		engine_eval(en, connect_event(&t, "127.0.0.1", 80), NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 0);
	for (int port = 1; port <= 4; port++)
		engine_eval(en, connect_event(&t, "127.0.0.1", port), NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);	/* 80 + 1..4 = 5 distinct */
	for (int port = 100; port < 104; port++)	/* starts over after firing */
		engine_eval(en, connect_event(&t, "127.0.0.1", port), NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);
	/* outside the window: old ports no longer count */
	connect_event(&t, "127.0.0.1", 200);
	((struct vgl_hdr *)t.buf)->ts_ns += 5000000000ULL;
	engine_eval(en, &t.e, NULL, count_alert, NULL);
	assert_int_equal(alerts_seen, 1);
	engine_free(en);
}

static void test_policy_errors_have_positions(void **state)
{
	static const char bad[] =
		"- id: B-1\n"
		"  name: x\n"
		"  severity: severe\n"
		"  condition: evt.type = exec and proc.nmae = x\n"
		"  output: \"%proc.nope\"\n"
		"  colour: red\n"
		"- id: B-2\n"
		"  name: y\n"
		"  severity: low\n"
		"  condition: >\n"
		"    evt.type = open\n"
		"    and fd.name startswith\n"
		"  output: y\n"
		"- macro: loop\n"
		"  condition: loop and evt.type = exec\n"
		"- id: B-3\n"
		"  name: everything\n"
		"  severity: low\n"
		"  condition: proc.name = bash\n"
		"  output: z\n"
		"- list: nothing\n"
		"- what: 1\n";
	struct ruleset *rs;
	struct diags d;

	assert_int_equal(build(bad, &rs, &d), -EINVAL);
	assert_null(rs);
	expect_diag(&d, 3, 13, "severity 'severe'");
	expect_diag(&d, 4, 34, "unknown field or macro 'proc.nmae'");
	expect_diag(&d, 5, 12, "unknown field '%proc.nope'");
	expect_diag(&d, 6, 3, "unknown key 'colour'");
	expect_diag(&d, 12, 27, "expected a value after 'startswith'");
	expect_diag(&d, 15, 14, "macro 'loop' refers to itself");
	expect_diag(&d, 19, 14, "could match every event type");
	expect_diag(&d, 21, 3, "list 'nothing' has no 'items'");
	expect_diag(&d, 22, 3, "expected a rule (id:), a list (list:) or a macro (macro:)");
	diags_free(&d);

	assert_int_equal(build("- id: [unclosed\n", &rs, &d), -EINVAL);
	assert_true(d.n == 1 && strstr(d.v[0].msg, "YAML"));
	diags_free(&d);
}

static void test_override_and_disable(void **state)
{
	static const char second[] =
		"- id: T-1\n"
		"  enabled: false\n"
		"- id: T-2\n"
		"  name: replaced\n"
		"  severity: low\n"
		"  condition: evt.type = connect\n"
		"  output: replaced\n";
	struct policy_source srcs[2] = {
		{ "a.yaml", good_policy, sizeof(good_policy) - 1 },
		{ "b.yaml", second, sizeof(second) - 1 },
	};
	const char *disabled[] = { "T-2" };
	struct ruleset_opts o = { srcs, 2, NULL, 0 };
	struct ruleset *rs;
	struct diags d = { 0 };

	assert_int_equal(ruleset_build(&o, &rs, &d), 0);
	assert_int_equal(rs->n, 1);
	assert_string_equal(rs->rules[0]->name, "replaced");
	assert_true(rs->events == EVENT_BIT(VGL_EV_CONNECT));
	ruleset_free(rs);

	o.disabled = disabled;
	o.ndisabled = 1;
	assert_int_equal(ruleset_build(&o, &rs, &d), 0);
	assert_int_equal(rs->n, 0);
	ruleset_free(rs);
}

static void test_default_policy_compiles(void **state)
{
	struct policy_source srcs[POLICY_DEFAULTS_MAX];
	size_t n = policy_defaults(srcs, POLICY_DEFAULTS_MAX);
	struct ruleset_opts o = { srcs, n, NULL, 0 };
	struct ruleset *rs;
	struct diags d = { 0 };

	assert_true(n >= 1);
	if (ruleset_build(&o, &rs, &d)) {
		diags_print(&d, stderr);
		fail_msg("the default policy does not compile");
	}
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];

		if (!r->false_positives[0] || !r->nmitre || !r->description[0])
			fail_msg("default rule %s lacks false_positives, mitre or description",
				 r->id);
	}
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_absent_fields_are_false),
		cmocka_unit_test(test_exec_fields),
		cmocka_unit_test(test_addresses_and_cidrs),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_event_types_derived),
		cmocka_unit_test(test_policy_builds_and_indexes),
		cmocka_unit_test(test_engine_alerts_exceptions_scope),
		cmocka_unit_test(test_window_distinct_ports),
		cmocka_unit_test(test_policy_errors_have_positions),
		cmocka_unit_test(test_override_and_disable),
		cmocka_unit_test(test_default_policy_compiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
