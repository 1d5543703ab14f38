// SPDX-License-Identifier: GPL-2.0
/*
 * sensor_utimes - set a file's times with exactly one syscall, for the
 * utimes e2e tests: each call passes the times in its own layout.
 *
 *   sensor_utimes CALL PATH MTIME
 *
 * CALL: utime (struct utimbuf), utimes, futimesat (struct timeval[2]),
 * utimensat (struct timespec[2]), utimensat-now / utimensat-omit (mtime's
 * tv_nsec UTIME_NOW / UTIME_OMIT). atime is always MTIME - 1000, so a
 * reader that takes the wrong entry sees the wrong value. Prints
 * "pid=N ret=R" like file_ops (R is -errno on failure).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/time.h>

static long set_times(const char *call, const char *path, long mtime)
{
	struct utimbuf ub = { .actime = mtime - 1000, .modtime = mtime };
	struct timeval tv[2] = { { mtime - 1000, 0 }, { mtime, 0 } };
	struct timespec ts[2] = { { mtime - 1000, 0 }, { mtime, 0 } };

	if (!strcmp(call, "utime"))
		return syscall(SYS_utime, path, &ub);
	if (!strcmp(call, "utimes"))
		return syscall(SYS_utimes, path, tv);
	if (!strcmp(call, "futimesat"))
		return syscall(SYS_futimesat, AT_FDCWD, path, tv);
	if (!strcmp(call, "utimensat"))
		return syscall(SYS_utimensat, AT_FDCWD, path, ts, 0);
	if (!strcmp(call, "utimensat-now")) {
		ts[1].tv_nsec = UTIME_NOW;
		return syscall(SYS_utimensat, AT_FDCWD, path, ts, 0);
	}
	if (!strcmp(call, "utimensat-omit")) {
		ts[1].tv_nsec = UTIME_OMIT;
		return syscall(SYS_utimensat, AT_FDCWD, path, ts, 0);
	}
	fprintf(stderr, "sensor_utimes: unknown call '%s'\n", call);
	exit(2);
}

int main(int argc, char **argv)
{
	long ret;

	if (argc != 4) {
		fprintf(stderr, "usage: sensor_utimes CALL PATH MTIME\n");
		return 2;
	}
	ret = set_times(argv[1], argv[2], strtol(argv[3], NULL, 0));
	printf("pid=%d ret=%ld\n", getpid(), ret < 0 ? -(long)errno : ret);
	return 0;
}
