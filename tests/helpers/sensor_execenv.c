// SPDX-License-Identifier: GPL-2.0
/*
 * sensor_execenv - exec a program with an environment given verbatim, for
 * the exec e2e tests (LD_PRELOAD detection).
 *
 *   sensor_execenv [-p N] [NAME=VALUE]... -- PATH [ARG]...
 *
 * The new environment is N padding variables (VGL_PAD_<i>=x) followed by
 * the NAME=VALUE entries in the order given, duplicates kept: env(1) and
 * setenv() replace a variable defined twice, execve() does not, and the
 * loaders differ on which definition wins. argv[0] is PATH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: sensor_execenv [-p N] [NAME=VALUE]... -- PATH [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long pad = 0;
	int i = 1, nenv = 0;
	char **envp;

	if (i + 1 < argc && !strcmp(argv[i], "-p")) {
		pad = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (pad < 0 || pad > 1 << 20)
		usage();
	envp = calloc(pad + argc + 1, sizeof(*envp));
	if (!envp)
		return 1;
	for (long p = 0; p < pad; p++) {
		if (asprintf(&envp[nenv++], "VGL_PAD_%ld=x", p) < 0)
			return 1;
	}
	for (; i < argc && strcmp(argv[i], "--"); i++)
		envp[nenv++] = argv[i];
	if (i + 1 >= argc)
		usage();
	envp[nenv] = NULL;
	execve(argv[i + 1], &argv[i + 1], envp);
	perror(argv[i + 1]);
	return 127;
}
