// SPDX-License-Identifier: GPL-2.0
/*
 * mem_ops - memory behaviour for tests/e2e/test_memory.sh. Prints KEY=VALUE
 * lines (fd and addresses) the test asserts against:
 *   memfd_create("vgl-test", MFD_CLOEXEC)
 *   mmap of anonymous RWX memory
 *   mmap of anonymous RW memory, then mprotect to RX
 *   mprotect of file-backed read-only memory to RX (must not be reported)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LEN 8192

static void die(const char *what)
{
	fprintf(stderr, "mem_ops: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(void)
{
	int fd = memfd_create("vgl-test", MFD_CLOEXEC);
	void *rwx, *rw, *ro;
	int self;

	if (fd < 0)
		die("memfd_create");
	printf("pid=%d\nmemfd=%d\n", getpid(), fd);

	rwx = mmap(NULL, LEN, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (rwx == MAP_FAILED)
		die("mmap rwx");
	printf("rwx_addr=%p\n", rwx);

	rw = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw == MAP_FAILED)
		die("mmap rw");
	memset(rw, 0xc3, LEN);	/* "ret": what a JIT would write */
	if (mprotect(rw, LEN, PROT_READ | PROT_EXEC))
		die("mprotect rx");
	printf("rx_addr=%p\n", rw);

	/* a file-backed read-only mapping made executable: what ld.so does */
	self = open("/proc/self/exe", O_RDONLY);
	ro = self < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self, 0);
	if (ro == MAP_FAILED)
		die("mmap ro");
	if (mprotect(ro, 4096, PROT_READ | PROT_EXEC))
		die("mprotect ro");
	printf("ro_addr=%p\n", ro);
	return 0;
}
