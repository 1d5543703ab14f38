// SPDX-License-Identifier: GPL-2.0
/*
 * test_fandeny.c - the pure half of the fanotify deny path: observations
 * turned into exec-plan facts (and which facts are known), path helpers,
 * and the denial record, which must decode as the kernel's exec records do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "decode/decode.h"
#include "respond/fanfacts.h"

#define FACT(f)	(1ULL << (f))
#define START_NS 1700000000000000000ULL

/* A plain host exec of a static binary on tmpfs, everything observed. */
static struct fan_obs host_obs(const char *path)
{
	struct fan_obs o = {
		.have_stat = true,
		.fs_type = TMPFS_MAGIC,
		.path = path,
		.outside_root = FAN_NO,
		.script = FAN_NO,
		.in_container = FAN_NO,
		.written_ref_ns = START_NS,
		.stdio_socket = { FAN_NO, FAN_NO, FAN_NO },
		.execer_protected = FAN_NO,
		.euid0 = FAN_YES,
	};

	o.st.st_mode = S_IFREG | 0755;
	o.st.st_nlink = 1;
	o.st.st_ctim.tv_sec = START_NS / 1000000000ULL - 10;	/* before the start */
	return o;
}

static void test_facts_of_a_plain_exec(void **state)
{
	struct fan_obs o = host_obs("/dev/shm/x");
	uint64_t known, facts = fan_fixed_facts(&o, &known);

	assert_int_equal(facts, FACT(VGL_FACT_TMPFS) | FACT(VGL_FACT_EXE_IN_TMP) |
				FACT(VGL_FACT_EUID0));
	/* everything but LD_PRELOAD (only the kernel sees the new environment) */
	/* the cgroup's classification comes from the kernel's map, not from here */
	assert_int_equal(known, (FACT(VGL_FACT_FIXED) - 1) & ~FACT(VGL_FACT_LD_PRELOAD) &
				~FACT(VGL_FACT_CGROUP_KNOWN));
}

static void test_facts_of_a_dropped_binary(void **state)
{
	struct fan_obs o = host_obs("/tmp/.x/payload");
	uint64_t known, facts;

	o.st.st_nlink = 0;
	o.st.st_mode |= S_ISUID;
	o.st.st_ctim.tv_sec = START_NS / 1000000000ULL + 1;
	o.fs_type = 0xef53;	/* ext4 */
	o.in_container = FAN_YES;
	o.stdio_socket[0] = FAN_YES;
	facts = fan_fixed_facts(&o, &known);
	assert_true(facts & FACT(VGL_FACT_DELETED));
	assert_true(facts & FACT(VGL_FACT_SETUID));
	assert_true(facts & FACT(VGL_FACT_WRITTEN));
	assert_true(facts & FACT(VGL_FACT_IN_CONTAINER));
	assert_true(facts & FACT(VGL_FACT_STDIN_SOCKET));
	assert_true(facts & FACT(VGL_FACT_EXE_IN_TMP));
	assert_false(facts & FACT(VGL_FACT_TMPFS));
	/* a setuid file changes the effective uid: unknown before the exec */
	assert_false(known & FACT(VGL_FACT_EUID0));
	/* ext4 has no upper layer: known false */
	assert_true(known & FACT(VGL_FACT_UPPER_LAYER));
	assert_false(facts & FACT(VGL_FACT_UPPER_LAYER));
}

static void test_unknowns_stay_unknown(void **state)
{
	struct fan_obs o = host_obs("/dev/shm/x");
	uint64_t known;

	o.fs_type = OVERLAYFS_SUPER_MAGIC;	/* upper or lower: only the kernel knows */
	o.written_ref_ns = 0;			/* a container we were not told about */
	o.stdio_socket[1] = FAN_UNKNOWN;
	o.execer_protected = FAN_UNKNOWN;
	fan_fixed_facts(&o, &known);
	assert_false(known & FACT(VGL_FACT_UPPER_LAYER));
	assert_false(known & FACT(VGL_FACT_WRITTEN));
	assert_false(known & FACT(VGL_FACT_STDOUT_SOCKET));
	assert_true(known & FACT(VGL_FACT_STDIN_SOCKET));
	assert_false(known & FACT(VGL_FACT_EXECER_PROTECTED));

	/* nothing about the file: no inode or path fact */
	o = host_obs(NULL);
	o.have_stat = false;
	fan_fixed_facts(&o, &known);
	assert_false(known & (FACT(VGL_FACT_DELETED) | FACT(VGL_FACT_TMPFS) |
			      FACT(VGL_FACT_EXE_IN_TMP) | FACT(VGL_FACT_MEMFD)));
}

