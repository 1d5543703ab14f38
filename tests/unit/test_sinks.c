// SPDX-License-Identifier: GPL-2.0
/*
 * test_sinks.c - alert delivery against real destinations on loopback: files
 * (rotation, retention, colour, a failing device), a real rsyslogd started
 * here (UDP, TCP, a unix socket) and a real HTTP receiver
 * (tests/receivers/http_receiver.py): Falco's payload, outages replayed in
 * order exactly once, a spool that outlives the sink, drops when it is full.
 * Run from the top of the tree (make unit does).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "output/sink.h"

#define RECEIVER "tests/receivers/http_receiver.py"
#define RSYSLOGD "/usr/sbin/rsyslogd"
#define T0_NS 1714558830123456789ull	/* 2024-05-01T10:20:30.123456789Z */

static char err[512];

/* Children (receivers, rsyslogd) still running: killed after each test,
 * even one that failed half-way. */
static pid_t children[8];

static void child_track(pid_t pid)
{
	for (size_t i = 0; i < 8; i++)
		if (!children[i]) {
			children[i] = pid;
			return;
		}
	fail_msg("too many children");
}

static void child_stop(pid_t pid)
{
	for (size_t i = 0; i < 8; i++)
		if (children[i] == pid)
			children[i] = 0;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static int stop_children(void **state)
{
	for (size_t i = 0; i < 8; i++)
		if (children[i])
			child_stop(children[i]);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/vigil-sink-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(char *d)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

/* The whole file ("" when missing), malloc'd. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	FILE *m = open_memstream(&buf, &len);
	int c;

	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static int count_lines(const char *path)
{
	char *s = slurp(path);
	int n = 0;

	for (char *p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Poll cond(arg) for up to ms; true if it became true. */
static bool wait_for(bool (*cond)(void *), void *arg, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		if (cond(arg))
			return true;
		usleep(20000);
	}
	return cond(arg);
}

static int free_port(int type)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* A record whose JSON and text carry its sequence number. */
struct rec {
	char json[256], text[128], msg[128];
	const char *tags[2];
	const char *names[2], *values[2];
	struct out_record r;
};

static void make_rec(struct rec *b, int i, int severity)
{
	snprintf(b->json, sizeof(b->json),
		 "{\"kind\":\"alert\",\"seq\":%d,\"rule\":{\"id\":\"VGL-T-%d\"}}", i, i);
	snprintf(b->text, sizeof(b->text), "alert %d severity %d", i, severity);
	snprintf(b->msg, sizeof(b->msg), "Test alert %d", i);
	b->tags[0] = "test";
	b->tags[1] = "mitre_execution";
	b->names[0] = "proc.name";
	b->values[0] = "bash";
	b->r = (struct out_record){
		.json = b->json, .text = b->text, .severity = severity, .rule_id = "VGL-T",
		.rule_name = "Test rule", .message = b->msg, .time_ns = T0_NS + i,
		.tags = b->tags, .ntags = 2, .field_names = b->names, .field_values = b->values,
		.nfields = 1, .hostname = "test-host",
	};
}

static void submit_range(struct sink *s, int from, int to)
{
	struct rec b;

	for (int i = from; i < to; i++) {
		make_rec(&b, i, 4);
		assert_int_equal(sink_submit(s, &b.r), 0);
	}
}

static struct sink *open_sink(const struct sink_options *o)
{
	struct sink *s = sink_open(o, err, sizeof(err));

	if (!s)
		fail_msg("sink_open: %s", err);
	return s;
}

/* Lines "..."seq":<from>.." .. <to-1>, each exactly once and in order. */
static void expect_seq_lines(const char *path, int from, int to)
{
	char *s = slurp(path), *p = s, want[64];
	int lines = 0;

	for (int i = from; i < to; i++, lines++) {
		snprintf(want, sizeof(want), "\"seq\":%d,", i);
		char *nl = strchr(p, '\n');

		if (!nl)
			fail_msg("%s: %d lines, expected %d", path, lines, to - from);
		*nl = '\0';
		if (!strstr(p, want))
			fail_msg("%s: line %d is '%s', expected %s", path, lines + 1, p, want);
		p = nl + 1;
	}
	if (*p)
		fail_msg("%s: more lines than the %d expected: '%s'", path, to - from, p);
	free(s);
}

/* ---- HTTP receiver ---------------------------------------------------- */

struct receiver {
	pid_t pid;
	int port;
	char out[512], headers[512], port_file[512];
};

/* On port (0: any), answering status; falco: refuse what falcosidekick would. */
static void receiver_start(struct receiver *rv, const char *dir, int port, int status,
			   bool falco)
{
	char portarg[16], statusarg[16];

	snprintf(rv->out, sizeof(rv->out), "%s/bodies", dir);
	snprintf(rv->headers, sizeof(rv->headers), "%s/headers", dir);
	snprintf(rv->port_file, sizeof(rv->port_file), "%s/port", dir);
	snprintf(portarg, sizeof(portarg), "%d", port);
	snprintf(statusarg, sizeof(statusarg), "%d", status);
	unlink(rv->port_file);
	assert_int_equal(access(RECEIVER, R_OK), 0);
	rv->pid = fork();
	assert_true(rv->pid >= 0);
	if (rv->pid == 0) {
		char *argv[] = { "python3", RECEIVER, "--port", portarg, "--port-file",
				 rv->port_file, "--out", rv->out, "--headers-out", rv->headers,
				 "--status", statusarg, falco ? "--falco" : NULL, NULL };

		execvp("python3", argv);
		_exit(127);
	}
	child_track(rv->pid);
	for (int i = 0; i < 500 && file_size(rv->port_file) <= 0; i++)
		usleep(10000);
	char *p = slurp(rv->port_file);

	rv->port = atoi(p);
	free(p);
	if (rv->port <= 0)
		fail_msg("the HTTP receiver did not start (python3 %s)", RECEIVER);
}

static void receiver_stop(struct receiver *rv)
{
	if (rv->pid > 0)
		child_stop(rv->pid);
	rv->pid = 0;
}

static void webhook_opts(struct sink_options *o, const char *url, const char *spool_dir)
{
	*o = (struct sink_options){
		.name = "webhook", .kind = SINK_WEBHOOK, .spool_dir = spool_dir,
		.retry_min_ms = 50, .retry_max_ms = 200, .close_timeout_ms = 2000,
		.webhook = { .url = url, .mode = SINK_WEBHOOK_VIGIL, .timeout_ms = 2000 },
	};
}

struct stat_cond {
	struct sink *s;
	uint64_t delivered, spool_records;
};

static bool delivered_at_least(void *arg)
{
	struct stat_cond *c = arg;
	struct sink_stats st;

	sink_stats(c->s, &st);
	return st.delivered >= c->delivered;
}

static bool spooled_exactly(void *arg)
{
	struct stat_cond *c = arg;
	struct sink_stats st;

	sink_stats(c->s, &st);
	return st.queued == 0 && st.spool_records == c->spool_records;
}

/* ---- file ------------------------------------------------------------- */

static void test_file_rotation_and_retention(void **state)
{
	char *d = make_tmpdir(), path[512], p1[600], p2[600], p3[600];
	struct sink_options o = {
		.kind = SINK_FILE,
		.file = { .path = path, .format = SINK_FORMAT_JSON, .rotate_bytes = 300, .keep = 2 },
	};
	struct sink *s;

	snprintf(path, sizeof(path), "%s/alerts.json", d);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	s = open_sink(&o);
	assert_string_equal(sink_name(s), "file");
	submit_range(s, 0, 20);		/* lines of 49 (seq < 10) and 51 bytes */
	sink_close(s);

	/* files: 0-5 (294 bytes, deleted), 6-11 (298), 12-16 (255), 17-19 (153) */
	assert_int_equal(file_size(path), 3 * 51);
	assert_int_equal(file_size(p1), 5 * 51);
	assert_int_equal(file_size(p2), 4 * 49 + 2 * 51);
	assert_int_equal(file_size(p3), -1);
	expect_seq_lines(path, 17, 20);
	expect_seq_lines(p1, 12, 17);
	expect_seq_lines(p2, 6, 12);
	rm_rf(d);
}

static void test_file_text_color_by_severity(void **state)
{
	char *d = make_tmpdir(), path[512];
	struct sink_options o = {
		.kind = SINK_FILE, .file = { .path = path, .format = SINK_FORMAT_TEXT, .color = 1 },
	};
	struct sink *s;
	struct rec b;
	char *out;

	snprintf(path, sizeof(path), "%s/alerts.txt", d);
	s = open_sink(&o);
	make_rec(&b, 1, 3);
	assert_int_equal(sink_submit(s, &b.r), 0);
	make_rec(&b, 2, 4);
	assert_int_equal(sink_submit(s, &b.r), 0);
	sink_close(s);
	out = slurp(path);
	assert_string_equal(out, "\033[31malert 1 severity 3\033[0m\n"
				 "\033[33malert 2 severity 4\033[0m\n");
	free(out);

	o.file.color = -1;	/* a regular file is not a terminal: plain text */
	unlink(path);
	s = open_sink(&o);
	assert_int_equal(sink_submit(s, &b.r), 0);
	sink_close(s);
	out = slurp(path);
	assert_string_equal(out, "alert 2 severity 4\n");
	free(out);
	rm_rf(d);
}

/* A write error (ENOSPC from /dev/full) spools; a sink on a good path replays. */
static void test_file_failure_spools_then_replays(void **state)
{
	char *d = make_tmpdir(), spool[512], path[512];
	struct sink_options o = {
		.kind = SINK_FILE, .spool_dir = spool, .retry_min_ms = 50, .retry_max_ms = 100,
		.file = { .path = "/dev/full", .format = SINK_FORMAT_JSON },
	};
	struct stat_cond c = { .spool_records = 5 };
	struct sink_stats st;

	snprintf(spool, sizeof(spool), "%s/spool", d);
	snprintf(path, sizeof(path), "%s/alerts.json", d);
	c.s = open_sink(&o);
	submit_range(c.s, 0, 5);
	assert_true(wait_for(spooled_exactly, &c, 3000));
	sink_stats(c.s, &st);
	assert_false(st.healthy);
	assert_true(st.failed >= 1);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.spooled, 5);
	assert_true(st.spool_bytes > 0);
	sink_close(c.s);

	o.file.path = path;
	c.s = open_sink(&o);
	submit_range(c.s, 5, 7);	/* newer: after the replay */
	sink_close(c.s);
	expect_seq_lines(path, 0, 7);
	rm_rf(d);
}

