// SPDX-License-Identifier: GPL-2.0
/*
 * stdio_socket - run a program whose stdin and stdout are a socket, as a
 * reverse shell's are: connect to 127.0.0.1:PORT, dup2 the socket onto
 * fds 0 and 1, exec PROG ARGS.
 * usage: stdio_socket PORT PROG [ARGS...]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s;

	if (argc < 3) {
		fprintf(stderr, "usage: stdio_socket PORT PROG [ARGS...]\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("connect");
		return 1;
	}
	dup2(s, 0);
	dup2(s, 1);
	close(s);
	execvp(argv[2], argv + 2);
	perror("exec");
	return 1;
}
