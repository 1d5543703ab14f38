// SPDX-License-Identifier: GPL-2.0
/*
 * floor - attach bench/floor.bpf.c's empty programs to the hooks named on the
 * command line and keep them attached until SIGINT or SIGTERM:
 *
 *   floor tp:syscalls/sys_exit_openat raw:sched_process_exec ...
 *
 * tp:CATEGORY/NAME is a tracepoint, raw:NAME a raw tracepoint (vigil's tp_btf
 * and raw_tp programs). bench/bench.py names the hooks a running vigil has
 * attached (bpftool perf show), so the floor follows vigil's hook set as it
 * changes. Prints "floor: N hooks attached" on stderr once they all are.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define MAX_HOOKS 512

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Attach one hook; returns its link, or NULL (with a message naming it). */
static struct bpf_link *floor_attach(struct floor_bpf *skel, const char *hook)
{
	struct bpf_link *link = NULL;
	char category[64];
	const char *name;

	if (!strncmp(hook, "raw:", 4)) {
		link = bpf_program__attach_raw_tracepoint(skel->progs.floor_raw_tp, hook + 4);
	} else if (!strncmp(hook, "tp:", 3) && (name = strchr(hook + 3, '/')) &&
		   (size_t)(name - hook - 3) < sizeof(category)) {
		snprintf(category, sizeof(category), "%.*s", (int)(name - hook - 3), hook + 3);
		link = bpf_program__attach_tracepoint(skel->progs.floor_tp, category, name + 1);
	} else {
		fprintf(stderr, "floor: bad hook '%s' (want tp:CATEGORY/NAME or raw:NAME)\n",
			hook);
		return NULL;
	}
	if (!link)
		fprintf(stderr, "floor: cannot attach '%s': %s\n", hook, strerror(errno));
	return link;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_HOOKS] = {};
	struct sigaction sa = { .sa_handler = on_signal };
	struct floor_bpf *skel;
	int n = argc - 1, err = 1;

	if (n < 1 || n > MAX_HOOKS) {
		fprintf(stderr, "usage: floor HOOK... (1 to %d of tp:CATEGORY/NAME, raw:NAME)\n",
			MAX_HOOKS);
		return 2;
	}
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: cannot load the empty programs: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (!(links[i] = floor_attach(skel, argv[i + 1])))
			goto out;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fprintf(stderr, "floor: %d hooks attached\n", n);
	while (!stop)
		sleep(1);	/* a signal cuts it short */
	err = 0;
out:
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	floor_bpf__destroy(skel);
	return err;
}