/* ---- syslog against a real rsyslogd ----------------------------------- */

struct rsyslog {
	pid_t pid;
	int udp, tcp;
	char dir[256], out[512], sock[512];
};

/* Ports 0: free ones are picked (and kept in rs for a restart). */
static void rsyslog_start(struct rsyslog *rs, const char *dir, int udp, int tcp)
{
	char conf[512], pidf[512], log[512];
	FILE *f;

	snprintf(rs->dir, sizeof(rs->dir), "%s", dir);
	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dir);
	snprintf(pidf, sizeof(pidf), "%s/rsyslog.pid", dir);
	snprintf(log, sizeof(log), "%s/rsyslog.log", dir);
	snprintf(rs->out, sizeof(rs->out), "%s/messages", dir);
	snprintf(rs->sock, sizeof(rs->sock), "%s/log.sock", dir);
	rs->udp = udp ? udp : free_port(SOCK_DGRAM);
	rs->tcp = tcp ? tcp : free_port(SOCK_STREAM);
	f = fopen(conf, "w");
	assert_non_null(f);
	/* our inputs only, on loopback; every field we check, one line each */
	fprintf(f,
		"global(workDirectory=\"%s\" maxMessageSize=\"64k\")\n"
		"module(load=\"imudp\")\n"
		"module(load=\"imtcp\")\n"
		"module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
		"input(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\")\n"
		"input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n"
		"input(type=\"imuxsock\" socket=\"%s\" useSpecialParser=\"off\")\n"
		"template(name=\"fields\" type=\"string\" string=\"v=%%protocol-version%% "
		"pri=%%pri%% app=%%app-name%% msgid=%%msgid%% host=%%hostname%% "
		"sd=%%structured-data%% msg=%%msg%%\\n\")\n"
		"action(type=\"omfile\" file=\"%s\" template=\"fields\")\n",
		dir, rs->udp, rs->tcp, rs->sock, rs->out);
	fclose(f);
	assert_int_equal(access(RSYSLOGD, X_OK), 0);
	rs->pid = fork();
	assert_true(rs->pid >= 0);
	if (rs->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(RSYSLOGD, "rsyslogd", "-n", "-f", conf, "-i", pidf, (char *)NULL);
		_exit(127);
	}
	child_track(rs->pid);
	/* ready when the TCP input accepts and the unix socket exists */
	for (int i = 0; i < 500; i++) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(rs->tcp),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		bool up = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

		close(fd);
		if (up && access(rs->sock, F_OK) == 0)
			return;
		usleep(10000);
	}
	char *l = slurp(log);

	fail_msg("rsyslogd did not start: %s", l);
}

