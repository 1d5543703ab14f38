// SPDX-License-Identifier: GPL-2.0
/* test_httpd.c - the operations HTTP server, spoken to over a real loopback
 * socket by a minimal client: status codes, bodies and headers of /metrics,
 * /healthz and /readyz, 404 and 405, the connection limit, bad addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "ops/httpd.h"
#include "ops/prom.h"

/* What the agent would hand over: state read with atomics, as httpd.h asks. */
struct fake_agent {
	atomic_bool live, ready;
	atomic_int metrics_error;	/* 0, or -errno the callback returns */
	atomic_ulong alerts;
	atomic_int calls;
	pthread_t main_thread;
	atomic_bool called_from_main;
};

static int fake_metrics(void *ctx, FILE *out)
{
	struct fake_agent *a = ctx;
	struct prom_label l[] = { { "rule", "VGL-\"1\"" } };

	atomic_fetch_add(&a->calls, 1);
	if (pthread_equal(pthread_self(), a->main_thread))
		atomic_store(&a->called_from_main, true);
	if (atomic_load(&a->metrics_error)) {
		fputs("partial", out);	/* must never reach the client */
		return atomic_load(&a->metrics_error);
	}
	prom_family(out, "vigil_alerts_total", PROM_COUNTER, "Alerts raised.");
	prom_u64(out, "vigil_alerts_total", l, 1, atomic_load(&a->alerts));
	return 0;
}

static bool fake_live(void *ctx, char *why, size_t len)
{
	struct fake_agent *a = ctx;

	if (pthread_equal(pthread_self(), a->main_thread))
		atomic_store(&a->called_from_main, true);
	if (atomic_load(&a->live))
		return true;
	snprintf(why, len, "ring buffer reader stalled for 30s");
	return false;
}

static bool fake_ready(void *ctx, char *why, size_t len)
{
	struct fake_agent *a = ctx;

	return atomic_load(&a->ready);	/* no reason given: the server says "unhealthy" */
}

struct reply {
	int status;
	char head[2048];
	char body[8192];
};

static int connect_loopback(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Read until the server closes; split status, head and body. -1 when the
 * server closed without a response. */
static int read_reply(int fd, struct reply *r)
{
	char buf[sizeof(r->head) + sizeof(r->body)];
	size_t len = 0;
	ssize_t n;
	char *sep;

	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	memset(r, 0, sizeof(*r));
	sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		return -1;
	snprintf(r->head, sizeof(r->head), "%.*s", (int)(sep - buf), buf);
	snprintf(r->body, sizeof(r->body), "%s", sep + 4);
	return 0;
}

static void request(uint16_t port, const char *method, const char *path, const char *body,
		    struct reply *r)
{
	char req[512];
	int fd = connect_loopback(port);

	snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
		 "Content-Length: %zu\r\n\r\n%s", method, path, strlen(body), body);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	assert_int_equal(read_reply(fd, r), 0);
	close(fd);
}

static void get(uint16_t port, const char *path, struct reply *r)
{
	request(port, "GET", path, "", r);
}

