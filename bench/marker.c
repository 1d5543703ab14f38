// SPDX-License-Identifier: GPL-2.0
/*
 * marker - runs beside a storm so alerts fire while it runs: every INTERVAL_MS
 * (default 50) it runs `/bin/true vigil-bench-marker`, which bench/latency.yaml
 * turns into an alert, until SIGTERM or SIGINT. The alerts' detect_latency_us
 * is then the detection latency under that storm. Prints how many it ran.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	long interval_ms = argc > 1 ? atol(argv[1]) : 50, count = 0;
	struct timespec pause = { interval_ms / 1000, (interval_ms % 1000) * 1000000L };
	struct sigaction sa = { .sa_handler = on_signal };

	if (interval_ms <= 0) {
		fprintf(stderr, "usage: marker [INTERVAL_MS]\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", "vigil-bench-marker", (char *)NULL);
			_exit(127);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			count++;
		}
		nanosleep(&pause, NULL);	/* a signal cuts it short: fine */
	}
	printf("%ld\n", count);
	return 0;
}
