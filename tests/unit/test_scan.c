// SPDX-License-Identifier: GPL-2.0
/* test_scan.c - the integrity scanner's parsers and walks: getdents64
 * buffers (well-formed and corrupt), mountinfo with escapes, fdinfo,
 * kallsyms, the masquerade comparison, the bounded setuid walk, the
 * scan_finding record, "changed" across scans, and (as root, with the BPF
 * task iterator) a process missing from a fake /proc found hidden. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "decode/decode.h"
#include "scan/scan.h"

/* ---- getdents64 buffers ---- */

/* Append one linux_dirent64 record (8-byte aligned) to buf at *off. */
static void put_dirent(char *buf, size_t *off, const char *name)
{
	struct dirent64 *d = (struct dirent64 *)(buf + *off);
	size_t reclen = (offsetof(struct dirent64, d_name) + strlen(name) + 1 + 7) & ~7UL;

	memset(d, 0, reclen);
	d->d_ino = 1;
	d->d_reclen = reclen;
	d->d_type = DT_DIR;
	memcpy(d->d_name, name, strlen(name) + 1);
	*off += reclen;
}

struct pids {
	uint32_t v[16];
	int n;
};

static void collect_pid(void *ctx, uint32_t pid)
{
	struct pids *p = ctx;

	if (p->n < 16)
		p->v[p->n++] = pid;
}

static void test_dirents_pids(void **state)
{
	char buf[1024] __attribute__((aligned(8)));
	size_t off = 0;
	struct pids p = { 0 };

	put_dirent(buf, &off, ".");
	put_dirent(buf, &off, "1");
	put_dirent(buf, &off, "self");
	put_dirent(buf, &off, "4242");
	put_dirent(buf, &off, "12a");		/* not a pid */
	put_dirent(buf, &off, "99999999999");	/* too large for a pid */
	put_dirent(buf, &off, "4194304");
	assert_int_equal(scan_dirents_pids(buf, off, collect_pid, &p), 3);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0], 1);
	assert_int_equal(p.v[1], 4242);
	assert_int_equal(p.v[2], 4194304);
}

static void test_dirents_corrupt(void **state)
{
	char buf[1024] __attribute__((aligned(8)));
	size_t off = 0;
	struct pids p = { 0 };
	struct dirent64 *d = (struct dirent64 *)buf;

	put_dirent(buf, &off, "17");
	/* a record claiming to run past the buffer */
	assert_int_equal(scan_dirents_pids(buf, off - 1, collect_pid, &p), -EINVAL);
	/* a zero record length would loop forever */
	d->d_reclen = 0;
	assert_int_equal(scan_dirents_pids(buf, off, collect_pid, &p), -EINVAL);
	/* a name that is not terminated inside its record */
	put_dirent(buf, &(size_t){ 0 }, "1234567");
	memset(d->d_name, '7', d->d_reclen - offsetof(struct dirent64, d_name));
	assert_int_equal(scan_dirents_pids(buf, d->d_reclen, collect_pid, &p), -EINVAL);
	assert_int_equal(scan_dirents_pids(buf, 0, collect_pid, &p), 0);
}

/* ---- mountinfo ---- */

struct mounts {
	uint32_t pid[8];
	char mnt[8][128], src[8][128];
	int n;
};

static void collect_mount(void *ctx, uint32_t pid, const char *mnt, const char *src)
{
	struct mounts *m = ctx;

	if (m->n < 8) {
		m->pid[m->n] = pid;
		snprintf(m->mnt[m->n], sizeof(m->mnt[0]), "%s", mnt);
		snprintf(m->src[m->n], sizeof(m->src[0]), "%s", src);
		m->n++;
	}
}

static void test_mountinfo_proc(void **state)
{
	const char *text =
		"22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
		"23 22 0:22 / /proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw\n"
		"40 22 8:1 /tmp/empty /proc/4242 rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"41 22 0:30 / /proc/42/task rw - tmpfs tmp\\040dir rw\n"
		"42 1 0:31 / /proc2/77 rw - tmpfs tmpfs rw\n"
		"43 22 0:31 / /proc/self rw - tmpfs tmpfs rw\n"
		"44 22 0:31 / /proc/12x rw - tmpfs tmpfs rw\n"
		"45 1 0:32 / /mnt/with\\040space rw - tmpfs tmpfs rw";
	struct mounts m = { 0 };

	assert_int_equal(scan_mountinfo_proc(text, "/proc", collect_mount, &m), 2);
	assert_int_equal(m.pid[0], 4242);
	assert_string_equal(m.mnt[0], "/proc/4242");
	assert_string_equal(m.src[0], "/dev/sda1");
	assert_int_equal(m.pid[1], 42);
	assert_string_equal(m.mnt[1], "/proc/42/task");
	assert_string_equal(m.src[1], "tmp dir");	/* \040 unescaped */
}

