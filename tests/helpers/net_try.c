// SPDX-License-Identifier: GPL-2.0
/*
 * net_try - connection attempts for tests/e2e/test_enforce_net.sh, static
 * so it runs inside a bare busybox container. Prints KEY=VALUE lines; an
 * error is printed as its errno name (EPERM), so a test can tell a block
 * from a refusal.
 *
 *   net_try tcp ADDR PORT            one TCP connect: connect=ok|ERRNO
 *   net_try udp ADDR PORT            one UDP sendto:  sendto=ok|ERRNO
 *   net_try loop ADDR PORT MS N      N TCP connects, MS ms apart:
 *                                    ok_at=TIME per success (realtime s.ms),
 *                                    then ok=A eperm=B other=C
 *   net_try listen ADDR PORT         TCP listener: prints accepted=PORT per
 *                                    connection (peer port), until killed
 *   net_try udp-listen ADDR PORT     UDP receiver: received=BYTES per datagram
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static socklen_t parse_addr(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (void *)ss;
	struct sockaddr_in6 *in6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(port));
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		return sizeof(*in6);
	}
	fprintf(stderr, "net_try: bad address '%s'\n", addr);
	exit(2);
}

/* "ok" for 0, else the errno name of -rc */
static const char *result(int rc)
{
	const char *name = rc ? strerrorname_np(-rc) : "ok";

	return name ? name : "unknown";
}

/* 0, or -errno of the failed step. */
static int try_tcp(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), rc;

	if (fd < 0)
		return -errno;
	rc = connect(fd, (const void *)ss, len) ? -errno : 0;
	close(fd);
	return rc;
}

static int try_udp(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0), rc;

	if (fd < 0)
		return -errno;
	rc = sendto(fd, "vigil", 5, 0, (const void *)ss, len) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static void loop(const struct sockaddr_storage *ss, socklen_t len, int ms, int n)
{
	struct timespec gap = { ms / 1000, (ms % 1000) * 1000000L };
	int ok = 0, eperm = 0, other = 0;

	for (int i = 0; i < n; i++) {
		int rc = try_tcp(ss, len);

		if (rc == 0) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			printf("ok_at=%ld.%03ld\n", (long)now.tv_sec, now.tv_nsec / 1000000);
			ok++;
		}
		else if (rc == -EPERM)
			eperm++;
		else
			other++;
		nanosleep(&gap, NULL);
	}
	printf("ok=%d eperm=%d other=%d\n", ok, eperm, other);
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len, int type)
{
	int fd = socket(ss->ss_family, type, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (const void *)ss, len) || (type == SOCK_STREAM && listen(fd, 64))) {
		perror("net_try: listen");
		exit(1);
	}
	printf("listening=1\n");
	fflush(stdout);
	return fd;
}

static void serve_tcp(int fd)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int c = accept(fd, (void *)&peer, &plen);

		if (c < 0)
			continue;
		printf("accepted=%u\n", ntohs(((struct sockaddr_in *)&peer)->sin_port));
		fflush(stdout);
		close(c);
	}
}

static void serve_udp(int fd)
{
	char buf[64];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n >= 0) {
			printf("received=%zd\n", n);
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (argc < 4) {
		fprintf(stderr, "usage: net_try tcp|udp|loop|listen|udp-listen ADDR PORT [MS N]\n");
		return 2;
	}
	len = parse_addr(argv[2], argv[3], &ss);
	if (!strcmp(argv[1], "tcp")) {
		printf("connect=%s\n", result(try_tcp(&ss, len)));
	} else if (!strcmp(argv[1], "udp")) {
		printf("sendto=%s\n", result(try_udp(&ss, len)));
	} else if (!strcmp(argv[1], "loop") && argc == 6) {
		loop(&ss, len, atoi(argv[4]), atoi(argv[5]));
	} else if (!strcmp(argv[1], "listen")) {
		serve_tcp(listen_on(&ss, len, SOCK_STREAM));
	} else if (!strcmp(argv[1], "udp-listen")) {
		serve_udp(listen_on(&ss, len, SOCK_DGRAM));
	} else {
		fprintf(stderr, "net_try: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	return 0;
}
