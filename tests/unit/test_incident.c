// SPDX-License-Identifier: GPL-2.0
/*
 * test_incident.c - incidents: grouping and its window, the minimum
 * severity, bundle layout and permissions, the timeline before and after,
 * captures (content, dedupe, limits), written files (symlinks and FIFOs
 * refused), retention by age and size, a flood of alerts keeping the disk
 * capped, and the export archive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include "forensics/capture.h"
#include "forensics/incident.h"
#include "forensics/archive.h"
#include "forensics/retention.h"

#define NS 1000000000ULL
#define MS 1000000ULL
#define BOOT_TO_REAL (1700000000ULL * NS)

/* ---- building events ---- */

struct ev {
	uint8_t buf[4096];
	struct enriched_event e;
	struct proc_entry proc, anc[4];
	struct container_info ctr;
};

static void build(struct ev *x, uint16_t type, uint32_t pid, uint32_t ppid, uint64_t cg,
		  uint64_t ts, const void *body, size_t bsize, const char *const *strs, int n)
{
	struct vgl_hdr *h = (struct vgl_hdr *)x->buf;
	uint8_t *p = x->buf + sizeof(*h) + bsize;

	memset(x, 0, sizeof(*x));
	h->type = type;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->uid = 1234;
	h->cgroup_id = cg;
	h->ts_ns = ts;
	h->start_ns = 1000 + pid;
	snprintf(h->comm, sizeof(h->comm), "comm%u", pid);
	memcpy(x->buf + sizeof(*h), body, bsize);
	for (int i = 0; i < n; i++) {
		uint16_t len = strlen(strs[i]);

		memcpy(p, &len, 2);
		memcpy(p + 2, strs[i], len);
		p += 2 + len;
	}
	h->nr_strs = n;
	h->size = p - x->buf;
	assert_int_equal(decode_record(x->buf, h->size, &x->e.v), DECODE_OK);
	x->e.realtime_ns = ts + BOOT_TO_REAL;
	x->proc.pid = pid;
	x->proc.ppid = ppid;
	x->proc.start_ns = 1000 + pid;
	snprintf(x->proc.comm, sizeof(x->proc.comm), "comm%u", pid);
	snprintf(x->proc.exe, sizeof(x->proc.exe), "/bin/prog%u", pid);
	x->e.proc = &x->proc;
	if (cg >= 100) {	/* cgroups from 100 up are containers in these tests */
		x->ctr.cgroup_id = cg;
		x->ctr.ref.runtime = CRT_RUNC;
		snprintf(x->ctr.ref.id, sizeof(x->ctr.ref.id), "ctr%llu", (unsigned long long)cg);
		x->ctr.resolved = true;
		x->e.ctr = &x->ctr;
	}
}

static void exec_ev(struct ev *x, uint32_t pid, uint32_t ppid, uint64_t cg, uint64_t ts,
		    const char *path)
{
	struct vgl_exec body = { .ino = 42, .dev = 1, .ctime_ns = ts };
	const char *strs[] = { path, path, "", "prog\0arg", "/work" };

	build(x, VGL_EV_EXEC, pid, ppid, cg, ts, &body, sizeof(body), strs, 5);
}

static void open_ev(struct ev *x, uint32_t pid, uint64_t cg, uint64_t ts, const char *path,
		    uint32_t flags)
{
	struct vgl_file body = { .flags = flags, .fd = 3 };
	const char *strs[] = { path, "" };

	build(x, VGL_EV_OPEN, pid, 1, cg, ts, &body, sizeof(body), strs, 2);
}

static void connect_ev(struct ev *x, uint32_t pid, uint64_t cg, uint64_t ts)
{
	struct vgl_net body = { .family = 2, .type = 1, .protocol = 6, .dport = 4444,
				.daddr = { 127, 0, 0, 1 } };

	build(x, VGL_EV_CONNECT, pid, 1, cg, ts, &body, sizeof(body), NULL, 0);
}

static struct rule rule_high = { .id = "VGL-T1", .name = "test high", .severity = SEV_HIGH };
static struct rule rule_low = { .id = "VGL-T2", .name = "test low", .severity = SEV_LOW };