/* ---- fdinfo and kallsyms ---- */

static void test_fdinfo_prog_id(void **state)
{
	assert_int_equal(scan_fdinfo_prog_id("pos:\t0\nflags:\t02000002\nmnt_id:\t15\n"
					     "ino:\t1057\nprog_type:\t1\nprog_jited:\t1\n"
					     "prog_tag:\tb9e4d2f23ae22a4d\nmemlock:\t4096\n"
					     "prog_id:\t185934\nrun_time_ns:\t0\n"), 185934);
	assert_int_equal(scan_fdinfo_prog_id("pos:\t0\nlink_type:\tcgroup\nlink_id:\t58338\n"
					     "prog_tag:\td4cc1e4f6d2b4d07\nprog_id:\t184800\n"
					     "cgroup_id:\t1\n"), 184800);
	/* a map: no prog_id; a key that merely ends in prog_id does not count */
	assert_int_equal(scan_fdinfo_prog_id("map_type:\t2\nmap_id:\t7\n"), 0);
	assert_int_equal(scan_fdinfo_prog_id("xprog_id:\t5\n"), 0);
}

static void test_kallsyms_lookup(void **state)
{
	const char *text = "ffffffff81000000 T _stext\n"
			   "ffffffff814bcc80 T bpf_probe_write_user\n"
			   "ffffffff814bcc90 t bpf_probe_write_user_proto\n"
			   "ffffffffc0001000 t hidden_fn\t[rootkit]\n"
			   "ffffffff822090c8 T _etext";
	static const char *const names[] = { "_stext", "bpf_probe_write_user", "hidden_fn",
					     "_etext", "sys_call_table" };
	uint64_t a[5];

	scan_kallsyms_lookup(text, strlen(text), names, 5, a);
	assert_true(a[0] == 0xffffffff81000000ULL);
	assert_true(a[1] == 0xffffffff814bcc80ULL);	/* not the _proto suffix */
	assert_true(a[2] == 0xffffffffc0001000ULL);	/* module column ignored */
	assert_true(a[3] == 0xffffffff822090c8ULL);	/* last line, no newline */
	assert_true(a[4] == 0);
}

/* ---- masquerading ---- */

static bool fake_system_has(void *ctx, const char *name, const char *exe)
{
	return !strcmp(name, "sshd") && strcmp(exe, "/usr/sbin/sshd");
}

static void test_masquerade(void **state)
{
	/* consistent: same name, a 15-byte cut of a long name, kernel threads */
	assert_null(scan_masquerade_reason("sleep", "/usr/bin/sleep", fake_system_has, NULL));
	assert_null(scan_masquerade_reason("systemd-journal", "/usr/lib/systemd/systemd-journald",
					   fake_system_has, NULL));
	assert_null(scan_masquerade_reason("kworker/0:1", "", fake_system_has, NULL));
	/* a name no system program has: renamed, but not pretending */
	assert_null(scan_masquerade_reason("worker-3", "/opt/app/bin/app", fake_system_has, NULL));
	assert_null(scan_masquerade_reason("sshd", "/usr/sbin/sshd", fake_system_has, NULL));
	/* pretending */
	assert_non_null(scan_masquerade_reason("kworker/u9:9", "/tmp/.x/miner", fake_system_has,
					       NULL));
	assert_non_null(scan_masquerade_reason("[kthreadd]", "/dev/shm/x", fake_system_has, NULL));
	assert_non_null(scan_masquerade_reason("sshd", "/tmp/sshd-x", fake_system_has, NULL));
	/* a 15-byte comm that is not a prefix of the name */
	assert_non_null(scan_masquerade_reason("kworker/15:2H-k", "/usr/bin/python3.11",
					       fake_system_has, NULL));
}

/* ---- the setuid walk ---- */

struct setuid_hits {
	char path[8][PATH_MAX];
	int n;
};

