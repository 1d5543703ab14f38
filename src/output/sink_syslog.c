// SPDX-License-Identifier: GPL-2.0
/*
 * sink_syslog.c - alerts as RFC 5424 syslog messages over the local socket
 * (datagram), UDP or TCP (octet-counting framing, RFC 6587):
 *
 *   <PRI>1 TIMESTAMP HOSTNAME vigil PROCID alert [vigil@32473 id=".." ...] MSG
 *
 * The SD-ID uses 32473, the enterprise number RFC 5612 reserves for
 * documentation, until vigil has a number of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "output/falco.h"
#include "output/sink_impl.h"

#define SD_ID		"vigil@32473"
#define DGRAM_MAX	65000	/* longer messages are cut to fit one UDP datagram */

enum syslog_transport { SYSLOG_UNIX, SYSLOG_UDP, SYSLOG_TCP };

struct syslog_sink {
	enum syslog_transport transport;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *address;		/* as configured, for messages */
	int fd;			/* -1: to be (re)connected */
	int facility;
	char app_name[49];
	enum sink_format format;
	unsigned timeout_ms;
};

static const char *const facility_names[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
	"local3", "local4", "local5", "local6", "local7",
};

static int facility_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(facility_names) / sizeof(facility_names[0]); i++)
		if (!strcmp(name, facility_names[i]))
			return (int)i;
	return -1;
}

/* PRINTUSASCII without spaces, as RFC 5424 wants in header fields; "-" if empty */
static void header_field(struct json *out, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && s[n] && n < max; n++)
		json_appendf(out, "%c", s[n] > 32 && s[n] < 127 ? s[n] : '_');
	if (!n)
		json_appendf(out, "-");
}

/* An SD-PARAM value: '"', '\' and ']' are escaped with a backslash. */
static void sd_param(struct json *out, const char *name, const char *value)
{
	json_appendf(out, " %s=\"", name);
	for (const char *p = value; *p; p++)
		json_appendf(out, "%s%c", (*p == '"' || *p == '\\' || *p == ']') ? "\\" : "", *p);
	json_appendf(out, "\"");
}

static int syslog_render(struct sink *s, const struct out_record *r, struct json *out)
{
	struct syslog_sink *y = s->priv;
	int sev = r->severity < 0 ? 0 : r->severity > 7 ? 7 : r->severity;
	char ts[48], sevbuf[4];
	size_t hdr_len;

	sink_time_rfc3339(ts, sizeof(ts), r->time_ns, 6);	/* RFC 5424: at most 6 digits */
	json_appendf(out, "<%d>1 %s ", y->facility * 8 + sev, ts);
	header_field(out, r->hostname ? r->hostname : s->hostname, 255);
	json_appendf(out, " %s %d alert [" SD_ID, y->app_name, (int)getpid());
	sd_param(out, "rule_id", sink_str(r->rule_id));
	sd_param(out, "rule", sink_str(r->rule_name));
	snprintf(sevbuf, sizeof(sevbuf), "%d", sev);
	sd_param(out, "severity", sevbuf);
	sd_param(out, "priority", r->priority ? r->priority : falco_priority(sev));
	json_appendf(out, "] ");
	hdr_len = out->len;
	if (y->format == SINK_FORMAT_JSON) {
		const char *js = sink_str(r->json);

		json_appendf(out, "%.*s", (int)(r->json_len ? r->json_len : strlen(js)), js);
	} else {
		json_appendf(out, "%s", sink_str(r->text));
	}
	if (y->transport != SYSLOG_TCP && out->len > DGRAM_MAX && hdr_len < DGRAM_MAX) {
		out->len = DGRAM_MAX;
		out->buf[out->len] = '\0';
	}
	return 0;
}

static void set_timeouts(int fd, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* connect() bounded by the timeout, then back to blocking mode. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, unsigned ms)
{
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t elen = sizeof(err);
	struct pollfd p = { fd, POLLOUT, 0 };

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return -errno;
		int n = poll(&p, 1, (int)ms);

		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0)
			return -errno;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		if (err)
			return -err;
	}
	fcntl(fd, F_SETFL, flags);
	return 0;
}

static int syslog_connect(struct sink *s, struct syslog_sink *y)
{
	int type = y->transport == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int rc;

	y->fd = socket(y->addr.ss_family, type | SOCK_CLOEXEC, 0);
	if (y->fd < 0)
		return -errno;
	set_timeouts(y->fd, y->timeout_ms);
	rc = connect_timeout(y->fd, (struct sockaddr *)&y->addr, y->addrlen, y->timeout_ms);
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "syslog: cannot connect to '%s': %s",
			 y->address, strerror(-rc));
		close(y->fd);
		y->fd = -1;
	}
	return rc;
}