static void rsyslog_stop(struct rsyslog *rs)
{
	child_stop(rs->pid);
}

struct lines_cond {
	const char *path;
	int n;
};

static bool has_lines(void *arg)
{
	struct lines_cond *c = arg;

	return count_lines(c->path) >= c->n;
}

static void syslog_send_one(const char *address, int i, int severity)
{
	struct sink_options o = {
		.kind = SINK_SYSLOG,
		.syslog = { .address = address, .facility = "local3", .format = SINK_FORMAT_JSON },
	};
	struct sink *s = open_sink(&o);
	struct rec b;

	make_rec(&b, i, severity);
	b.r.rule_name = "Shell \"x\" ] \\ in container";	/* SD escapes */
	assert_int_equal(sink_submit(s, &b.r), 0);
	sink_close(s);
}

static void test_syslog_rfc5424_into_rsyslog(void **state)
{
	char *d = make_tmpdir(), udp[64], tcp[64], unx[600];
	struct rsyslog rs;
	struct lines_cond c;
	char *out, want[512];

	rsyslog_start(&rs, d, 0, 0);
	snprintf(udp, sizeof(udp), "udp://127.0.0.1:%d", rs.udp);
	snprintf(tcp, sizeof(tcp), "tcp://127.0.0.1:%d", rs.tcp);
	snprintf(unx, sizeof(unx), "unix:%s", rs.sock);
	syslog_send_one(udp, 1, 2);	/* local3 (19) * 8 + critical (2) = 154 */
	syslog_send_one(tcp, 2, 4);	/* 19 * 8 + warning = 156 */
	syslog_send_one(unx, 3, 6);	/* 19 * 8 + info = 158 */
	c.path = rs.out;
	c.n = 3;
	assert_true(wait_for(has_lines, &c, 5000));
	rsyslog_stop(&rs);
	out = slurp(rs.out);
	static const char *const prio[] = { "", "Critical", "", "Warning", "", "Informational" };

	for (int i = 1; i <= 3; i++) {
		int sev = 2 * i;

		snprintf(want, sizeof(want),
			 "v=1 pri=%d app=vigil msgid=alert host=test-host "
			 "sd=[vigil@32473 rule_id=\"VGL-T\" rule=\"Shell \\\"x\\\" \\] \\\\ in "
			 "container\" severity=\"%d\" priority=\"%s\"] "
			 "msg={\"kind\":\"alert\",\"seq\":%d,\"rule\":{\"id\":\"VGL-T-%d\"}}\n",
			 19 * 8 + sev, sev, prio[sev - 1], i, i);
		if (!strstr(out, want))
			fail_msg("rsyslog output lacks\n%s\ngot:\n%s", want, out);
	}
	free(out);
	rm_rf(d);
}