static const char *alert_on(struct incidents *inc, const struct rule *r, struct ev *x)
{
	struct alert a = { .rule = r, .action = "alerted" };
	const char *id;

	snprintf(a.message, sizeof(a.message), "test alert");
	id = incidents_on_alert(inc, &a, &x->e, NULL);
	return id;
}

/* ---- helpers ---- */

static char *tmpdir(void)
{
	char *d = strdup("/tmp/vgl-inc-XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(char *d)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(d);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static char *bundle_file(const char *dir, const char *id, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s", dir, id, name);
	return slurp(path);
}

static mode_t mode_of(const char *dir, const char *id, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s%s%s", dir, id, name[0] ? "/" : "", name);
	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void sha256_file(const char *path, char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], d[32];
	unsigned int len;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(md, buf, n);
	EVP_DigestFinal_ex(md, d, &len);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	close(fd);
	EVP_MD_CTX_free(md);
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- tests ---- */

static void test_grouping_and_window(void **state)
{
	char *dir = tmpdir();
	struct incidents_opts o = { .dir = dir, .window_ns = 10 * NS, .after_ns = 5 * NS,
				    .boot_to_real_ns = BOOT_TO_REAL };
	struct incidents *inc = incidents_new(&o);
	struct incidents_stats st;
	char id1[INCIDENT_ID_LEN], id2[INCIDENT_ID_LEN];
	struct ev x;
	const char *id;

	assert_non_null(inc);
	exec_ev(&x, 10, 1, 100, 1 * NS, "/bin/a");
	snprintf(id1, sizeof(id1), "%s", alert_on(inc, &rule_high, &x));
	assert_true(incident_id_valid(id1));
	exec_ev(&x, 11, 10, 100, 3 * NS, "/bin/b");	/* same container, in the window */
	assert_string_equal(alert_on(inc, &rule_high, &x), id1);
	exec_ev(&x, 12, 1, 200, 4 * NS, "/bin/c");	/* another container */
	snprintf(id2, sizeof(id2), "%s", alert_on(inc, &rule_high, &x));
	assert_string_not_equal(id2, id1);
	exec_ev(&x, 13, 1, 100, 4 * NS, "/bin/d");
	assert_null(alert_on(inc, &rule_low, &x));	/* below the minimum severity */
	exec_ev(&x, 14, 1, 100, 14 * NS, "/bin/e");	/* 11 s after its last alert: new */
	id = alert_on(inc, &rule_high, &x);
	assert_non_null(id);
	assert_string_not_equal(id, id1);

	/* host: sshd(100) -> bash(200) -> curl(300) and bash(200) -> sh(301) are one
	 * tree; bash(400) under the same sshd is another */
	exec_ev(&x, 300, 200, 5, 15 * NS, "/usr/bin/curl");
	struct proc_entry sshd = { .pid = 100, .ppid = 1, .comm = "sshd" };
	struct proc_entry bash = { .pid = 200, .ppid = 100, .comm = "bash", .start_ns = 1200 };
	x.anc[0] = bash;
	x.anc[1] = sshd;
	x.e.anc[0] = &x.anc[0];
	x.e.anc[1] = &x.anc[1];
	x.e.nr_anc = 2;
	snprintf(id1, sizeof(id1), "%s", alert_on(inc, &rule_high, &x));
	exec_ev(&x, 301, 200, 5, 16 * NS, "/bin/sh");
	x.anc[0] = bash;
	x.anc[1] = sshd;
	x.e.anc[0] = &x.anc[0];
	x.e.anc[1] = &x.anc[1];
	x.e.nr_anc = 2;
	assert_string_equal(alert_on(inc, &rule_high, &x), id1);
	exec_ev(&x, 401, 400, 5, 16 * NS, "/bin/sh");
	bash.pid = 400;
	x.anc[0] = bash;
	x.anc[1] = sshd;
	x.e.anc[0] = &x.anc[0];
	x.e.anc[1] = &x.anc[1];
	x.e.nr_anc = 2;
	assert_string_not_equal(alert_on(inc, &rule_high, &x), id1);

	incidents_get_stats(inc, &st);
	assert_int_equal(st.opened, 5);
	assert_int_equal(st.joined, 2);
	assert_int_equal(st.below_severity, 1);
	incidents_free(inc);
	rm_rf(dir);
}

/* The timeline: recorder events before, the incident's events after, in
 * order; others' events left out; layout and modes; the exe captured. */
static void test_bundle_layout_and_timeline(void **state)
{
	char *dir = tmpdir(), id[INCIDENT_ID_LEN], self[65], path[512], *s;
	struct recorder *rec = recorder_new(NULL);
	struct incidents_opts o = { .dir = dir, .window_ns = 10 * NS, .after_ns = 5 * NS,
				    .boot_to_real_ns = BOOT_TO_REAL, .recorder = rec };
	struct incidents *inc = incidents_new(&o);
	uint32_t me = getpid();
	struct stat st, st2;
	struct ev x;

	assert_non_null(inc);
	connect_ev(&x, me, 100, 1 * NS);	/* before: in the recorder */
	recorder_add(rec, x.buf, x.e.v.hdr->size, 100, 1 * NS, true);
	open_ev(&x, me, 100, 2 * NS, "/etc/passwd", O_RDONLY);
	recorder_add(rec, x.buf, x.e.v.hdr->size, 100, 2 * NS, true);
	open_ev(&x, 999, 300, 2 * NS, "/other/container", O_RDONLY);
	recorder_add(rec, x.buf, x.e.v.hdr->size, 300, 2 * NS, true);
	exec_ev(&x, me, 1, 100, 3 * NS, "/proc/self/exe");	/* the alert */
	recorder_add(rec, x.buf, x.e.v.hdr->size, 100, 3 * NS, true);
	snprintf(id, sizeof(id), "%s", alert_on(inc, &rule_high, &x));
	incidents_on_event(inc, &x.e);		/* already in the snapshot: not twice */
	open_ev(&x, me, 100, 4 * NS, "/after/one", O_RDONLY);
	incidents_on_event(inc, &x.e);
	open_ev(&x, 999, 300, 4 * NS, "/after/other", O_RDONLY);	/* not this incident */
	incidents_on_event(inc, &x.e);
	open_ev(&x, me, 100, 7 * NS, "/after/two", O_RDONLY);
	incidents_on_event(inc, &x.e);
	open_ev(&x, me, 100, 9 * NS, "/after/late", O_RDONLY);	/* after the 5 s */
	incidents_on_event(inc, &x.e);
	open_ev(&x, me, 100, 30 * NS, "/after/closed", O_RDONLY);	/* closes it */
	incidents_on_event(inc, &x.e);
	assert_true(incidents_wait_idle(inc, 10000));
	incidents_free(inc);
	recorder_free(rec);

	assert_int_equal(mode_of(dir, id, ""), 0700);
	assert_int_equal(mode_of(dir, id, "incident.json"), 0600);
	assert_int_equal(mode_of(dir, id, "timeline.jsonl"), 0600);
	assert_int_equal(mode_of(dir, id, "network.jsonl"), 0600);
	assert_int_equal(mode_of(dir, id, "captures"), 0700);
	s = bundle_file(dir, id, "timeline.jsonl");
	assert_non_null(s);
	assert_int_equal(count_lines(s, "\"ktime_ns\""), 5);
	assert_int_equal(count_lines(s, "\n{\"time\""), 4);	/* one object per line */
	assert_int_equal(s[0], '{');
	/* in order: connect, open passwd, exec, after/one, after/two */
	assert_true(strstr(s, "\"connect\"") < strstr(s, "/etc/passwd"));
	assert_true(strstr(s, "/etc/passwd") < strstr(s, "\"exec\""));
	assert_true(strstr(s, "\"exec\"") < strstr(s, "/after/one"));
	assert_true(strstr(s, "/after/one") < strstr(s, "/after/two"));
	assert_null(strstr(s, "/other/container"));
	assert_null(strstr(s, "/after/other"));
	assert_null(strstr(s, "/after/late"));
	assert_non_null(strstr(s, "\"id\":\"ctr100\""));	/* container metadata on events */
	free(s);
	s = bundle_file(dir, id, "network.jsonl");
	assert_non_null(strstr(s, "\"daddr\":\"127.0.0.1\""));
	assert_non_null(strstr(s, "\"dport\":4444"));
	free(s);
	s = bundle_file(dir, id, "incident.json");
	assert_non_null(strstr(s, "\"state\":\"closed\""));
	assert_non_null(strstr(s, "\"VGL-T1\""));
	assert_non_null(strstr(s, "\"scope\":\"container\""));
	assert_non_null(strstr(s, "\"cwd\":\"/work\""));	/* process tree from the exec */
	/* the executed binary (this test program) captured with its sha256 */
	sha256_file("/proc/self/exe", self);
	assert_non_null(strstr(s, self));
	assert_non_null(strstr(s, "\"kind\":\"executed\""));
	free(s);
	snprintf(path, sizeof(path), "%s/%s/captures/%s.zst", dir, id, self);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/.store/%s.zst", dir, self);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);	/* a link to the store */
	/* the capture decompresses to the same bytes */
	{
		char out[] = "/tmp/vgl-cap-XXXXXX", got[65];
		int fd = mkstemp(out);

		assert_int_equal(capture_extract(path, fd), 0);
		close(fd);
		sha256_file(out, got);
		assert_string_equal(got, self);
		unlink(out);
	}
	rm_rf(dir);
}

/* Identical files are stored once; files over the limit are not stored. */
static void test_capture_dedupe_and_limits(void **state)
{
	char *dir = tmpdir(), id1[INCIDENT_ID_LEN], id2[INCIDENT_ID_LEN], self[65], path[512];
	struct incidents_opts o = { .dir = dir, .boot_to_real_ns = BOOT_TO_REAL };
	struct incidents *inc = incidents_new(&o);
	struct stat st;
	struct ev x;
	char *s;

	exec_ev(&x, getpid(), 1, 100, 1 * NS, "/x");
	snprintf(id1, sizeof(id1), "%s", alert_on(inc, &rule_high, &x));
	exec_ev(&x, getpid(), 1, 200, 1 * NS, "/x");
	snprintf(id2, sizeof(id2), "%s", alert_on(inc, &rule_high, &x));
	incidents_free(inc);
	sha256_file("/proc/self/exe", self);
	snprintf(path, sizeof(path), "%s/.store/%s.zst", dir, self);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_nlink, 3);	/* the store and both incidents */
	assert_int_equal(st.st_mode & 0111, 0);
	rm_rf(dir);

	dir = tmpdir();
	o.dir = dir;
	o.capture_file_max = 1000;	/* this program is larger */
	inc = incidents_new(&o);
	exec_ev(&x, getpid(), 1, 100, 1 * NS, "/x");
	snprintf(id1, sizeof(id1), "%s", alert_on(inc, &rule_high, &x));
	incidents_free(inc);
	s = bundle_file(dir, id1, "incident.json");
	assert_non_null(strstr(s, "\"status\":\"too_large\""));
	assert_non_null(strstr(s, self));	/* hashed all the same */
	free(s);
	snprintf(path, sizeof(path), "%s/.store/%s.zst", dir, self);
	assert_int_equal(stat(path, &st), -1);
	rm_rf(dir);
}

