// SPDX-License-Identifier: GPL-2.0
/*
 * storm - the workloads of `make bench` (bench/bench.py). Each prints its wall
 * time in seconds, one number on stdout; setup (the file tree, the listener) is
 * not timed. Exit status 1 and a message on stderr if any call fails: a storm
 * that fails fast would otherwise look like a fast storm.
 *
 *   storm open N DIR      N open+close, cycling over the files of a tree in DIR
 *   storm stat N DIR      N stat of the same files
 *   storm rw N DIR        N pwrite+pread pairs of 64 bytes on one small file
 *   storm forkexec N      N fork + exec of /bin/true, each waited for
 *   storm shloop N        sh -c 'a while loop running /bin/true N times'
 *   storm connect N       N loopback TCP connect+accept+close
 *   storm udp N           N loopback UDP sendto of 64 bytes, a thread draining
 *   storm time CMD ARG..  run a command (a build), fail unless it exits 0; its
 *                         output goes to stderr
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* 16 x 64 files: deeper than one directory, small enough to stay in the dcache */
#define TREE_DIRS	16
#define TREE_FILES	64
#define TREE_SIZE	(TREE_DIRS * TREE_FILES)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *subject)
{
	fprintf(stderr, "storm: %s '%s': %s\n", what, subject, strerror(errno));
	exit(1);
}

/* Make DIR/dNN/fNNN (existing files are kept) and return their paths. */
static char **tree_paths(const char *dir)
{
	char **paths = calloc(TREE_SIZE, sizeof(*paths));

	if (!paths || (mkdir(dir, 0755) && errno != EEXIST))
		die("cannot create directory", dir);
	for (int d = 0; d < TREE_DIRS; d++) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/d%02d", dir, d);
		if (mkdir(sub, 0755) && errno != EEXIST)
			die("cannot create directory", sub);
		for (int f = 0; f < TREE_FILES; f++) {
			char **p = &paths[d * TREE_FILES + f];
			int fd;

			if (asprintf(p, "%s/f%03d", sub, f) < 0)
				die("cannot allocate path in", sub);
			fd = open(*p, O_WRONLY | O_CREAT, 0644);
			if (fd < 0)
				die("cannot create", *p);
			close(fd);
		}
	}
	return paths;
}

static void storm_open(long n, char **paths)
{
	for (long i = 0; i < n; i++) {
		const char *p = paths[i % TREE_SIZE];
		int fd = open(p, O_RDONLY);

		if (fd < 0)
			die("cannot open", p);
		close(fd);
	}
}

static void storm_stat(long n, char **paths)
{
	struct stat st;

	for (long i = 0; i < n; i++)
		if (stat(paths[i % TREE_SIZE], &st))
			die("cannot stat", paths[i % TREE_SIZE]);
}

static void storm_rw(long n, const char *path)
{
	char buf[64] = "vigil bench: a small file read and written in place\n";
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	if (fd < 0)
		die("cannot open", path);
	for (long i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf) ||
		    pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
			die("cannot write and read", path);
	close(fd);
}

/* Run argv, wait, exit 1 unless it exited 0. Its stdout goes to our stderr:
 * our stdout carries only the time. */
static void run_waited(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("cannot fork for", argv[0]);
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "storm: cannot execute '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("cannot wait for", argv[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "storm: '%s' failed (status 0x%x)\n", argv[0], status);
		exit(1);
	}
}

static void storm_forkexec(long n)
{
	char *const argv[] = { "/bin/true", NULL };

	for (long i = 0; i < n; i++)
		run_waited(argv);
}

static void storm_shloop(long n)
{
	char script[128];

	snprintf(script, sizeof(script),
		 "i=0; while [ $i -lt %ld ]; do /bin/true; i=$((i+1)); done", n);
	run_waited((char *const[]){ "/bin/sh", "-c", script, NULL });
}

