// SPDX-License-Identifier: GPL-2.0
/* test_spool.c - the on-disk spool keeps records in order, across a
 * reopen, within its bound, through a torn tail, a damaged cursor and a
 * full disk (a real one: a tiny tmpfs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "output/spool.h"

static char err[512];

static char *make_tmpdir(void)
{
	char *d = strdup("/tmp/vigil-spool-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *d)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static struct spool *open_spool(const char *dir, uint64_t max)
{
	struct spool *sp = NULL;
	int rc = spool_open(dir, max, &sp, err, sizeof(err));

	if (rc)
		fail_msg("spool_open: %s", err);
	return sp;
}

static void append_n(struct spool *sp, int from, int to)
{
	char rec[64];

	for (int i = from; i < to; i++) {
		int n = snprintf(rec, sizeof(rec), "record %d", i);

		assert_int_equal(spool_append(sp, rec, n), 0);
	}
	assert_int_equal(spool_sync(sp), 0);
}

/* peek the next record, check it is "record <i>", ack it */
static void expect_next(struct spool *sp, int i)
{
	const char *buf;
	size_t len;
	char want[64];

	snprintf(want, sizeof(want), "record %d", i);
	assert_int_equal(spool_peek(sp, &buf, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	assert_int_equal(spool_ack(sp), 0);
}

static void test_fifo_order_and_empty(void **state)
{
	char *d = make_tmpdir();
	struct spool *sp = open_spool(d, 1 << 20);
	const char *buf;
	size_t len;

	assert_int_equal(spool_peek(sp, &buf, &len), -ENOENT);
	append_n(sp, 0, 100);
	assert_int_equal(spool_pending(sp), 100);
	for (int i = 0; i < 100; i++)
		expect_next(sp, i);
	assert_int_equal(spool_pending(sp), 0);
	assert_int_equal(spool_peek(sp, &buf, &len), -ENOENT);
	assert_int_equal(spool_ack(sp), -EINVAL);	/* nothing peeked */
	assert_int_equal(spool_bytes(sp), 0);		/* drained: disk freed */
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_peek_without_ack_repeats(void **state)
{
	char *d = make_tmpdir();
	struct spool *sp = open_spool(d, 1 << 20);
	const char *buf;
	size_t len;

	append_n(sp, 0, 2);
	assert_int_equal(spool_peek(sp, &buf, &len), 0);
	assert_memory_equal(buf, "record 0", len);
	assert_int_equal(spool_peek(sp, &buf, &len), 0);	/* a failed delivery: same again */
	assert_memory_equal(buf, "record 0", len);
	expect_next(sp, 0);
	expect_next(sp, 1);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_survives_reopen_with_cursor(void **state)
{
	char *d = make_tmpdir();
	struct spool *sp = open_spool(d, 4096);	/* small: several segments */

	append_n(sp, 0, 40);
	for (int i = 0; i < 15; i++)
		expect_next(sp, i);
	spool_close(sp);

	sp = open_spool(d, 4096);
	assert_int_equal(spool_pending(sp), 25);
	expect_next(sp, 15);		/* delivered ones are not replayed */
	append_n(sp, 40, 45);		/* new ones go behind the old ones */
	for (int i = 16; i < 45; i++)
		expect_next(sp, i);
	assert_int_equal(spool_pending(sp), 0);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_bound_refuses_then_frees(void **state)
{
	char *d = make_tmpdir();
	struct spool *sp = open_spool(d, 400);	/* records are 8 + 8..9 bytes */
	char rec[16];
	int stored = 0;

	for (int i = 0; i < 100; i++) {
		int n = snprintf(rec, sizeof(rec), "record %d", i);
		int rc = spool_append(sp, rec, n);

		if (rc == -EFBIG)
			break;
		assert_int_equal(rc, 0);
		stored++;
	}
	assert_true(stored > 5 && stored < 100);
	assert_true(spool_bytes(sp) <= 400);
	assert_int_equal(spool_append(sp, "x", 1), -EFBIG);
	/* delivering a segment's worth frees room */
	for (int i = 0; i < stored / 2; i++)
		expect_next(sp, i);
	assert_int_equal(spool_append(sp, "record 999", 10), 0);
	for (int i = stored / 2; i < stored; i++)
		expect_next(sp, i);
	const char *buf;
	size_t len;

	assert_int_equal(spool_peek(sp, &buf, &len), 0);
	assert_memory_equal(buf, "record 999", 10);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

/* The newest segment file in d. */
static void last_segment(const char *d, char *path, size_t n)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls '%s'/*.seg | sort | tail -1", d);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(path, n, p));
	path[strcspn(path, "\n")] = '\0';
	pclose(p);
}

static void test_torn_tail_is_cut(void **state)
{
	char *d = make_tmpdir(), seg[512];
	struct spool *sp = open_spool(d, 1 << 20);
	struct stat st;
	int fd;

	append_n(sp, 0, 3);
	spool_close(sp);
	/* a crash in the middle of an append: a header promising more than is there */
	last_segment(d, seg, sizeof(seg));
	fd = open(seg, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x40\0\0\0\1\2\3\4half", 12), 12);
	close(fd);

	sp = open_spool(d, 1 << 20);
	assert_int_equal(spool_pending(sp), 3);
	assert_int_equal(stat(seg, &st), 0);
	assert_int_equal(st.st_size, 3 * 8 + 3 * 8);	/* cut back to the good records */
	append_n(sp, 3, 5);
	for (int i = 0; i < 5; i++)
		expect_next(sp, i);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_damaged_cursor_replays_from_oldest(void **state)
{
	char *d = make_tmpdir(), path[512];
	struct spool *sp = open_spool(d, 1 << 20);
	int fd;

	append_n(sp, 0, 5);
	expect_next(sp, 0);
	expect_next(sp, 1);
	spool_close(sp);
	snprintf(path, sizeof(path), "%s/cursor", d);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "garbage!", 8, 8), 8);
	close(fd);

	sp = open_spool(d, 1 << 20);
	assert_int_equal(spool_pending(sp), 5);	/* at-least-once: nothing lost */
	for (int i = 0; i < 5; i++)
		expect_next(sp, i);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_checksum_damage_skips_and_counts(void **state)
{
	char *d = make_tmpdir(), seg[512];
	struct spool *sp = open_spool(d, 1 << 20);
	const char *buf;
	size_t len;
	int fd;

	append_n(sp, 0, 3);
	last_segment(d, seg, sizeof(seg));
	fd = open(seg, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, 8 + 8 + 8 + 3), 1);	/* inside record 1 */
	close(fd);
	expect_next(sp, 0);
	assert_int_equal(spool_peek(sp, &buf, &len), -EBADMSG);
	assert_int_equal(spool_corrupt(sp), 1);
	assert_int_equal(spool_pending(sp), 0);
	assert_int_equal(spool_peek(sp, &buf, &len), -ENOENT);
	append_n(sp, 3, 5);		/* the spool goes on working after the damage */
	expect_next(sp, 3);
	expect_next(sp, 4);
	spool_close(sp);
	rm_rf(d);
	free(d);
}

static void test_real_enospc_keeps_what_was_stored(void **state)
{
	char *d = make_tmpdir(), sub[512], rec[1000];
	struct spool *sp;
	int stored = 0, rc = 0;
	const char *buf;
	size_t len;

	assert_int_equal(mount("tmpfs", d, "tmpfs", 0, "size=16k"), 0);
	snprintf(sub, sizeof(sub), "%s/spool", d);
	sp = open_spool(sub, 1 << 20);	/* the bound is far: the disk fills first */
	memset(rec, 'r', sizeof(rec));
	for (int i = 0; i < 64; i++) {
		rec[0] = (char)i;
		rc = spool_append(sp, rec, sizeof(rec));
		if (rc)
			break;
		stored++;
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(stored >= 4 && stored < 16);
	assert_int_equal(spool_pending(sp), stored);
	spool_close(sp);

	sp = open_spool(sub, 1 << 20);	/* no partial record left behind */
	assert_int_equal(spool_pending(sp), stored);
	for (int i = 0; i < stored; i++) {
		assert_int_equal(spool_peek(sp, &buf, &len), 0);
		assert_int_equal(len, sizeof(rec));
		assert_int_equal(buf[0], (char)i);
		assert_int_equal(spool_ack(sp), 0);
	}
	spool_close(sp);
	assert_int_equal(umount(d), 0);
	rm_rf(d);
	free(d);
}

static void test_error_names_the_directory(void **state)
{
	char *d = make_tmpdir(), file[512], dir[600], want[700];
	struct spool *sp = NULL;
	FILE *f;

	snprintf(file, sizeof(file), "%s/plain", d);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/sub/spool", file);
	assert_int_equal(spool_open(dir, 1 << 20, &sp, err, sizeof(err)), -ENOTDIR);
	assert_null(sp);
	snprintf(want, sizeof(want), "spool: cannot create '%s/sub': Not a directory", file);
	assert_string_equal(err, want);
	rm_rf(d);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order_and_empty),
		cmocka_unit_test(test_peek_without_ack_repeats),
		cmocka_unit_test(test_survives_reopen_with_cursor),
		cmocka_unit_test(test_bound_refuses_then_frees),
		cmocka_unit_test(test_torn_tail_is_cut),
		cmocka_unit_test(test_damaged_cursor_replays_from_oldest),
		cmocka_unit_test(test_checksum_damage_skips_and_counts),
		cmocka_unit_test(test_real_enospc_keeps_what_was_stored),
		cmocka_unit_test(test_error_names_the_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
