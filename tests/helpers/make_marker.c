// SPDX-License-Identifier: GPL-2.0
/*
 * make_marker.c - create the file named by its argument and exit 0. The
 * enforcement tests run copies of it from watched places: the marker's
 * existence proves the program ran at all, its absence that the exec was
 * refused before the first instruction.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: make_marker FILE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	return 0;
}
