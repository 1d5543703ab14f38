// SPDX-License-Identifier: GPL-2.0
/* main.c - vigil: runtime security for Linux hosts and containers. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "log.h"

#define VIGIL_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil <command> [options]\n"
		"\n"
		"commands:\n"
		"  run       the main job: watch the host and its containers\n"
		"  trace     stream kernel events (JSON lines or text)\n"
		"  probe     show what this kernel offers vigil\n"
		"  rules     list or check the rules (policies)\n"
		"  unpin     remove the connection-blocking hooks left in force\n"
		"  config    check a configuration file (config check [FILE])\n"
		"  incidents list, show or export incident bundles (forensics)\n"
		"  scan      check for rootkits and tampering once (hidden processes, BPF, ...)\n"
		"  version   print the version\n"
		"\n"
		"`vigil <command> --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "run", cmd_run },
		{ "trace", cmd_trace },
		{ "probe", cmd_probe },
		{ "rules", cmd_rules },
		{ "unpin", cmd_unpin },
		{ "config", cmd_config },
		{ "incidents", cmd_incidents },
		{ "scan", cmd_scan },
	};

	log_route_libbpf();
	/* a few threads allocate now and then: two arenas, not one per thread */
	mallopt(M_ARENA_MAX, 2);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	log_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