/* A header line, case-insensitive name, as "Name: value" -> value. */
static const char *header(struct reply *r, const char *name)
{
	static char value[256];
	size_t n = strlen(name);

	for (char *line = strstr(r->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		if (!strncasecmp(line + 2, name, n) && line[2 + n] == ':') {
			const char *v = line + 3 + n;

			v += strspn(v, " ");
			snprintf(value, sizeof(value), "%.*s", (int)strcspn(v, "\r"), v);
			return value;
		}
	}
	return "";
}

struct fixture {
	struct fake_agent agent;
	struct httpd *srv;
	uint16_t port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct httpd_handlers h = { fake_metrics, fake_live, fake_ready, NULL };
	char err[256] = "";

	atomic_store(&f->agent.live, true);
	atomic_store(&f->agent.ready, true);
	atomic_store(&f->agent.alerts, 42);
	f->agent.main_thread = pthread_self();
	h.ctx = &f->agent;
	f->srv = httpd_start("127.0.0.1:0", &h, err, sizeof(err));
	if (!f->srv)
		fail_msg("httpd_start: %s", err);
	f->port = httpd_port(f->srv);
	assert_int_not_equal(f->port, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	httpd_stop(f->srv);
	free(f);
	return 0;
}

static void test_metrics_scrape(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "/metrics", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(r.body, "# HELP vigil_alerts_total Alerts raised.\n"
			    "# TYPE vigil_alerts_total counter\n"
			    "vigil_alerts_total{rule=\"VGL-\\\"1\\\"\"} 42\n");
	/* the next scrape sees the agent's new state */
	atomic_store(&f->agent.alerts, 43);
	get(f->port, "/metrics?ignored=1", &r);
	assert_non_null(strstr(r.body, "} 43\n"));
	assert_int_equal(atomic_load(&f->agent.calls), 2);
	assert_false(atomic_load(&f->agent.called_from_main));
}

static void test_metrics_callback_error_is_500_not_partial(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	atomic_store(&f->agent.metrics_error, -EIO);
	get(f->port, "/metrics", &r);
	assert_int_equal(r.status, 500);
	assert_string_equal(r.body, "metrics unavailable: Input/output error\n");
}

static void test_healthz(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "/healthz", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	assert_string_equal(header(&r, "Content-Type"), "text/plain; charset=utf-8");
	atomic_store(&f->agent.live, false);
	get(f->port, "/healthz", &r);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "ring buffer reader stalled for 30s\n");
	/* readiness is its own check */
	get(f->port, "/readyz", &r);
	assert_int_equal(r.status, 200);
	assert_false(atomic_load(&f->agent.called_from_main));
}

static void test_readyz(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	get(f->port, "/readyz", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "ok\n");
	atomic_store(&f->agent.ready, false);
	get(f->port, "/readyz", &r);
	assert_int_equal(r.status, 503);
	assert_string_equal(r.body, "unhealthy\n");
	get(f->port, "/healthz", &r);
	assert_int_equal(r.status, 200);
}

static void test_unknown_paths_404(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = { "/", "/metrics/", "/metricsx", "/HEALTHZ", "/x/readyz" };
	struct reply r;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get(f->port, paths[i], &r);
		assert_int_equal(r.status, 404);
		assert_string_equal(r.body, "not found\n");
	}
	assert_int_equal(atomic_load(&f->agent.calls), 0);
}