static void collect_setuid(void *ctx, const char *path, mode_t mode, uint64_t ino)
{
	struct setuid_hits *h = ctx;

	if (h->n < 8)
		snprintf(h->path[h->n++], PATH_MAX, "%s", path);
}

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_setuid_walk_bounds(void **state)
{
	char root[] = "/tmp/vigil-test-scan.XXXXXX", p[PATH_MAX];
	const char *dirs[] = { root, NULL };
	struct setuid_hits h = { 0 };
	bool truncated = true;
	int visited;

	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/a", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/a/b", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/top-suid", root);
	make_file(p, 04755);
	snprintf(p, sizeof(p), "%s/a/b/deep-sgid", root);
	make_file(p, 02755);
	snprintf(p, sizeof(p), "%s/a/plain", root);
	make_file(p, 0755);
	snprintf(p, sizeof(p), "%s/a/suid-not-executable", root);
	make_file(p, 04644);
	snprintf(p, sizeof(p), "%s/link-to-suid", root);
	snprintf(h.path[0], PATH_MAX, "%s/top-suid", root);
	assert_int_equal(symlink(h.path[0], p), 0);

	/* whole tree: both setuid/setgid executables, not the link, not the 0644 */
	visited = scan_walk_setuid(dirs, 6, 1000, collect_setuid, &h, &truncated);
	assert_int_equal(visited, 7);
	assert_false(truncated);
	assert_int_equal(h.n, 2);
	assert_true(strstr(h.path[0], "suid") || strstr(h.path[0], "sgid"));
	/* depth 2: a/b is not entered, and the walk says so */
	memset(&h, 0, sizeof(h));
	scan_walk_setuid(dirs, 2, 1000, collect_setuid, &h, &truncated);
	assert_true(truncated);
	assert_int_equal(h.n, 1);
	snprintf(p, sizeof(p), "%s/top-suid", root);
	assert_string_equal(h.path[0], p);
	/* entry bound */
	memset(&h, 0, sizeof(h));
	visited = scan_walk_setuid(dirs, 6, 3, collect_setuid, &h, &truncated);
	assert_int_equal(visited, 3);
	assert_true(truncated);

	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
}

/* ---- records ---- */

static void test_finding_record(void **state)
{
	struct scan_finding f = { .check = VGL_SCAN_BPF_PROG, .flags = VGL_SCAN_F_RISKY,
				  .pid = (uint32_t)getpid(), .id = 77, .comm = "holder" };
	uint8_t buf[SCAN_RECORD_MAX];
	struct event_view v;
	size_t n;

	snprintf(f.subject, sizeof(f.subject), "evil_kp");
	snprintf(f.detail, sizeof(f.detail), "BPF program 77");
	snprintf(f.bpf_type, sizeof(f.bpf_type), "kprobe");
	n = scan_finding_record(&f, NULL, 123, buf, sizeof(buf));
	assert_true(n > sizeof(struct vgl_hdr));
	assert_int_equal(decode_record(buf, n, &v), DECODE_OK);
	assert_int_equal(v.hdr->type, VGL_EV_SCAN_FINDING);
	assert_int_equal(v.hdr->pid, getpid());
	assert_int_equal(v.hdr->ppid, getppid());	/* read from /proc */
	assert_int_equal(EV_BODY(&v, vgl_scan)->id, 77);
	assert_int_equal(v.strs[VGL_SCAN_S_SUBJECT].len, 7);
	assert_memory_equal(v.strs[VGL_SCAN_S_BPF_TYPE].ptr, "kprobe", 6);
	assert_string_equal(scan_check_name(EV_BODY(&v, vgl_scan)->check), "bpf_program");
	/* too small a buffer: nothing written, 0 */
	assert_int_equal(scan_finding_record(&f, NULL, 123, buf, 100), 0);
}

/* ---- whole scans (root: BPF iterator) ---- */

struct found {
	int count[VGL_SCAN_MAX];
	uint32_t hidden_pid;
	uint32_t flags[VGL_SCAN_MAX];
};

static void count_finding(void *ctx, const struct scan_finding *f)
{
	struct found *x = ctx;

	x->count[f->check]++;
	x->flags[f->check] |= f->flags;
	if (f->check == VGL_SCAN_HIDDEN_PROCESS)
		x->hidden_pid = f->pid;
}

static void test_preload_changed_across_scans(void **state)
{
	char path[] = "/tmp/vigil-test-preload.XXXXXX";
	const char *none[] = { NULL };
	struct scan_state st = { 0 };
	struct scan_opts o = { .preload_path = path, .state = &st, .ww_dirs = none };
	struct scan_report r;
	struct found f = { 0 };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "/lib/evil.so\n", 13), 13);
	close(fd);
	scan_run(&o, count_finding, &f, &r);	/* first sight: exists, not changed */
	assert_int_equal(f.count[VGL_SCAN_LD_SO_PRELOAD], 1);
	assert_false(f.flags[VGL_SCAN_LD_SO_PRELOAD] & VGL_SCAN_F_CHANGED);
	memset(&f, 0, sizeof(f));
	unlink(path);
	scan_run(&o, count_finding, &f, &r);	/* removed: reported once, as a change */
	assert_int_equal(f.count[VGL_SCAN_LD_SO_PRELOAD], 1);
	assert_true(f.flags[VGL_SCAN_LD_SO_PRELOAD] & VGL_SCAN_F_CHANGED);
	memset(&f, 0, sizeof(f));
	scan_run(&o, count_finding, &f, &r);	/* still absent: nothing */
	assert_int_equal(f.count[VGL_SCAN_LD_SO_PRELOAD], 0);
	assert_int_equal(r.checks[SCAN_CHK_LD_SO_PRELOAD].status, SCAN_RAN);
}