/* A script's inode facts are its interpreter's in the kernel. */
static void test_script_inode_facts_unknown(void **state)
{
	struct fan_obs o = host_obs("/dev/shm/run.sh");
	uint64_t known, facts;

	o.script = FAN_YES;
	facts = fan_fixed_facts(&o, &known);
	assert_true(facts & FACT(VGL_FACT_SCRIPT));
	assert_true(facts & FACT(VGL_FACT_EXE_IN_TMP));
	assert_false(known & (FACT(VGL_FACT_TMPFS) | FACT(VGL_FACT_WRITTEN) |
			      FACT(VGL_FACT_DELETED) | FACT(VGL_FACT_EUID0)));
	o.script = FAN_UNKNOWN;
	fan_fixed_facts(&o, &known);
	assert_false(known & (FACT(VGL_FACT_SCRIPT) | FACT(VGL_FACT_TMPFS)));
}

static void test_memfd_path(void **state)
{
	struct fan_obs o = host_obs("/memfd:payload");
	uint64_t known, facts = fan_fixed_facts(&o, &known);

	assert_true(facts & FACT(VGL_FACT_MEMFD));
	assert_false(facts & FACT(VGL_FACT_EXE_IN_TMP));
}

static void test_tmpdirs(void **state)
{
	assert_true(fan_path_in_tmpdir("/tmp/a"));
	assert_true(fan_path_in_tmpdir("/dev/shm/a"));
	assert_true(fan_path_in_tmpdir("/var/tmp/a"));
	assert_true(fan_path_in_tmpdir("/run/a/b"));
	assert_false(fan_path_in_tmpdir("/tmpx/a"));
	assert_false(fan_path_in_tmpdir("/tmp"));
	assert_false(fan_path_in_tmpdir("/usr/bin/ls"));
}

static void test_comm_of_path(void **state)
{
	char comm[VGL_COMM_LEN];

	fan_comm_of_path("/dev/shm/kinsing", comm);
	assert_string_equal(comm, "kinsing");
	fan_comm_of_path("/opt/a-very-long-program-name", comm);
	assert_string_equal(comm, "a-very-long-pro");
	fan_comm_of_path("plain", comm);
	assert_string_equal(comm, "plain");
}

static void test_path_in_root(void **state)
{
	assert_string_equal(fan_path_in_root("/usr/bin/x", "/"), "/usr/bin/x");
	assert_string_equal(fan_path_in_root("/srv/jail/bin/x", "/srv/jail"), "/bin/x");
	assert_string_equal(fan_path_in_root("/srv/jail/bin/x", "/srv/jail/"), "/bin/x");
	assert_string_equal(fan_path_in_root("/srv/jail", "/srv/jail"), "/");
	assert_null(fan_path_in_root("/srv/jailbreak/x", "/srv/jail"));
	assert_null(fan_path_in_root("/usr/bin/x", "/srv/jail"));
}

static void test_prefix_dir(void **state)
{
	char dir[64];

	assert_true(fan_prefix_dir("/dev/shm/", 9, dir, sizeof(dir)));
	assert_string_equal(dir, "/dev/shm");
	assert_true(fan_prefix_dir("/dev/shm/payload", 16, dir, sizeof(dir)));
	assert_string_equal(dir, "/dev/shm");
	/* the length counts, not the NUL */
	assert_true(fan_prefix_dir("/var/tmp/xyz", 9, dir, sizeof(dir)));
	assert_string_equal(dir, "/var/tmp");
	assert_false(fan_prefix_dir("/", 1, dir, sizeof(dir)));
	assert_false(fan_prefix_dir("/x", 2, dir, sizeof(dir)));
	assert_false(fan_prefix_dir("tmp/", 4, dir, sizeof(dir)));
	assert_false(fan_prefix_dir("/dev/shm/", 9, dir, 8));
}

