// SPDX-License-Identifier: GPL-2.0
/* probe.c - `vigil probe`: print what this kernel offers vigil. */
#include <stdio.h>
#include <string.h>
#include "cmd/cmd.h"
#include "log.h"
#include "sensor/features.h"

int cmd_probe(int argc, char **argv)
{
	struct features fs;

	if (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose")))
		log_set_level(LOG_DEBUG);
	features_probe(&fs);
	features_print_table(&fs, stdout);
	return 0;
}
