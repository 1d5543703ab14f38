/* SPDX-License-Identifier: GPL-2.0 */
/*
 * httpd.h - vigil's operations HTTP server (libmicrohttpd): Prometheus
 * metrics and the health probes Kubernetes and load balancers ask for.
 *
 *	GET /metrics   200, text/plain; version=0.0.4 (500 when the callback fails)
 *	GET /healthz   200 "ok", or 503 and the reason
 *	GET /readyz    200 "ok", or 503 and the reason
 *
 * HEAD is answered like GET without a body; other methods get 405 (with
 * "Allow: GET, HEAD"), other paths 404. The query string is ignored.
 *
 * Threads: the server runs in libmicrohttpd's own thread, so THE CALLBACKS
 * RUN ON ANOTHER THREAD THAN THE AGENT'S LOOP and may run while the agent
 * changes its state. They must be thread-safe: read atomics, or copy a
 * snapshot under a mutex the agent also takes; never walk the agent's tables
 * unlocked. Calls are serialised (one at a time), and none runs after
 * httpd_stop() returns.
 *
 * Bounded: at most HTTPD_MAX_CONNECTIONS connections at a time (more wait in
 * the kernel's listen queue of the same length, then are refused), each closed
 * after HTTPD_TIMEOUT_SEC idle seconds, HTTPD_MEMORY_LIMIT bytes of request
 * buffer each. A slow or hostile client cannot grow vigil's memory.
 */
#ifndef VIGIL_HTTPD_H
#define VIGIL_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define HTTPD_MAX_CONNECTIONS	16
#define HTTPD_TIMEOUT_SEC	10
#define HTTPD_MEMORY_LIMIT	(32 * 1024)

struct httpd_handlers {
	/* Write the whole exposition text to out (see ops/prom.h). Return 0, or
	 * -errno to answer 500 instead of a partial scrape. */
	int (*metrics)(void *ctx, FILE *out);
	/* true when healthy; otherwise write a one-line reason into why (it is
	 * pre-set to an empty string) and return false: 503 with that reason. */
	bool (*live)(void *ctx, char *why, size_t whylen);
	bool (*ready)(void *ctx, char *why, size_t whylen);
	void *ctx;
};
/* A NULL callback answers its path with 404. */

struct httpd;

/*
 * Parse "IP:PORT": "127.0.0.1:9464", "[::1]:9464", or ":9464" for every
 * address (IPv6 and IPv4 when the host has IPv6, IPv4 only otherwise).
 * Numeric addresses only (no DNS at start-up); port 0 picks a free port.
 * 0, or -EINVAL with a message naming addr in err.
 */
int httpd_parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen);

/*
 * Listen on addr and serve the handlers (copied; ctx must live until
 * httpd_stop). On failure NULL, with a message naming addr in err, e.g.
 * "address '127.0.0.1:9464': cannot listen: Address already in use"
 * (the caller adds which option it came from).
 */
struct httpd *httpd_start(const char *addr, const struct httpd_handlers *h,
			  char *err, size_t errlen);

/* The port really listened on (useful after port 0). */
uint16_t httpd_port(const struct httpd *s);

/* Stop serving, wait for the server thread, free s. NULL is a no-op. */
void httpd_stop(struct httpd *s);

#endif