/*
 * A fake /proc listing every pid but one child's: the kernel (task
 * iterator) still runs the child, so it is hidden from this "/proc".
 */
static void test_hidden_from_fake_proc(void **state)
{
	char root[] = "/tmp/vigil-test-proc.XXXXXX", p[PATH_MAX];
	const char *none[] = { NULL };
	struct scan_opts o = { .ww_dirs = none, .proc_root = root };
	struct scan_report r;
	struct found f = { 0 };
	struct dirent *de;
	pid_t child;
	DIR *d;

	if (geteuid() != 0) {
		fail_msg("needs root: the task iterator is a BPF program");
		return;
	}
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_non_null(mkdtemp(root));
	d = opendir("/proc");
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || atoi(de->d_name) == child)
			continue;
		snprintf(p, sizeof(p), "%s/%s", root, de->d_name);
		mkdir(p, 0755);
	}
	closedir(d);
	snprintf(p, sizeof(p), "%s/self", root);
	assert_int_equal(symlink("/proc/self", p), 0);
	scan_run(&o, count_finding, &f, &r);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	assert_int_equal(system(p), 0);
	assert_int_equal(r.checks[SCAN_CHK_HIDDEN_PROCS].status, SCAN_RAN);
	assert_true(r.checks[SCAN_CHK_HIDDEN_PROCS].examined > 1);
	/* processes born while the fake /proc was made are missing from it too:
	 * the child must be among the hidden, whatever else is */
	assert_true(f.count[VGL_SCAN_HIDDEN_PROCESS] >= 1);
	assert_true(f.hidden_pid == (uint32_t)child || f.count[VGL_SCAN_HIDDEN_PROCESS] > 1);
}

struct drained {
	int records, preload;
};

static int count_record(void *ctx, const void *data, size_t size)
{
	struct drained *d = ctx;
	struct event_view v;

	assert_int_equal(decode_record(data, size, &v), DECODE_OK);
	assert_int_equal(v.hdr->type, VGL_EV_SCAN_FINDING);
	d->records++;
	if (EV_BODY(&v, vgl_scan)->check == VGL_SCAN_LD_SO_PRELOAD)
		d->preload++;
	return 0;
}

/* The thread of `vigil run`: one scan at start, its findings drained as
 * records by the caller's loop; stop joins the thread. */
static void test_scanner_thread(void **state)
{
	char path[] = "/tmp/vigil-test-preload.XXXXXX";
	static const char *none[] = { NULL };
	struct scanner_opts o = { .scan = { .preload_path = path, .ww_dirs = none },
				  .at_start = true, .interval_s = 0 };
	struct drained d = { 0 };
	struct scanner *s;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	s = scanner_start(&o);
	assert_non_null(s);
	for (int i = 0; i < 200 && !d.preload; i++) {
		scanner_drain(s, count_record, &d);
		usleep(50 * 1000);
	}
	scanner_stop(s);
	unlink(path);
	assert_int_equal(d.preload, 1);
	assert_true(d.records >= 1);
}

/* The CPU a full scan costs, printed for docs/scan.md (no assertion on time:
 * it depends on the machine). */
static void test_scan_cost(void **state)
{
	struct scan_report r;

	assert_int_equal(scan_run(NULL, NULL, NULL, &r), 0);
	assert_true(r.processes > 0);
	printf("full scan: %u processes, %.1f ms CPU, %.1f ms wall\n", r.processes,
	       r.cpu_ns / 1e6, r.wall_ns / 1e6);
	for (int i = 0; i < SCAN_CHK_MAX; i++)
		printf("  %-22s %-13s %6u examined %8.2f ms\n", r.checks[i].name,
		       scan_status_name(r.checks[i].status), r.checks[i].examined,
		       r.checks[i].cpu_ns / 1e6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirents_pids),
		cmocka_unit_test(test_dirents_corrupt),
		cmocka_unit_test(test_mountinfo_proc),
		cmocka_unit_test(test_fdinfo_prog_id),
		cmocka_unit_test(test_kallsyms_lookup),
		cmocka_unit_test(test_masquerade),
		cmocka_unit_test(test_setuid_walk_bounds),
		cmocka_unit_test(test_finding_record),
		cmocka_unit_test(test_preload_changed_across_scans),
		cmocka_unit_test(test_hidden_from_fake_proc),
		cmocka_unit_test(test_scanner_thread),
		cmocka_unit_test(test_scan_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
