// SPDX-License-Identifier: GPL-2.0
/*
 * storm - syscall-heavy workloads for `make bench`. Prints elapsed seconds.
 *   storm open N       N open+close of a file
 *   storm forkexec N   N fork + exec of /bin/true, waited for
 *   storm connect N    N loopback TCP connect+accept+close
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void storm_open(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY);

		if (fd < 0) {
			perror("open");
			exit(1);
		}
		close(fd);
	}
}

static void storm_forkexec(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
}

static int listener;

static void *acceptor(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++) {
		int c = accept(listener, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	return NULL;
}

static void storm_connect(long n)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	pthread_t t;
	int one = 1;

	listener = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listener, (struct sockaddr *)&sa, sizeof(sa)) || listen(listener, 4096) ||
	    getsockname(listener, (struct sockaddr *)&sa, &len)) {
		perror("listen");
		exit(1);
	}
	pthread_create(&t, NULL, acceptor, (void *)n);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct linger lg = { 1, 0 };	/* RST on close: no TIME_WAIT pile-up */

		if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
			perror("connect");
			exit(1);
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	double t0;
	long n;

	if (argc != 3) {
		fprintf(stderr, "usage: storm open|forkexec|connect N\n");
		return 2;
	}
	n = atol(argv[2]);
	t0 = now();
	if (!strcmp(argv[1], "open"))
		storm_open(n);
	else if (!strcmp(argv[1], "forkexec"))
		storm_forkexec(n);
	else if (!strcmp(argv[1], "connect"))
		storm_connect(n);
	else
		return 2;
	printf("%.4f\n", now() - t0);
	return 0;
}