/* A TCP peer that closed (or reset) the connection is seen before we write into it. */
static bool tcp_peer_gone(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
		return true;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

static int syslog_send(struct sink *s, const char *buf, size_t len)
{
	struct syslog_sink *y = s->priv;
	char frame[24];
	int rc;

	if (y->fd >= 0 && y->transport == SYSLOG_TCP && tcp_peer_gone(y->fd)) {
		close(y->fd);
		y->fd = -1;
	}
	if (y->fd < 0 && (rc = syslog_connect(s, y)) < 0)
		return rc;
	if (y->transport == SYSLOG_TCP) {
		snprintf(frame, sizeof(frame), "%zu ", len);
		rc = send_all(y->fd, frame, strlen(frame));
		if (!rc)
			rc = send_all(y->fd, buf, len);
	} else {
		rc = send(y->fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -errno;
	}
	if (rc < 0) {
		snprintf(s->error, sizeof(s->error), "syslog: cannot send to '%s': %s", y->address,
			 strerror(-rc));
		close(y->fd);
		y->fd = -1;
	}
	return rc;
}

static void syslog_destroy(struct sink *s)
{
	struct syslog_sink *y = s->priv;

	if (!y)
		return;
	if (y->fd >= 0)
		close(y->fd);
	free(y->address);
	free(y);
	s->priv = NULL;
}

static const struct sink_ops syslog_ops = {
	.render = syslog_render,
	.send = syslog_send,
	.destroy = syslog_destroy,
};

static int parse_unix(struct syslog_sink *y, const char *path)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&y->addr;

	if (!*path || strlen(path) >= sizeof(un->sun_path))
		return -EINVAL;
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, path);
	y->addrlen = sizeof(*un);
	y->transport = SYSLOG_UNIX;
	return 0;
}

/* HOST:PORT or [V6]:PORT, resolved now (numeric or by name). */
static int parse_inet(struct syslog_sink *y, const char *hp, char *err, size_t errlen)
{
	char host[256];
	const char *port, *end;
	struct addrinfo hints = { .ai_socktype = y->transport == SYSLOG_TCP ? SOCK_STREAM
									     : SOCK_DGRAM };
	struct addrinfo *ai;
	int rc;

	if (*hp == '[') {
		end = strchr(hp, ']');
		port = end && end[1] == ':' ? end + 2 : NULL;
		hp++;
	} else {
		end = strrchr(hp, ':');
		port = end ? end + 1 : NULL;
	}
	if (!end || !port || !*port || end == hp || (size_t)(end - hp) >= sizeof(host))
		return -EINVAL;
	snprintf(host, sizeof(host), "%.*s", (int)(end - hp), hp);
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "syslog: cannot resolve '%s' port '%s': %s", host, port,
			 gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	memcpy(&y->addr, ai->ai_addr, ai->ai_addrlen);
	y->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int parse_address(struct syslog_sink *y, const char *a, char *err, size_t errlen)
{
	int rc = -EINVAL;

	if (!strncmp(a, "unix:", 5))
		rc = parse_unix(y, a + 5);
	else if (a[0] == '/')
		rc = parse_unix(y, a);
	else if (!strncmp(a, "udp://", 6) && (y->transport = SYSLOG_UDP, 1))
		rc = parse_inet(y, a + 6, err, errlen);
	else if (!strncmp(a, "tcp://", 6) && (y->transport = SYSLOG_TCP, 1))
		rc = parse_inet(y, a + 6, err, errlen);
	if (rc == -EINVAL)
		snprintf(err, errlen, "syslog: bad address '%s': expected unix:PATH, "
			 "udp://HOST:PORT or tcp://HOST:PORT", a);
	return rc;
}

int sink_syslog_init(struct sink *s, const struct sink_syslog_options *o, char *err,
		     size_t errlen)
{
	struct syslog_sink *y = calloc(1, sizeof(*y));
	const char *addr = o->address ? o->address : "unix:/dev/log";
	int rc;

	if (!y || !(y->address = strdup(addr))) {
		free(y);
		snprintf(err, errlen, "syslog: out of memory");
		return -ENOMEM;
	}
	y->fd = -1;
	s->priv = y;
	s->ops = &syslog_ops;
	y->format = o->format;
	y->timeout_ms = o->timeout_ms ? o->timeout_ms : 5000;
	y->facility = facility_parse(o->facility ? o->facility : "auth");
	if (y->facility < 0) {
		snprintf(err, errlen, "syslog: unknown facility '%s' (kern, user, daemon, auth, "
			 "authpriv, local0 .. local7, ...)", o->facility);
		return -EINVAL;
	}
	snprintf(y->app_name, sizeof(y->app_name), "%s", o->app_name ? o->app_name : "vigil");
	for (char *p = y->app_name; *p; p++)
		if (*p <= 32 || *p >= 127)
			*p = '_';
	rc = parse_address(y, addr, err, errlen);
	return rc;
}
