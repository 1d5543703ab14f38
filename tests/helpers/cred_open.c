// SPDX-License-Identifier: GPL-2.0
/*
 * cred_open - open one file the way a credential thief or a persistence
 * implant would, without reading or changing anything, for
 * tests/e2e/test_rules_credentials.sh and test_rules_persistence.sh.
 *
 *   cred_open read PATH      openat O_RDONLY, read nothing
 *   cred_open append PATH    openat O_WRONLY|O_APPEND (no O_CREAT): the file
 *                            must exist; zero bytes are written, so neither
 *                            its content nor its mtime changes
 *
 * Static, so a copy renamed after a trusted tool (kubectl) also runs inside
 * a bare busybox container. Prints "pid=N ret=R" (R is -errno on failure)
 * and exits 0 whether the open failed or not: failed opens are events too.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int flags, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: cred_open read|append PATH\n");
		return 2;
	}
	if (!strcmp(argv[1], "read")) {
		flags = O_RDONLY;
	} else if (!strcmp(argv[1], "append")) {
		flags = O_WRONLY | O_APPEND;
	} else {
		fprintf(stderr, "cred_open: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	fd = openat(AT_FDCWD, argv[2], flags | O_CLOEXEC);
	printf("pid=%d ret=%d\n", getpid(), fd < 0 ? -errno : fd);
	if (fd >= 0)
		close(fd);
	return 0;
}