static void test_other_methods_405(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	request(f->port, "POST", "/metrics", "a=1&b=2", &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	request(f->port, "DELETE", "/healthz", "", &r);
	assert_int_equal(r.status, 405);
	request(f->port, "PUT", "/readyz", "x", &r);
	assert_int_equal(r.status, 405);
	assert_int_equal(atomic_load(&f->agent.calls), 0);
	/* an unknown path stays 404 whatever the method */
	request(f->port, "POST", "/nope", "", &r);
	assert_int_equal(r.status, 404);
}

static void test_head_has_no_body(void **state)
{
	struct fixture *f = *state;
	struct reply r;

	request(f->port, "HEAD", "/metrics", "", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(r.body, "");
}

static void test_null_callback_is_404(void **state)
{
	struct fake_agent a = { .live = true };
	struct httpd_handlers h = { .live = fake_live, .ctx = &a };
	char err[256] = "";
	struct httpd *s;
	struct reply r;

	a.main_thread = pthread_self();
	s = httpd_start("127.0.0.1:0", &h, err, sizeof(err));
	assert_non_null(s);
	get(httpd_port(s), "/metrics", &r);
	assert_int_equal(r.status, 404);
	get(httpd_port(s), "/readyz", &r);
	assert_int_equal(r.status, 404);
	get(httpd_port(s), "/healthz", &r);
	assert_int_equal(r.status, 200);
	httpd_stop(s);
}

/* With HTTPD_MAX_CONNECTIONS idle connections open, the server accepts no
 * more: a new request waits in the kernel's listen queue unanswered; once the
 * idle ones go, it is served. */
static void test_connection_limit(void **state)
{
	struct fixture *f = *state;
	int idle[HTTPD_MAX_CONNECTIONS], fd;
	struct timespec settle = { 0, 200 * 1000 * 1000 };
	struct reply r;
	const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

	for (int i = 0; i < HTTPD_MAX_CONNECTIONS; i++)
		idle[i] = connect_loopback(f->port);
	nanosleep(&settle, NULL);	/* let the server thread accept them all */
	fd = connect_loopback(f->port);	/* completes in the kernel's backlog */
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	assert_int_equal(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 700), 0);
	for (int i = 0; i < HTTPD_MAX_CONNECTIONS; i++)
		close(idle[i]);
	assert_int_equal(read_reply(fd, &r), 0);
	assert_int_equal(r.status, 200);
	close(fd);
}

static void expect_bad_addr(const char *addr, const char *reason)
{
	struct httpd_handlers h = { .live = fake_live };
	char err[256] = "", quoted[128];

	assert_null(httpd_start(addr, &h, err, sizeof(err)));
	snprintf(quoted, sizeof(quoted), "address '%s': ", addr);
	if (strncmp(err, quoted, strlen(quoted)) || !strstr(err, reason))
		fail_msg("address '%s': got error \"%s\", expected it to name the address and say "
			 "\"%s\"", addr, err, reason);
}

static void test_bad_addresses(void **state)
{
	expect_bad_addr("", "expected IP:PORT or :PORT");
	expect_bad_addr("9464", "expected IP:PORT or :PORT");
	expect_bad_addr("127.0.0.1", "expected IP:PORT or :PORT");
	expect_bad_addr("127.0.0.1:", "the port must be a number from 0 to 65535");
	expect_bad_addr("127.0.0.1:65536", "the port must be a number from 0 to 65535");
	expect_bad_addr("127.0.0.1:94a4", "the port must be a number from 0 to 65535");
	expect_bad_addr("127.0.0.1:-1", "the port must be a number from 0 to 65535");
	expect_bad_addr("127.0.0.1:0009464", "the port must be a number from 0 to 65535");
	expect_bad_addr("300.0.0.1:9464", "not a numeric IPv4 address");
	expect_bad_addr("localhost:9464", "not a numeric IPv4 address (names are not resolved)");
	expect_bad_addr("::1:9464", "an IPv6 address goes in brackets");
	expect_bad_addr("[::1:9464", "missing ']'");
	expect_bad_addr("[::1]9464", "expected ':PORT' after ']'");
	expect_bad_addr("[127.0.0.1]:9464", "not a numeric IPv6 address");
	expect_bad_addr("[]:9464", "not a numeric IPv6 address");
	expect_bad_addr("[fe80::1%eth0-that-is-far-too-long-for-any-address]:1",
			"not a numeric IP address");
}

static void test_parse_good_addresses(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256], text[INET6_ADDRSTRLEN];

	assert_int_equal(httpd_parse_addr("10.1.2.3:9464", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9464);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof(text));
	assert_string_equal(text, "10.1.2.3");

	assert_int_equal(httpd_parse_addr("[fd00::7]:65535", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 65535);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, text, sizeof(text));
	assert_string_equal(text, "fd00::7");

	/* ":PORT": every address, as the IPv6 wildcard (dual stack) */
	assert_int_equal(httpd_parse_addr(":9464", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 9464);
}

/* ":PORT" must answer on IPv4 loopback too, as a kubelet probing the pod IP would. */
static void test_wildcard_serves_ipv4(void **state)
{
	struct fake_agent a = { .live = true };
	struct httpd_handlers h = { .live = fake_live, .ctx = &a };
	char err[256] = "";
	struct httpd *s;
	struct reply r;

	a.main_thread = pthread_self();
	s = httpd_start(":0", &h, err, sizeof(err));
	if (!s)
		fail_msg("httpd_start(':0'): %s", err);
	get(httpd_port(s), "/healthz", &r);
	assert_int_equal(r.status, 200);
	httpd_stop(s);
}

static void test_port_in_use(void **state)
{
	struct fixture *f = *state;
	struct httpd_handlers h = { .live = fake_live };
	char addr[64], err[256] = "", want[128];

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", f->port);
	assert_null(httpd_start(addr, &h, err, sizeof(err)));
	snprintf(want, sizeof(want), "address '%s': cannot listen: %s", addr, strerror(EADDRINUSE));
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_metrics_scrape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_callback_error_is_500_not_partial,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_healthz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readyz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_paths_404, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_methods_405, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_has_no_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_in_use, setup, teardown),
		cmocka_unit_test(test_null_callback_is_404),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_parse_good_addresses),
		cmocka_unit_test(test_wildcard_serves_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