/* The same over TCP when rsyslogd restarts between two alerts: the sink reconnects. */
static void test_syslog_tcp_reconnects(void **state)
{
	char *d = make_tmpdir(), tcp[64], spool[512];
	struct rsyslog rs;
	struct sink_options o = {
		.kind = SINK_SYSLOG, .spool_dir = spool, .retry_min_ms = 50, .retry_max_ms = 200,
		.syslog = { .address = tcp, .facility = "auth" },
	};
	struct stat_cond sc;
	struct lines_cond c;

	snprintf(spool, sizeof(spool), "%s/spool", d);
	rsyslog_start(&rs, d, 0, 0);
	snprintf(tcp, sizeof(tcp), "tcp://127.0.0.1:%d", rs.tcp);
	sc.s = open_sink(&o);
	submit_range(sc.s, 0, 3);
	sc.delivered = 3;
	assert_true(wait_for(delivered_at_least, &sc, 5000));
	c.path = rs.out;
	c.n = 3;
	assert_true(wait_for(has_lines, &c, 5000));
	rsyslog_stop(&rs);
	unlink(rs.out);

	submit_range(sc.s, 3, 6);	/* rsyslogd down: spooled */
	sc.spool_records = 3;
	assert_true(wait_for(spooled_exactly, &sc, 5000));
	rsyslog_start(&rs, d, rs.udp, rs.tcp);	/* back on the same ports */
	sc.delivered = 6;
	assert_true(wait_for(delivered_at_least, &sc, 10000));
	c.n = 3;
	assert_true(wait_for(has_lines, &c, 5000));
	sink_close(sc.s);
	rsyslog_stop(&rs);
	char *out = slurp(rs.out);

	for (int i = 3; i < 6; i++) {
		char want[64];

		snprintf(want, sizeof(want), "pri=36 ");	/* auth (4) * 8 + warning */
		assert_non_null(strstr(out, want));
		snprintf(want, sizeof(want), "\"seq\":%d,", i);
		assert_non_null(strstr(out, want));
	}
	assert_null(strstr(out, "\"seq\":2,"));	/* delivered before: not again */
	free(out);
	rm_rf(d);
}

