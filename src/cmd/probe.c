// SPDX-License-Identifier: GPL-2.0
/*
 * probe.c - `vigil probe`: what this kernel offers vigil, tried for real.
 * Each feature program of probe.bpf.c is loaded and attached on its own;
 * a failure is a row in the table, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cmd/cmd.h"
#include "log.h"
#include "sensor/sensor.h"
#include "probe.skel.h"

#define CGROUP2_CANDIDATES { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" }

struct probe_row {
	const char *feature;
	const char *prog;	/* program in probe.bpf.c, or NULL */
	const char *use;	/* what vigil uses it for */
};

static const struct probe_row rows[] = {
	{ "tracepoint", "probe_tracepoint", "syscall events (on demand)" },
	{ "tp_btf", "probe_tp_btf", "exec/fork/exit" },
	{ "raw_tracepoint", "probe_raw_tp", "fallback for syscalls without tracepoints" },
	{ "fentry", "probe_fentry", "not required" },
	{ "kprobe", "probe_kprobe", "not required" },
	{ "lsm", "probe_lsm", "deny exec/open in the kernel (else fanotify)" },
	{ "iter/task", "probe_iter_task", "hidden process scan" },
	{ "cgroup/connect4", "probe_cgroup_connect4", "connection blocking" },
	{ "cgroup/sock_create", "probe_cgroup_sock_create", "socket blocking" },
	{ "bpf_send_signal", "probe_send_signal", "kill at exec" },
	{ "bpf_loop", "probe_bpf_loop", "long bounded walks" },
};

static int cgroup2_fd(void)
{
	static const char *const paths[] = CGROUP2_CANDIDATES;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0 && !access(paths[i], F_OK)) {
			char p[256];

			snprintf(p, sizeof(p), "%s/cgroup.procs", paths[i]);
			if (!access(p, F_OK))
				return fd;
		}
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/* Load prog alone, attach it, detach. 0 or -errno (and where it failed). */
static int try_program(const char *name, const char **stage)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *prog, *target = NULL;
	struct bpf_link *link = NULL;
	int err = 0, cg = -1;

	*stage = "open";
	if (!skel)
		return -errno;
	bpf_object__for_each_program(prog, skel->obj) {
		bool me = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, me);
		if (me)
			target = prog;
	}
	*stage = "load";
	err = target ? probe_bpf__load(skel) : -ENOENT;
	if (err)
		goto out;
	*stage = "attach";
	if (!strncmp(name, "probe_cgroup_", 13)) {
		cg = cgroup2_fd();
		link = cg >= 0 ? bpf_program__attach_cgroup(target, cg) : NULL;
		err = cg < 0 ? -ENOENT : (link ? 0 : -errno);
	} else if (!strcmp(name, "probe_iter_task")) {
		link = bpf_program__attach_iter(target, NULL);
		err = link ? 0 : -errno;
	} else {
		link = bpf_program__attach(target);
		err = link ? 0 : -errno;
	}
out:
	bpf_link__destroy(link);
	if (cg >= 0)
		close(cg);
	probe_bpf__destroy(skel);
	return err;
}

static void print_row(const char *feature, bool ok, const char *detail, const char *use)
{
	printf("%-20s %-4s %-28s %s\n", feature, ok ? "yes" : "no", detail, use);
}

int cmd_probe(int argc, char **argv)
{
	struct utsname u;
	char detail[64];
	bool quiet_libbpf = log_get_level() < LOG_DEBUG;

	if (argc > 1 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))) {
		log_set_level(LOG_DEBUG);
		quiet_libbpf = false;
	}
	if (quiet_libbpf)
		libbpf_set_print(NULL);	/* failures are the table's content */
	sensor_mount_pseudo_fs();
	uname(&u);
	printf("kernel %s %s\n", u.release, u.machine);
	printf("%-20s %-4s %-28s %s\n", "FEATURE", "OK", "DETAIL", "USED FOR");

	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	print_row("btf", btf, btf ? "/sys/kernel/btf/vmlinux" : "missing", "CO-RE relocations");
	bool rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	print_row("ringbuf", rb, rb ? "map type" : "unsupported", "event transport");
	bool ts = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	print_row("task_storage", ts, ts ? "map type" : "unsupported", "per-process kernel state");

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *stage;
		int err = try_program(rows[i].prog, &stage);

		if (err)
			snprintf(detail, sizeof(detail), "%s: %s", stage, strerror(-err));
		else
			snprintf(detail, sizeof(detail), "loaded and attached");
		print_row(rows[i].feature, !err, detail, rows[i].use);
	}
	bool modules = access("/proc/modules", F_OK) == 0;
	print_row("kernel modules", modules, modules ? "/proc/modules" : "no module support",
		  "module events via tracepoints");
	bool mod_tp = sensor_tracepoint_exists("syscalls", "sys_exit_finit_module");
	print_row("module syscall tp", mod_tp, mod_tp ? "present" : "absent: raw sys_exit used",
		  "module load attempts");
	if (quiet_libbpf)
		log_route_libbpf();
	return 0;
}
