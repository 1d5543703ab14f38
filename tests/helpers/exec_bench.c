// SPDX-License-Identifier: GPL-2.0
/*
 * exec_bench.c - run PROGRAM N times, one after the other (posix_spawn,
 * then wait), and print the mean wall time of one spawn+exec+exit:
 * "execs=N failed=F us_per_exec=X". Measures what a watcher of execs adds.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	long n, failed = 0;
	double t0;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: exec_bench N PROGRAM [ARG...]\n");
		return 2;
	}
	t0 = now_us();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int status;

		if (posix_spawn(&pid, argv[2], NULL, NULL, argv + 2, environ) ||
		    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	printf("execs=%ld failed=%ld us_per_exec=%.1f\n", n, failed, (now_us() - t0) / n);
	return failed ? 1 : 0;
}