/* ---- webhook against a real HTTP receiver ----------------------------- */

static void test_webhook_falco_body_exact(void **state)
{
	char *d = make_tmpdir(), url[128], *body;
	struct receiver rv;
	struct sink_options o;
	struct sink *s;
	const char *tags[] = { "container", "mitre_execution" };
	const char *names[] = { "proc.name", "user.name" }, *values[] = { "bash", "root" };
	struct out_record r = {
		.json = "{}", .severity = 2, .rule_id = "VGL-EXEC-001",
		.rule_name = "Terminal shell in container",
		.message = "Shell spawned in container (user=root \"q\")", .time_ns = T0_NS,
		.tags = tags, .ntags = 2, .field_names = names, .field_values = values,
		.nfields = 2, .hostname = "host-a",
	};

	receiver_start(&rv, d, 0, 200, true);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/falco", rv.port);
	webhook_opts(&o, url, NULL);
	o.webhook.mode = SINK_WEBHOOK_FALCO;
	s = open_sink(&o);
	assert_int_equal(sink_submit(s, &r), 0);
	r.priority = "Notice";	/* an explicit priority wins over the severity */
	r.nfields = 0;		/* evt.time alone keeps output_fields non-empty */
	r.ntags = 0;
	assert_int_equal(sink_submit(s, &r), 0);
	sink_close(s);
	receiver_stop(&rv);
	body = slurp(rv.out);
	assert_string_equal(body,
		"{\"hostname\":\"host-a\","
		"\"output\":\"2024-05-01T10:20:30.123456789Z: Critical Shell spawned in container "
		"(user=root \\\"q\\\")\","
		"\"output_fields\":{\"evt.time\":1714558830123456789,\"proc.name\":\"bash\","
		"\"user.name\":\"root\"},"
		"\"priority\":\"Critical\",\"rule\":\"Terminal shell in container\","
		"\"source\":\"syscall\",\"tags\":[\"container\",\"mitre_execution\"],"
		"\"time\":\"2024-05-01T10:20:30.123456789Z\"}\n"
		"{\"hostname\":\"host-a\","
		"\"output\":\"2024-05-01T10:20:30.123456789Z: Notice Shell spawned in container "
		"(user=root \\\"q\\\")\","
		"\"output_fields\":{\"evt.time\":1714558830123456789},"
		"\"priority\":\"Notice\",\"rule\":\"Terminal shell in container\","
		"\"source\":\"syscall\",\"tags\":[],"
		"\"time\":\"2024-05-01T10:20:30.123456789Z\"}\n");
	free(body);
	rm_rf(d);
}