static void test_open_nofollow(void **state)
{
	char *dir = tmpdir(), f[256], l[256], p[256], sub[256], via[256];
	int fd;

	snprintf(f, sizeof(f), "%s/file", dir);
	snprintf(l, sizeof(l), "%s/link", dir);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	snprintf(sub, sizeof(sub), "%s/dirlink", dir);
	snprintf(via, sizeof(via), "%s/dirlink/file", dir);
	fd = open(f, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(symlink(f, l), 0);
	assert_int_equal(symlink(dir, sub), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	fd = capture_open_nofollow(-1, f);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(capture_open_nofollow(-1, l), -ELOOP);
	assert_int_equal(capture_open_nofollow(-1, via), -ELOOP);	/* a symlink on the way */
	assert_int_equal(capture_open_nofollow(-1, p), -EINVAL);	/* and it did not block */
	assert_int_equal(capture_open_nofollow(-1, "/dev/null"), -EINVAL);
	rm_rf(dir);
}

/* Files the processes of an incident wrote are captured with the writer's
 * identity; symlinks and FIFOs are not read. */
static void test_written_files(void **state)
{
	char *dir = tmpdir(), *work = tmpdir(), keys[256], link[256], fifo[256], id[INCIDENT_ID_LEN];
	char sha[65], *s;
	struct incidents_opts o = { .dir = dir, .boot_to_real_ns = BOOT_TO_REAL,
				    .window_ns = 10 * NS, .after_ns = 5 * NS };
	struct incidents *inc = incidents_new(&o);
	struct ev x;
	int fd;

	snprintf(keys, sizeof(keys), "%s/authorized_keys", work);
	snprintf(link, sizeof(link), "%s/link", work);
	snprintf(fifo, sizeof(fifo), "%s/fifo", work);
	fd = open(keys, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "ssh-ed25519 AAAA attacker\n", 26), 26);
	close(fd);
	assert_int_equal(symlink("/etc/shadow", link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	sha256_file(keys, sha);

	open_ev(&x, 4321, 5, 1 * NS, keys, O_WRONLY | O_APPEND);	/* the alert (host) */
	snprintf(id, sizeof(id), "%s", alert_on(inc, &rule_high, &x));
	incidents_on_event(inc, &x.e);	/* as the agent does for every event */
	open_ev(&x, 4321, 5, 2 * NS, link, O_WRONLY | O_CREAT);
	incidents_on_event(inc, &x.e);
	open_ev(&x, 4321, 5, 2 * NS, fifo, O_WRONLY);
	incidents_on_event(inc, &x.e);
	incidents_tick(inc, 60 * NS);	/* the window ends: bundle finalized */
	incidents_free(inc);
	s = bundle_file(dir, id, "incident.json");
	assert_non_null(s);
	assert_non_null(strstr(s, sha));
	assert_non_null(strstr(s, "\"kind\":\"written\""));
	assert_non_null(strstr(s, "\"uid\":1234"));
	assert_non_null(strstr(s, "\"pid\":4321"));
	assert_int_equal(count_lines(s, "\"status\":\"not_regular\""), 2);
	assert_null(strstr(s, "/etc/shadow"));
	free(s);
	rm_rf(work);
	rm_rf(dir);
}

static void fake_incident(const char *dir, const char *id, size_t bytes, time_t mtime)
{
	char path[512];
	struct timespec t[2] = { { mtime, 0 }, { mtime, 0 } };
	char *buf = calloc(1, bytes + 1);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, id);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/incident.json", dir, id);
	f = fopen(path, "w");
	fwrite(buf, 1, bytes, f);
	fclose(f);
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
	free(buf);
}

static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_retention(void **state)
{
	char *dir = tmpdir(), path[512];
	struct retention_opts ro = { .max_age_ns = 24 * 3600 * NS, .max_bytes = 250000 };
	struct retention_result r;
	time_t now = time(NULL);

	fake_incident(dir, "20200101T000000Z-00000001", 1000, now - 10 * 86400);	/* old */
	fake_incident(dir, "20200101T000000Z-00000002", 100000, now - 300);
	fake_incident(dir, "20200101T000000Z-00000003", 100000, now - 200);
	fake_incident(dir, "20200101T000000Z-00000004", 100000, now - 100);
	snprintf(path, sizeof(path), "%s/notes", dir);	/* not an incident: never touched */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(retention_enforce(dir, &ro, (uint64_t)now * NS, NULL, NULL, &r), 0);
	assert_false(exists(dir, "20200101T000000Z-00000001"));	/* by age */
	assert_false(exists(dir, "20200101T000000Z-00000002"));	/* by size, oldest first */
	assert_true(exists(dir, "20200101T000000Z-00000003"));
	assert_true(exists(dir, "20200101T000000Z-00000004"));
	assert_true(exists(dir, "notes"));
	assert_int_equal(r.removed, 2);
	assert_true(r.bytes_after <= ro.max_bytes);
	assert_int_equal(retention_usage(dir), 200000);
	assert_false(incident_id_valid("../etc"));
	assert_false(incident_id_valid("20200101T000000Z-0000000G"));
	rm_rf(dir);
}

/* A flood of alerts in many containers: limits hold, the disk stays capped. */
static void test_flood_keeps_disk_capped(void **state)
{
	char *dir = tmpdir();
	struct recorder *rec = recorder_new(NULL);
	struct incidents_opts o = { .dir = dir, .boot_to_real_ns = BOOT_TO_REAL, .recorder = rec,
				    .max_total_bytes = 1 << 20, .max_incident_bytes = 256 << 10,
				    .window_ns = 2 * NS, .after_ns = 1 * NS, .max_open = 8 };
	struct incidents *inc = incidents_new(&o);
	struct incidents_stats st;
	struct ev x;
	uint64_t ts = NS;

	for (int round = 0; round < 40; round++) {
		for (uint64_t cg = 100; cg < 140; cg++) {
			for (int k = 0; k < 20; k++) {
				open_ev(&x, 5000 + cg, cg, ts, "/var/lib/some/long/path/name/to/fill/up",
					O_RDONLY);
				recorder_add(rec, x.buf, x.e.v.hdr->size, cg, ts, true);
				incidents_on_event(inc, &x.e);
				ts += 100000;
			}
			exec_ev(&x, 5000 + cg, 1, cg, ts, "/bin/x");
			recorder_add(rec, x.buf, x.e.v.hdr->size, cg, ts, true);
			alert_on(inc, &rule_high, &x);
			incidents_on_event(inc, &x.e);
		}
		ts += 3 * NS;
		incidents_tick(inc, ts);
	}
	incidents_get_stats(inc, &st);
	assert_true(st.rate_limited > 0);	/* max_new_per_min held */
	incidents_free(inc);
	recorder_free(rec);
	assert_true(st.opened > 10);
	assert_true(retention_usage(dir) <= o.max_total_bytes);
	rm_rf(dir);
}

static void test_export_archive(void **state)
{
	char *dir = tmpdir(), id[INCIDENT_ID_LEN], cmd[2048], out[512], self[65];
	struct incidents_opts o = { .dir = dir, .boot_to_real_ns = BOOT_TO_REAL };
	struct incidents *inc = incidents_new(&o);
	struct ev x;

	exec_ev(&x, getpid(), 1, 100, 1 * NS, "/x");
	snprintf(id, sizeof(id), "%s", alert_on(inc, &rule_high, &x));
	incidents_free(inc);
	sha256_file("/proc/self/exe", self);
	snprintf(out, sizeof(out), "%s/export.tar", dir);
	assert_int_equal(archive_incident(dir, id, out, false), 0);
	snprintf(cmd, sizeof(cmd), "tar -tvf '%s' | grep -q ' %s/captures/%s.zst$' && "
		 "tar -tf '%s' | grep -qx '%s/incident.json'", out, id, self, out, id);
	if (system(cmd)) {
		snprintf(cmd, sizeof(cmd), "tar -tvf '%s' >&2", out);
		assert_int_equal(system(cmd), 0);
		fail();
	}
	snprintf(out, sizeof(out), "%s/export.tar.zst", dir);
	assert_int_equal(archive_incident(dir, id, out, true), 0);
	snprintf(cmd, sizeof(cmd), "zstd -dc '%s' | tar -tf - | grep -qx '%s/incident.json'", out, id);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(archive_incident(dir, "20200101T000000Z-00000000", out, false), -ENOENT);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouping_and_window),
		cmocka_unit_test(test_bundle_layout_and_timeline),
		cmocka_unit_test(test_capture_dedupe_and_limits),
		cmocka_unit_test(test_open_nofollow),
		cmocka_unit_test(test_written_files),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_flood_keeps_disk_capped),
		cmocka_unit_test(test_export_archive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