static int loopback_socket(int type, struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int one = 1, s = socket(AF_INET, type, 0);

	*sa = (struct sockaddr_in){ .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)sa, sizeof(*sa)) ||
	    (type == SOCK_STREAM && listen(s, 4096)) ||
	    getsockname(s, (struct sockaddr *)sa, &len))
		die("cannot set up a socket on", "127.0.0.1");
	return s;
}

struct acceptor {
	int listener;
	long n;
};

static void *acceptor_main(void *arg)
{
	struct acceptor *a = arg;

	for (long i = 0; i < a->n; i++) {
		int c = accept(a->listener, NULL, NULL);

		if (c >= 0)
			close(c);
	}
	return NULL;
}

static void storm_connect(long n)
{
	struct sockaddr_in sa;
	struct acceptor a = { .listener = loopback_socket(SOCK_STREAM, &sa), .n = n };
	pthread_t t;

	pthread_create(&t, NULL, acceptor_main, &a);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct linger lg = { 1, 0 };	/* RST on close: no TIME_WAIT pile-up */

		if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)))
			die("cannot connect to", "127.0.0.1");
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	pthread_join(t, NULL);
}

struct drain {
	int sock;
	volatile bool done;
};

/* Read until told to stop; the timeout lets it notice the flag. */
static void *drain_main(void *arg)
{
	struct drain *d = arg;
	struct timeval tv = { 0, 100000 };
	char buf[64];

	setsockopt(d->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!d->done)
		recv(d->sock, buf, sizeof(buf), 0);
	return NULL;
}

/* A burst of datagrams; a full receive buffer drops them, which is not an
 * error for UDP (sendto still succeeds), so every sendto is the same work. */
static void storm_udp(long n)
{
	struct sockaddr_in sa;
	struct drain d = { .sock = loopback_socket(SOCK_DGRAM, &sa) };
	char msg[64] = "vigil bench datagram";
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	pthread_t t;

	if (s < 0)
		die("cannot create a socket for", "127.0.0.1");
	pthread_create(&t, NULL, drain_main, &d);
	for (long i = 0; i < n; i++)
		if (sendto(s, msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    errno != ENOBUFS && errno != EAGAIN)
			die("cannot send to", "127.0.0.1");
	d.done = true;
	pthread_join(t, NULL);
	close(s);
}

static int usage(void)
{
	fprintf(stderr, "usage: storm open|stat|rw N DIR | forkexec|shloop|connect|udp N | "
			"time CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *w = argc > 1 ? argv[1] : "";
	bool needs_dir = !strcmp(w, "open") || !strcmp(w, "stat") || !strcmp(w, "rw");
	char **paths = NULL, rw_path[4096];
	double t0;
	long n = 0;

	if (!strcmp(w, "time")) {
		if (argc < 3)
			return usage();
	} else if (argc != (needs_dir ? 4 : 3) || (n = atol(argv[2])) <= 0) {
		return usage();
	}
	if (!strcmp(w, "open") || !strcmp(w, "stat"))
		paths = tree_paths(argv[3]);
	if (!strcmp(w, "rw"))
		snprintf(rw_path, sizeof(rw_path), "%s/rw.dat", argv[3]);

	t0 = now();
	if (!strcmp(w, "open"))
		storm_open(n, paths);
	else if (!strcmp(w, "stat"))
		storm_stat(n, paths);
	else if (!strcmp(w, "rw"))
		storm_rw(n, rw_path);
	else if (!strcmp(w, "forkexec"))
		storm_forkexec(n);
	else if (!strcmp(w, "shloop"))
		storm_shloop(n);
	else if (!strcmp(w, "connect"))
		storm_connect(n);
	else if (!strcmp(w, "udp"))
		storm_udp(n);
	else if (!strcmp(w, "time"))
		run_waited(argv + 2);
	else
		return usage();
	printf("%.4f\n", now() - t0);
	return 0;
}