static void test_webhook_vigil_body_and_headers(void **state)
{
	char *d = make_tmpdir(), url[128], *hdrs;
	const char *headers[] = { "Authorization: Bearer t0k3n", "X-Vigil-Test: yes" };
	struct receiver rv;
	struct sink_options o;
	struct sink *s;

	receiver_start(&rv, d, 0, 200, false);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", rv.port);
	webhook_opts(&o, url, NULL);
	o.webhook.headers = headers;
	o.webhook.nheaders = 2;
	s = open_sink(&o);
	submit_range(s, 0, 3);
	sink_close(s);
	receiver_stop(&rv);
	expect_seq_lines(rv.out, 0, 3);
	hdrs = slurp(rv.headers);
	assert_non_null(strstr(hdrs, "Authorization: Bearer t0k3n\n"));
	assert_non_null(strstr(hdrs, "X-Vigil-Test: yes\n"));
	assert_non_null(strstr(hdrs, "Content-Type: application/json\n"));
	free(hdrs);
	rm_rf(d);
}

/* Receiver down: records spooled; back up (same port): all replayed in order, once. */
static void test_webhook_outage_replayed_in_order_once(void **state)
{
	char *d = make_tmpdir(), url[128], spool[512];
	struct receiver rv;
	struct sink_options o;
	struct stat_cond c;
	struct sink_stats st;
	int port;

	snprintf(spool, sizeof(spool), "%s/spool", d);
	receiver_start(&rv, d, 0, 200, false);
	port = rv.port;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", port);
	webhook_opts(&o, url, spool);
	c.s = open_sink(&o);
	submit_range(c.s, 0, 5);
	c.delivered = 5;
	assert_true(wait_for(delivered_at_least, &c, 5000));

	receiver_stop(&rv);
	submit_range(c.s, 5, 25);
	c.spool_records = 20;
	assert_true(wait_for(spooled_exactly, &c, 5000));
	sink_stats(c.s, &st);
	assert_false(st.healthy);
	assert_true(st.failed >= 1);
	assert_int_equal(st.delivered, 5);

	receiver_start(&rv, d, port, 200, false);
	submit_range(c.s, 25, 30);	/* while replaying: must come after */
	c.delivered = 30;
	assert_true(wait_for(delivered_at_least, &c, 10000));
	sink_stats(c.s, &st);
	assert_true(st.healthy);
	assert_int_equal(st.spool_records, 0);
	assert_int_equal(st.dropped, 0);
	sink_close(c.s);
	receiver_stop(&rv);
	expect_seq_lines(rv.out, 0, 30);
	rm_rf(d);
}

