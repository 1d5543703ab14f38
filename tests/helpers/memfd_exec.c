// SPDX-License-Identifier: GPL-2.0
/*
 * memfd_exec - run a program from memory, as fileless malware does:
 * copy FILE into a memfd named NAME and fexecve it with ARGS.
 * usage: memfd_exec NAME FILE [ARGS...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct stat st;
	int in, mfd;

	if (argc < 3) {
		fprintf(stderr, "usage: memfd_exec NAME FILE [ARGS...]\n");
		return 2;
	}
	in = open(argv[2], O_RDONLY);
	if (in < 0 || fstat(in, &st)) {
		perror(argv[2]);
		return 1;
	}
	mfd = memfd_create(argv[1], MFD_CLOEXEC);
	if (mfd < 0) {
		perror("memfd_create");
		return 1;
	}
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(mfd, in, &off, st.st_size - off);

		if (n <= 0) {
			perror("sendfile");
			return 1;
		}
	}
	close(in);
	fexecve(mfd, argv + 2, environ);
	perror("fexecve");
	return 1;
}
