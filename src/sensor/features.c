// SPDX-License-Identifier: GPL-2.0
/* features.c - see features.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "sensor/features.h"
#include "sensor/sensor.h"
#include "probe.skel.h"

/* Each probed feature and the program of probe.bpf.c that proves it. */
static const struct {
	enum feature_id id;
	const char *name;
	const char *prog;
	const char *use;
} prog_features[] = {
	{ FEAT_TRACEPOINT, "tracepoint", "probe_tracepoint", "syscall events (on demand)" },
	{ FEAT_TP_BTF, "tp_btf", "probe_tp_btf", "exec/fork/exit" },
	{ FEAT_RAW_TP, "raw_tracepoint", "probe_raw_tp", "syscalls without tracepoints" },
	{ FEAT_FENTRY, "fentry", "probe_fentry", "not required" },
	{ FEAT_KPROBE, "kprobe", "probe_kprobe", "not required" },
	{ FEAT_LSM, "lsm", "probe_lsm", "deny exec/open in the kernel (else fanotify)" },
	{ FEAT_ITER_TASK, "iter/task", "probe_iter_task", "hidden process scan" },
	{ FEAT_CGROUP_CONNECT4, "cgroup/connect4", "probe_cgroup_connect4", "connection blocking" },
	{ FEAT_CGROUP_SOCK_CREATE, "cgroup/sock_create", "probe_cgroup_sock_create",
	  "socket blocking" },
	{ FEAT_SEND_SIGNAL, "bpf_send_signal", "probe_send_signal", "kill at exec" },
	{ FEAT_BPF_LOOP, "bpf_loop", "probe_bpf_loop", "long bounded walks" },
	{ FEAT_TASK_PT_REGS, "bpf_task_pt_regs", "probe_task_pt_regs", "syscall arguments at exit" },
};

static int cgroup2_fd(void)
{
	static const char *const roots[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char procs[64];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", roots[i]);
		if (access(procs, F_OK) == 0)
			return open(roots[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return -1;
}

static struct bpf_link *attach(struct bpf_program *prog, const char *name, int *cg)
{
	if (!strncmp(name, "probe_cgroup_", 13)) {
		*cg = cgroup2_fd();
		if (*cg < 0) {
			errno = ENOENT;
			return NULL;
		}
		return bpf_program__attach_cgroup(prog, *cg);
	}
	if (!strcmp(name, "probe_iter_task"))
		return bpf_program__attach_iter(prog, NULL);
	return bpf_program__attach(prog);
}

/* Make program name the only one of skel to load; it, or NULL. */
static struct bpf_program *only_program(struct probe_bpf *skel, const char *name)
{
	struct bpf_program *prog, *target = NULL;

	bpf_object__for_each_program(prog, skel->obj) {
		bool me = !strcmp(bpf_program__name(prog), name);

		bpf_program__set_autoload(prog, me);
		if (me)
			target = prog;
	}
	return target;
}

/* Load name alone, attach, detach. 0 or -errno; *stage says where it failed. */
static int try_program(const char *name, const char **stage)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *target;
	struct bpf_link *link = NULL;
	int err, cg = -1;

	*stage = "open";
	if (!skel)
		return -errno;
	target = only_program(skel, name);
	*stage = "load";
	err = target ? probe_bpf__load(skel) : -ENOENT;
	if (!err) {
		*stage = "attach";
		link = attach(target, name, &cg);
		err = link ? 0 : -errno;
	}
	bpf_link__destroy(link);
	if (cg >= 0)
		close(cg);
	probe_bpf__destroy(skel);
	return err;
}

uint64_t features_pt_regs_offset(void)
{
	struct probe_bpf *skel = probe_bpf__open();
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	uint64_t off = 0;

	if (!skel)
		return 0;
	prog = only_program(skel, "probe_task_pt_regs");
	skel->bss->probe_caller = syscall(SYS_gettid);
	if (prog && !probe_bpf__load(skel) && (link = bpf_program__attach(prog))) {
		syscall(SYS_getppid);	/* not getppid(): a libc may cache it */
		if (skel->bss->probe_regs_addr > skel->bss->probe_stack_addr &&
		    skel->bss->probe_regs_addr - skel->bss->probe_stack_addr < (1U << 20))
			off = skel->bss->probe_regs_addr - skel->bss->probe_stack_addr;
	}
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
	return off;
}

static void set(struct features *fs, enum feature_id id, const char *name, const char *use,
		bool ok, const char *detail)
{
	struct feature *f = &fs->f[id];

	f->name = name;
	f->use = use;
	f->ok = ok;
	snprintf(f->detail, sizeof(f->detail), "%s", detail);
}

void features_probe(struct features *out)
{
	bool verbose = log_get_level() >= LOG_DEBUG;
	char detail[64];

	memset(out, 0, sizeof(*out));
	if (!verbose)
		libbpf_set_print(NULL);	/* failures are the table's content */
	sensor_mount_pseudo_fs();

	bool btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	set(out, FEAT_BTF, "btf", "CO-RE relocations", btf,
	    btf ? "/sys/kernel/btf/vmlinux" : "missing");
	bool rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	set(out, FEAT_RINGBUF, "ringbuf", "event transport", rb, rb ? "map type" : "unsupported");
	bool ts = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL) == 1;
	set(out, FEAT_TASK_STORAGE, "task_storage", "per-process kernel state", ts,
	    ts ? "map type" : "unsupported");

	for (size_t i = 0; i < sizeof(prog_features) / sizeof(prog_features[0]); i++) {
		const char *stage;
		int err = try_program(prog_features[i].prog, &stage);

		if (err)
			snprintf(detail, sizeof(detail), "%s: %s", stage, strerror(-err));
		else
			snprintf(detail, sizeof(detail), "loaded and attached");
		set(out, prog_features[i].id, prog_features[i].name, prog_features[i].use, !err,
		    detail);
	}

	bool modules = access("/proc/modules", F_OK) == 0;
	set(out, FEAT_MODULES, "kernel modules", "module events", modules,
	    modules ? "/proc/modules" : "no module support");
	bool mod_tp = sensor_tracepoint_exists("syscalls", "sys_exit_finit_module");
	set(out, FEAT_MODULE_TRACEPOINTS, "module syscall tp", "module load attempts", mod_tp,
	    mod_tp ? "present" : "absent: raw sys_exit fallback");
	log_route_libbpf();
}

void features_print_table(const struct features *fs, FILE *f)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "kernel %s %s\n", u.release, u.machine);
	fprintf(f, "%-20s %-4s %-32s %s\n", "FEATURE", "OK", "DETAIL", "USED FOR");
	for (int i = 0; i < FEAT_MAX; i++)
		fprintf(f, "%-20s %-4s %-32s %s\n", fs->f[i].name, fs->f[i].ok ? "yes" : "no",
			fs->f[i].detail, fs->f[i].use);
}

void features_log_summary(const struct features *fs)
{
	char line[1024];
	size_t n = 0;

	for (int i = 0; i < FEAT_MAX && n < sizeof(line); i++) {
		const struct feature *f = &fs->f[i];

		n += snprintf(line + n, sizeof(line) - n, "%s%s %s", i ? ", " : "", f->name,
			      f->ok ? "yes" : "no");
	}
	log_info("kernel features: %s", line);
	for (int i = 0; i < FEAT_MAX; i++)
		if (!fs->f[i].ok)
			log_debug("%s unavailable: %s", fs->f[i].name, fs->f[i].detail);
}
