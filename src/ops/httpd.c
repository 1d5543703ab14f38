// SPDX-License-Identifier: GPL-2.0
/* httpd.c - the operations HTTP server: /metrics, /healthz, /readyz (see httpd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "log.h"
#include "ops/httpd.h"

#define CONTENT_TYPE_METRICS	"text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT	"text/plain; charset=utf-8"
#define WHY_MAX			256

struct httpd {
	struct MHD_Daemon *daemon;
	struct httpd_handlers h;
	uint16_t port;
};

static int addr_error(char *err, size_t errlen, const char *addr, const char *why)
{
	snprintf(err, errlen, "address '%s': %s", addr, why);
	return -EINVAL;
}

/* "9464" -> 9464; digits only, at most 65535. */
static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Split "HOST:PORT" / "[HOST]:PORT" into host (brackets removed) and port text. */
static int split_addr(const char *addr, char *host, size_t hostlen, const char **port,
		      bool *bracketed, char *err, size_t errlen)
{
	const char *start = addr, *colon, *end;

	*bracketed = addr[0] == '[';
	if (*bracketed) {
		end = strchr(addr, ']');
		if (!end)
			return addr_error(err, errlen, addr, "missing ']' after the IPv6 address");
		if (end[1] != ':')
			return addr_error(err, errlen, addr, "expected ':PORT' after ']'");
		colon = end + 1;
		start++;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return addr_error(err, errlen, addr, "expected IP:PORT or :PORT");
		if (memchr(addr, ':', (size_t)(colon - addr)))
			return addr_error(err, errlen, addr,
					  "an IPv6 address goes in brackets: [ADDR]:PORT");
		end = colon;
	}
	if ((size_t)(end - start) >= hostlen)
		return addr_error(err, errlen, addr, "not a numeric IP address");
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	*port = colon + 1;
	return 0;
}

int httpd_parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_text;
	bool bracketed;
	uint16_t port;
	int ret;

	if (!addr)
		addr = "";
	ret = split_addr(addr, host, sizeof(host), &port_text, &bracketed, err, errlen);
	if (ret)
		return ret;
	if (parse_port(port_text, &port))
		return addr_error(err, errlen, addr, "the port must be a number from 0 to 65535");
	memset(ss, 0, sizeof(*ss));
	if (!bracketed && inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*sslen = sizeof(*in4);
		return 0;
	}
	/* ":PORT" is the IPv6 wildcard; the listener falls back to IPv4 without IPv6 */
	if ((!bracketed && !*host) || (bracketed && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1)) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*sslen = sizeof(*in6);
		return 0;
	}
	return addr_error(err, errlen, addr, bracketed ? "not a numeric IPv6 address" :
			  "not a numeric IPv4 address (names are not resolved)");
}

/* A bound, listening TCP socket, or -errno. The wildcard [::] also takes IPv4
 * when it can, and is IPv4's 0.0.0.0 on hosts without IPv6. */
static int listen_on(struct sockaddr_storage *ss, socklen_t len)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	bool wildcard = ss->ss_family == AF_INET6 &&
			IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
	int one = 1, zero = 0, fd, ret;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && wildcard && errno == EAFNOSUPPORT) {
		uint16_t port = in6->sin6_port;
		struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

		memset(ss, 0, sizeof(*ss));
		in4->sin_family = AF_INET;
		in4->sin_port = port;
		len = sizeof(*in4);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		return -errno;
	/* a restarted vigil must not wait for TIME_WAIT to expire */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (wildcard && ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)ss, len) || listen(fd, HTTPD_MAX_CONNECTIONS)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Queue a response with the body in buf; mode says who owns buf. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *content_type, const char *buf, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)buf, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free((void *)buf);
		return MHD_NO;	/* drops the connection: nothing better to do without memory */
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	return reply(conn, status, CONTENT_TYPE_TEXT, text, strlen(text), MHD_RESPMEM_MUST_COPY);
}

/* The scrape is written to memory first so a failing callback can still
 * answer 500 rather than a truncated 200. */
static enum MHD_Result serve_metrics(struct httpd *s, struct MHD_Connection *conn)
{
	char *buf = NULL, msg[128];
	size_t len = 0;
	FILE *out;
	int ret;

	out = open_memstream(&buf, &len);
	if (!out)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	ret = s->h.metrics(s->h.ctx, out);
	if (fclose(out) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(buf);
		snprintf(msg, sizeof(msg), "metrics unavailable: %s\n", strerror(-ret));
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
	}
	return reply(conn, MHD_HTTP_OK, CONTENT_TYPE_METRICS, buf, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result serve_probe(struct httpd *s, struct MHD_Connection *conn,
				   bool (*check)(void *, char *, size_t))
{
	char why[WHY_MAX] = "", body[WHY_MAX + 2];

	if (check(s->h.ctx, why, sizeof(why)))
		return reply_text(conn, MHD_HTTP_OK, "ok\n");
	why[sizeof(why) - 1] = '\0';
	snprintf(body, sizeof(body), "%s\n", why[0] ? why : "unhealthy");
	return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **req_state)
{
	struct httpd *s = cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);

	/* Everything is answered on the first call, before any request body is
	 * read: no endpoint takes one. */
	if (!strcmp(url, "/metrics") && s->h.metrics)
		return get ? serve_metrics(s, conn) :
			reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (!strcmp(url, "/healthz") && s->h.live)
		return get ? serve_probe(s, conn, s->h.live) :
			reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (!strcmp(url, "/readyz") && s->h.ready)
		return get ? serve_probe(s, conn, s->h.ready) :
			reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* libmicrohttpd's own complaints (accept failures, connection limit) go to our log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("ops http server: %s", msg);
}

struct httpd *httpd_start(const char *addr, const struct httpd_handlers *h,
			  char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct httpd *s;
	int fd;

	if (httpd_parse_addr(addr, &ss, &sslen, err, errlen))
		return NULL;
	fd = listen_on(&ss, sslen);
	if (fd < 0) {
		snprintf(err, errlen, "address '%s': cannot listen: %s", addr, strerror(-fd));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		snprintf(err, errlen, "address '%s': out of memory", addr);
		return NULL;
	}
	s->h = *h;
	s->port = bound_port(fd);
	/* from here libmicrohttpd owns fd and closes it in MHD_stop_daemon */
	s->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0,
				     NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTPD_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTPD_TIMEOUT_SEC,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_MEMORY_LIMIT,
				     MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "address '%s': cannot start the HTTP server", addr);
		free(s);
		return NULL;
	}
	return s;
}

uint16_t httpd_port(const struct httpd *s)
{
	return s->port;
}

void httpd_stop(struct httpd *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
