// SPDX-License-Identifier: GPL-2.0
/*
 * net_ops - network behaviour for tests/e2e/test_net.sh. Each mode does one
 * scenario and prints KEY=VALUE lines the test asserts against.
 *
 *   net_ops tcp4|tcp6        listener on loopback (ephemeral port), a forked
 *                            client (comm "net_client") connects, accept
 *   net_ops refused          connect to a loopback port nobody listens on
 *   net_ops unix PATH        AF_UNIX bind+listen on PATH, client connect, accept
 *   net_ops unix-abstract NAME  same with the abstract name NAME
 *   net_ops raw              socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   net_ops packet           socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "net_ops: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t loopback(int family, struct sockaddr_storage *ss, unsigned short port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (void *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr = in6addr_loopback;
	return sizeof(*in6);
}

static unsigned short local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (void *)&ss, &len))
		die("getsockname");
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);	/* same offset for in6 */
}

/* Fork a client named "net_client" that connects to addr, reports its pid
 * and local port, and exits. Returns its pid. */
static pid_t client(int family, const struct sockaddr *addr, socklen_t len)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid > 0)
		return pid;
	prctl(PR_SET_NAME, "net_client");
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, addr, len))
		die("client connect");
	if (family != AF_UNIX)
		printf("client_port=%u\n", local_port(fd));
	printf("client_pid=%d\n", getpid());
	fflush(stdout);
	close(fd);
	_exit(0);
}

static int tcp(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);
	int lfd = socket(family, SOCK_STREAM, 0), cfd, status;
	pid_t pid;

	if (lfd < 0 || bind(lfd, (void *)&ss, len) || listen(lfd, 7))
		die("listener");
	printf("listen_port=%u\n", local_port(lfd));
	len = loopback(family, &ss, local_port(lfd));
	pid = client(family, (void *)&ss, len);
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		die("accept");
	printf("accept_fd=%d\n", cfd);
	waitpid(pid, &status, 0);
	return status != 0;
}

static int refused(void)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(AF_INET, &ss, 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned short port;

	/* a port just released is closed; nobody else is likely to take it */
	if (fd < 0 || bind(fd, (void *)&ss, len))
		die("bind");
	port = local_port(fd);
	close(fd);
	len = loopback(AF_INET, &ss, port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fd, (void *)&ss, len) == 0 || errno != ECONNREFUSED)
		die("connect was not refused");
	printf("refused_port=%u\nrefused_fd=%d\n", port, fd);
	return 0;
}

static int unix_sock(const char *name, int abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	socklen_t len;
	int lfd, cfd, status;
	pid_t pid;

	if (n + abstract >= sizeof(sun.sun_path))
		return 2;
	memcpy(sun.sun_path + abstract, name, n);	/* abstract: leading NUL */
	len = offsetof(struct sockaddr_un, sun_path) + abstract + n + !abstract;
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (void *)&sun, len) || listen(lfd, 3))
		die("unix listener");
	pid = client(AF_UNIX, (void *)&sun, len);
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		die("accept");
	waitpid(pid, &status, 0);
	if (!abstract)
		unlink(name);
	return status != 0;
}

static int raw_socket(int family, int type, int proto)
{
	int fd = socket(family, type, proto);

	if (fd < 0)
		die("socket");
	printf("fd=%d\n", fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid=%d\n", getpid());
	if (!strcmp(mode, "tcp4"))
		return tcp(AF_INET);
	if (!strcmp(mode, "tcp6"))
		return tcp(AF_INET6);
	if (!strcmp(mode, "refused"))
		return refused();
	if (!strcmp(mode, "unix") && argc > 2)
		return unix_sock(argv[2], 0);
	if (!strcmp(mode, "unix-abstract") && argc > 2)
		return unix_sock(argv[2], 1);
	if (!strcmp(mode, "raw"))
		return raw_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (!strcmp(mode, "packet"))
		return raw_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	fprintf(stderr, "usage: net_ops tcp4|tcp6|refused|unix PATH|unix-abstract NAME|raw|packet\n");
	return 2;
}
