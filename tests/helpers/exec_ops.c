// SPDX-License-Identifier: GPL-2.0
/*
 * exec_ops - unusual ways of running a program, for the execution and
 * defense-evasion rule tests.
 *
 *   exec_ops fdexec PATH [ARGS...]    open PATH, exec "/proc/self/fd/N"
 *   exec_ops deleted PATH [ARGS...]   open PATH, unlink it, fexecve the fd
 *   exec_ops noargv PATH              execve(PATH, {NULL}, environ)
 *   exec_ops unlink-self              unlink the file /proc/self/exe names
 *
 * ARGS become argv (ARGS[0] is argv[0]); without ARGS argv is {PATH}.
 * Exits 1 with a message when a step fails.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int open_exec(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		perror(path);
	return fd;
}

/* argv for the new program: ARGS when given, else {PATH}. */
static char **new_argv(int argc, char **argv, char *one[2])
{
	if (argc > 3)
		return argv + 3;
	one[0] = argv[2];
	one[1] = NULL;
	return one;
}

static int do_fdexec(int argc, char **argv, int unlink_first)
{
	char name[64], *one[2];
	int fd = open_exec(argv[2]);

	if (fd < 0)
		return 1;
	if (unlink_first) {
		if (unlink(argv[2])) {
			perror("unlink");
			return 1;
		}
		fexecve(fd, new_argv(argc, argv, one), environ);
		perror("fexecve");
		return 1;
	}
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	execve(name, new_argv(argc, argv, one), environ);
	perror(name);
	return 1;
}

static int do_noargv(const char *path)
{
	char *none[] = { NULL };

	execve(path, none, environ);
	perror(path);
	return 1;
}

static int do_unlink_self(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0) {
		perror("/proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	if (unlink(self)) {
		perror(self);
		return 1;
	}
	printf("pid=%d unlinked=%s\n", getpid(), self);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	if (!strcmp(op, "unlink-self"))
		return do_unlink_self();
	if (argc < 3)
		goto usage;
	if (!strcmp(op, "fdexec"))
		return do_fdexec(argc, argv, 0);
	if (!strcmp(op, "deleted"))
		return do_fdexec(argc, argv, 1);
	if (!strcmp(op, "noargv"))
		return do_noargv(argv[2]);
usage:
	fprintf(stderr, "usage: exec_ops fdexec|deleted PATH [ARGS...] | noargv PATH | unlink-self\n");
	return 2;
}