static void test_webhook_http_500_is_a_failure(void **state)
{
	char *d = make_tmpdir(), url[128], spool[512];
	struct receiver rv;
	struct sink_options o;
	struct stat_cond c;
	struct sink_stats st;

	snprintf(spool, sizeof(spool), "%s/spool", d);
	receiver_start(&rv, d, 0, 500, false);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", rv.port);
	webhook_opts(&o, url, spool);
	c.s = open_sink(&o);
	submit_range(c.s, 0, 3);
	c.spool_records = 3;
	assert_true(wait_for(spooled_exactly, &c, 5000));
	usleep(300000);		/* several retries, all refused */
	sink_stats(c.s, &st);
	assert_true(st.failed >= 2);
	assert_int_equal(st.delivered, 0);
	assert_false(st.healthy);
	sink_close(c.s);
	receiver_stop(&rv);
	assert_int_equal(count_lines(rv.out), 0);
	rm_rf(d);
}

/* The spool outlives the sink (a vigil restart): the next sink replays it first, once. */
static void test_webhook_spool_survives_restart(void **state)
{
	char *d = make_tmpdir(), url[128], spool[512];
	struct receiver rv;
	struct sink_options o;
	struct stat_cond c;
	struct sink_stats st;
	int port = free_port(SOCK_STREAM);	/* nobody listens yet */

	snprintf(spool, sizeof(spool), "%s/spool", d);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", port);
	webhook_opts(&o, url, spool);
	o.close_timeout_ms = 300;
	c.s = open_sink(&o);
	submit_range(c.s, 0, 10);
	sink_close(c.s);	/* undeliverable: all on disk */

	receiver_start(&rv, d, port, 200, false);
	c.s = open_sink(&o);
	sink_stats(c.s, &st);
	assert_int_equal(st.spool_records + st.delivered, 10);
	submit_range(c.s, 10, 12);
	c.delivered = 12;
	assert_true(wait_for(delivered_at_least, &c, 5000));
	sink_close(c.s);

	c.s = open_sink(&o);	/* a third start: nothing left to send again */
	usleep(200000);
	sink_stats(c.s, &st);
	assert_int_equal(st.spool_records, 0);
	assert_int_equal(st.delivered, 0);
	sink_close(c.s);
	receiver_stop(&rv);
	expect_seq_lines(rv.out, 0, 12);
	rm_rf(d);
}

/* A full spool drops the newest records, counts them, and keeps the oldest. */
static void test_webhook_full_spool_counts_drops(void **state)
{
	char *d = make_tmpdir(), url[128], spool[512];
	struct receiver rv;
	struct sink_options o;
	struct stat_cond c;
	struct sink_stats st;
	int port = free_port(SOCK_STREAM);

	snprintf(spool, sizeof(spool), "%s/spool", d);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/in", port);
	webhook_opts(&o, url, spool);
	o.spool_max_bytes = 600;	/* ~8 records of 66 bytes + headers */
	c.s = open_sink(&o);
	submit_range(c.s, 0, 30);
	usleep(500000);
	sink_stats(c.s, &st);
	assert_int_equal(st.queued, 0);
	assert_true(st.dropped > 0);
	assert_true(st.spool_records > 0);
	assert_int_equal(st.spool_records + st.dropped, 30);
	assert_true(st.spool_bytes <= 600);

	receiver_start(&rv, d, port, 200, false);
	c.delivered = st.spool_records;
	assert_true(wait_for(delivered_at_least, &c, 5000));
	sink_close(c.s);
	receiver_stop(&rv);
	expect_seq_lines(rv.out, 0, (int)c.delivered);	/* the oldest, in order */
	rm_rf(d);
}

