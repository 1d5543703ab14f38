// SPDX-License-Identifier: GPL-2.0
/*
 * unpin.c - `vigil unpin`: remove the block hooks an earlier `vigil run
 * --enforce` left in force (they outlive vigil on purpose, see
 * src/respond/netblock.h).
 */
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "log.h"
#include "respond/netblock.h"

static void unpin_usage(FILE *f)
{
	fprintf(f,
		"usage: vigil unpin [--pin-dir DIR]\n"
		"\n"
		"Detach and remove the connection-blocking hooks pinned by `vigil run --enforce`\n"
		"(default directory " NETBLOCK_PIN_DIR ").\n");
}

int cmd_unpin(int argc, char **argv)
{
	const char *dir = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pin-dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			unpin_usage(stdout);
			return 0;
		} else {
			log_error("unpin: unknown option '%s'", argv[i]);
			unpin_usage(stderr);
			return 2;
		}
	}
	if (netblock_unpin(dir))
		return 1;
	log_info("unpin: removed the hooks pinned in '%s'", dir ? dir : NETBLOCK_PIN_DIR);
	return 0;
}