static void test_kdev(void **state)
{
	assert_int_equal(fan_kdev(makedev(8, 1)), (8 << 20) | 1);
	assert_int_equal(fan_kdev(makedev(0, 300)), 300);
}

static void test_exec_flags(void **state)
{
	struct fan_obs o = host_obs("/dev/shm/x");

	o.st.st_ctim.tv_sec = START_NS / 1000000000ULL + 5;
	assert_int_equal(fan_exec_flags(&o), VGL_EXEC_TMPFS | VGL_EXEC_TMPDIR | VGL_EXEC_WRITTEN);
}

/* The denial record decodes like a kernel exec record, strings in place. */
static void test_record_round_trip(void **state)
{
	uint8_t buf[VGL_EVENT_MAX];
	struct vgl_hdr h = { .hdr_flags = VGL_HF_DENIED, .enforce_rule = 4, .ret = -EPERM,
			     .pid = 100, .tid = 101, .comm = "sh" };
	struct vgl_exec x = { .flags = VGL_EXEC_TMPFS, .ino = 45, .mode = S_IFREG | 0755 };
	const char *strs[VGL_MAX_STRS] = { "/dev/shm/x", "/dev/shm/x", NULL, NULL, "/root", NULL };
	struct event_view v;
	size_t size = fan_record_build(buf, sizeof(buf), &h, &x, strs);

	assert_int_equal(size, sizeof(h) + sizeof(x) + 6 * 2 + 10 + 10 + 5);
	assert_int_equal(decode_record(buf, size, &v), DECODE_OK);
	assert_int_equal(v.hdr->type, VGL_EV_EXEC);
	assert_int_equal(v.hdr->size, size);
	assert_int_equal(v.hdr->enforce_rule, 4);
	assert_int_equal(v.hdr->hdr_flags, VGL_HF_DENIED);
	assert_int_equal(v.hdr->ret, -EPERM);
	assert_int_equal(v.nr_strs, VGL_MAX_STRS);
	assert_int_equal(((const struct vgl_exec *)v.body)->ino, 45);
	assert_int_equal(v.strs[VGL_EXEC_S_PATH].len, 10);
	assert_memory_equal(v.strs[VGL_EXEC_S_PATH].ptr, "/dev/shm/x", 10);
	assert_int_equal(v.strs[VGL_EXEC_S_INTERP].len, 0);
	assert_memory_equal(v.strs[VGL_EXEC_S_CWD].ptr, "/root", 5);
	assert_int_equal(v.strs[VGL_EXEC_S_LD_PRELOAD].len, 0);
}

/* Strings that do not fit are cut, and the record still decodes. */
static void test_record_cut_to_size(void **state)
{
	static char long_path[5000];
	uint8_t buf[512];
	struct vgl_hdr h = { 0 };
	struct vgl_exec x = { 0 };
	const char *strs[VGL_MAX_STRS] = { long_path, long_path, NULL, NULL, "/", NULL };
	struct event_view v;
	size_t size;

	memset(long_path, 'a', sizeof(long_path) - 1);
	size = fan_record_build(buf, sizeof(buf), &h, &x, strs);
	assert_true(size > 0 && size <= sizeof(buf));
	assert_int_equal(decode_record(buf, size, &v), DECODE_OK);
	assert_int_equal(v.nr_strs, VGL_MAX_STRS);
	assert_int_equal(v.strs[VGL_EXEC_S_FILENAME].len, 0);	/* no room left */
	assert_int_equal(fan_record_build(buf, sizeof(h) + sizeof(x), &h, &x, strs), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_of_a_plain_exec),
		cmocka_unit_test(test_facts_of_a_dropped_binary),
		cmocka_unit_test(test_unknowns_stay_unknown),
		cmocka_unit_test(test_script_inode_facts_unknown),
		cmocka_unit_test(test_memfd_path),
		cmocka_unit_test(test_tmpdirs),
		cmocka_unit_test(test_comm_of_path),
		cmocka_unit_test(test_path_in_root),
		cmocka_unit_test(test_prefix_dir),
		cmocka_unit_test(test_kdev),
		cmocka_unit_test(test_exec_flags),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_cut_to_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