/* A destination that accepts connections but never answers: submit stays instant. */
static void test_submit_never_blocks(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	char url[128];
	struct sink_options o;
	struct sink *s;
	struct sink_stats st;
	uint64_t t0, worst = 0;
	struct rec b;

	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);	/* the kernel accepts; nobody reads */
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	webhook_opts(&o, url, NULL);
	o.webhook.timeout_ms = 1500;
	o.close_timeout_ms = 100;
	o.queue_len = 64;
	s = open_sink(&o);
	for (int i = 0; i < 200; i++) {
		make_rec(&b, i, 4);
		t0 = now_ms();
		sink_submit(s, &b.r);	/* past 64 queued: dropped, counted */
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
	}
	assert_true(worst < 20);
	sink_stats(s, &st);
	assert_int_equal(st.delivered, 0);
	assert_true(st.dropped >= 200 - 64 - 1);
	assert_true(st.queued <= 64);
	t0 = now_ms();
	sink_close(s);			/* bounded: the request timeout, not forever */
	assert_true(now_ms() - t0 < 3000);
	close(lfd);
}

/* ---- option errors ------------------------------------------------------ */

static void expect_open_error(const struct sink_options *o, const char *want)
{
	struct sink *s = sink_open(o, err, sizeof(err));

	assert_null(s);
	assert_string_equal(err, want);
}

static void test_bad_options_are_named(void **state)
{
	struct sink_options o;

	webhook_opts(&o, "htp//nowhere", NULL);
	expect_open_error(&o, "webhook: bad url 'htp//nowhere': Bad scheme");
	webhook_opts(&o, "ftp://127.0.0.1/x", NULL);
	expect_open_error(&o, "webhook: bad url 'ftp://127.0.0.1/x': the scheme must be http "
			      "or https");
	webhook_opts(&o, "http://127.0.0.1:1/x", NULL);
	o.webhook.ca_file = "/nonexistent/ca.pem";
	expect_open_error(&o, "webhook: cannot read ca_file '/nonexistent/ca.pem': "
			      "No such file or directory");
	webhook_opts(&o, "http://127.0.0.1:1/x", "/proc/vigil-spool");
	expect_open_error(&o, "spool: cannot create '/proc/vigil-spool': No such file or "
			      "directory");

	o = (struct sink_options){ .kind = SINK_SYSLOG, .syslog = { .address = "udp:/x:1" } };
	expect_open_error(&o, "syslog: bad address 'udp:/x:1': expected unix:PATH, "
			      "udp://HOST:PORT or tcp://HOST:PORT");
	o.syslog.address = "tcp://127.0.0.1";
	expect_open_error(&o, "syslog: bad address 'tcp://127.0.0.1': expected unix:PATH, "
			      "udp://HOST:PORT or tcp://HOST:PORT");
	o.syslog.address = "udp://127.0.0.1:514";
	o.syslog.facility = "locall";
	expect_open_error(&o, "syslog: unknown facility 'locall' (kern, user, daemon, auth, "
			      "authpriv, local0 .. local7, ...)");

	o = (struct sink_options){ .kind = SINK_FILE, .file = { .path = "/nonexistent/a.json" } };
	expect_open_error(&o, "file: cannot open '/nonexistent/a.json': No such file or "
			      "directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_file_rotation_and_retention, stop_children),
		cmocka_unit_test_teardown(test_file_text_color_by_severity, stop_children),
		cmocka_unit_test_teardown(test_file_failure_spools_then_replays, stop_children),
		cmocka_unit_test_teardown(test_syslog_rfc5424_into_rsyslog, stop_children),
		cmocka_unit_test_teardown(test_syslog_tcp_reconnects, stop_children),
		cmocka_unit_test_teardown(test_webhook_falco_body_exact, stop_children),
		cmocka_unit_test_teardown(test_webhook_vigil_body_and_headers, stop_children),
		cmocka_unit_test_teardown(test_webhook_outage_replayed_in_order_once, stop_children),
		cmocka_unit_test_teardown(test_webhook_http_500_is_a_failure, stop_children),
		cmocka_unit_test_teardown(test_webhook_spool_survives_restart, stop_children),
		cmocka_unit_test_teardown(test_webhook_full_spool_counts_drops, stop_children),
		cmocka_unit_test_teardown(test_submit_never_blocks, stop_children),
		cmocka_unit_test_teardown(test_bad_options_are_named, stop_children),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
