// SPDX-License-Identifier: GPL-2.0
/*
 * sensor.c - load the embedded BPF object and manage which programs are
 * attached. Loading verifies every program once at start; attaching is
 * what costs the traced syscalls, so it follows the selected event types
 * and can change at run time without reloading.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "sensor/sensor.h"
#include "sensor/features.h"
#include "vigil.skel.h"

#define TRACEFS "/sys/kernel/tracing"
#define BPFFS "/sys/fs/bpf"
#define FALLBACK_PROG "vgl_raw_sys_exit_fallback"
#define FALLBACK_MAP "fallback_syscalls"

struct prog_slot {
	struct bpf_program *prog;
	struct bpf_link *link;
};

struct sensor {
	unsigned int fallback_noted;	/* said once that the fallback is off */
	struct vigil_bpf *skel;
	struct ring_buffer *rb;
	struct prog_slot *slots;
	size_t nr_slots;
	struct sensor_opts opts;
	uint64_t boot_to_real_ns;
	event_mask_t attached;
};

/* x86-64 numbers of syscalls that may lack a tracepoint (compiled out). */
static const struct { const char *name; uint32_t nr; } fallback_nrs[] = {
	{ "init_module", 175 }, { "delete_module", 176 }, { "finit_module", 313 },
	{ "kexec_load", 246 }, { "kexec_file_load", 320 },
};

/*
 * Programs that call a helper younger than our 5.8 floor. A kernel without
 * the helper rejects the whole object even for a guarded call, so these
 * programs are not loaded there (their event type degrades, logged).
 */
static const struct { const char *prog; enum bpf_func_id helper; } prog_helpers[] = {
	{ "vgl_sys_enter_mprotect", BPF_FUNC_find_vma },
	{ "vgl_sys_enter_pkey_mprotect", BPF_FUNC_find_vma },
};

static bool prog_helpers_available(const char *name, enum bpf_prog_type type)
{
	for (size_t i = 0; i < sizeof(prog_helpers) / sizeof(prog_helpers[0]); i++)
		if (!strcmp(prog_helpers[i].prog, name) &&
		    libbpf_probe_bpf_helper(type, prog_helpers[i].helper, NULL) != 1) {
			log_info("'%s' needs a BPF helper this kernel lacks; not loaded", name);
			return false;
		}
	return true;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int fs_is(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

void sensor_mount_pseudo_fs(void)
{
	if (!fs_is(TRACEFS, TRACEFS_MAGIC) && mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		log_warn("cannot mount tracefs on '%s': %s", TRACEFS, strerror(errno));
	if (!fs_is(BPFFS, BPF_FS_MAGIC) && mount("bpffs", BPFFS, "bpf", 0, NULL))
		log_warn("cannot mount bpffs on '%s': %s", BPFFS, strerror(errno));
}

int sensor_tracepoint_exists(const char *group, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", group, name);
	return access(path, F_OK) == 0;
}

static int ringbuf_cb(void *ctx, void *data, size_t size)
{
	const struct sensor_opts *opts = ctx;

	return opts->on_record(opts->ctx, data, size);
}

int sensor_open(struct sensor **out, const struct sensor_opts *opts)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct sensor *s;
	struct bpf_program *prog;
	int err;

	setrlimit(RLIMIT_MEMLOCK, &unlimited);	/* pre-5.11 kernels charge memlock */
	sensor_mount_pseudo_fs();

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	s->skel = vigil_bpf__open();
	if (!s->skel) {
		err = -errno;
		log_error("cannot open the BPF object: %s", strerror(-err));
		goto fail;
	}
	s->boot_to_real_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	s->skel->rodata->self_tgid = getpid();
	s->skel->rodata->pt_regs_stack_off = features_pt_regs_offset();
	log_debug("syscall registers: %s", s->skel->rodata->pt_regs_stack_off ?
		  "at a measured offset from the stack base" : "through bpf_task_pt_regs()");
	s->skel->rodata->agent_start_real_ns = clock_ns(CLOCK_REALTIME);
	s->skel->rodata->boot_to_real_ns = s->boot_to_real_ns;
	if (opts->ringbuf_bytes)
		bpf_map__set_max_entries(s->skel->maps.events, opts->ringbuf_bytes);
	s->skel->rodata->wakeup_interval_ns =
		(opts->wakeup_interval_us ? opts->wakeup_interval_us : SENSOR_WAKEUP_US) * 1000ULL;

	/* Programs whose hook does not exist here cannot load (tp_btf) or
	 * would only fail to attach (tracepoint): skip loading both. */
	bpf_object__for_each_program(prog, s->skel->obj) {
		const char *sec = bpf_program__section_name(prog);

		if (!strncmp(sec, "tracepoint/", 11)) {
			char group[64], name[128];

			if (sscanf(sec + 11, "%63[^/]/%127s", group, name) == 2 &&
			    !sensor_tracepoint_exists(group, name))
				bpf_program__set_autoload(prog, false);
		}
		if (!prog_helpers_available(bpf_program__name(prog), bpf_program__type(prog)))
			bpf_program__set_autoload(prog, false);
		s->nr_slots++;
	}

	err = vigil_bpf__load(s->skel);
	if (err) {
		log_error("cannot load the BPF programs: %s", strerror(-err));
		goto fail;
	}
	s->slots = calloc(s->nr_slots, sizeof(*s->slots));
	if (!s->slots) {
		err = -ENOMEM;
		goto fail;
	}
	size_t i = 0;
	bpf_object__for_each_program(prog, s->skel->obj)
		s->slots[i++].prog = prog;

	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), ringbuf_cb, &s->opts, NULL);
	if (!s->rb) {
		err = -errno;
		log_error("cannot open the ring buffer: %s", strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sensor_close(s);
	return err;
}

static struct prog_slot *slot_by_name(struct sensor *s, const char *name)
{
	for (size_t i = 0; i < s->nr_slots; i++)
		if (!strcmp(bpf_program__name(s->slots[i].prog), name))
			return &s->slots[i];
	return NULL;
}

/* Syscall name of a "tracepoint/syscalls/sys_exit_X" program name
 * "vgl_sys_exit_X", for the fallback table. */
static int fallback_nr(const char *prog_name, uint32_t *nr)
{
	const char *sys = strstr(prog_name, "sys_exit_");

	if (!sys)
		return -ENOENT;
	sys += strlen("sys_exit_");
	for (size_t i = 0; i < sizeof(fallback_nrs) / sizeof(fallback_nrs[0]); i++)
		if (!strcmp(fallback_nrs[i].name, sys)) {
			*nr = fallback_nrs[i].nr;
			return 0;
		}
	return -ENOENT;
}

static int slot_attach(struct prog_slot *slot)
{
	if (slot->link)
		return 0;
	slot->link = bpf_program__attach(slot->prog);
	if (!slot->link)
		return -errno;
	return 0;
}

static void slot_detach(struct prog_slot *slot)
{
	bpf_link__destroy(slot->link);
	slot->link = NULL;
}

/*
 * Route the syscalls of type t that have no tracepoint through the raw
 * sys_exit program. Returns how many syscalls were routed.
 */
static int fallback_route(struct sensor *s, unsigned int t, const char *prog_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(s->skel->obj, FALLBACK_MAP);
	struct prog_slot *fb = slot_by_name(s, FALLBACK_PROG);
	uint32_t nr, type = t;

	if (!map || !fb || fallback_nr(prog_name, &nr))
		return 0;
	if (!s->opts.syscall_fallback) {
		if (!s->fallback_noted++)
			log_info("'%s' events: this kernel has no tracepoint for their syscalls; the raw "
				 "sys_exit program that would see them runs on every syscall, so it "
				 "is off (syscall_fallback: true turns it on)", event_info(t)->name);
		return 0;
	}
	if (bpf_map__update_elem(map, &nr, sizeof(nr), &type, sizeof(type), BPF_ANY))
		return 0;
	if (!fb->link && slot_attach(fb)) {
		log_warn("cannot attach the raw sys_exit fallback: %s", strerror(errno));
		return 0;
	}
	log_debug("'%s' has no tracepoint here; served by raw sys_exit (costs every syscall)",
		  prog_name);
	return 1;
}

static void fallback_clear(struct sensor *s)
{
	struct bpf_map *map = bpf_object__find_map_by_name(s->skel->obj, FALLBACK_MAP);
	struct prog_slot *fb = slot_by_name(s, FALLBACK_PROG);

	if (fb)
		slot_detach(fb);
	for (size_t i = 0; map && i < sizeof(fallback_nrs) / sizeof(fallback_nrs[0]); i++)
		bpf_map__delete_elem(map, &fallback_nrs[i].nr, sizeof(uint32_t), 0);
}

/* A sched_* or cgroup_* (tp_btf) program: costs nothing to unrelated syscalls. */
static bool slot_is_sched(const struct prog_slot *slot)
{
	const char *sec = bpf_program__section_name(slot->prog);

	return !strncmp(sec, "tp_btf/sched_", 13) || !strncmp(sec, "tp_btf/cgroup_", 14);
}

/*
 * Attach the programs of type t; returns how many hooks serve it. When the
 * type is only needed for the process table (lifecycle_only), its syscall
 * hooks (failed execs) stay detached: any syscall tracepoint puts every
 * syscall of the machine on the slow path.
 */
static int attach_type(struct sensor *s, unsigned int t, const struct event_type_info *info,
		       bool lifecycle_only)
{
	int served = 0;

	for (int p = 0; p < EVENT_PROGS_MAX && info->progs[p]; p++) {
		struct prog_slot *slot = slot_by_name(s, info->progs[p]);

		if (slot && lifecycle_only && !slot_is_sched(slot)) {
			slot_detach(slot);
			continue;
		}
		if (slot && bpf_program__fd(slot->prog) >= 0) {
			int err = slot_attach(slot);

			if (!err)
				served++;
			else
				log_warn("cannot attach '%s' for '%s' events: %s", info->progs[p],
					 info->name, strerror(-err));
		} else if (info->fallback) {
			served += fallback_route(s, t, info->progs[p]);
		} else {
			log_debug("'%s' (for '%s') does not exist on this kernel", info->progs[p],
				  info->name);
		}
	}
	return served;
}

static void detach_type(struct sensor *s, const struct event_type_info *info)
{
	for (int p = 0; p < EVENT_PROGS_MAX && info->progs[p]; p++) {
		struct prog_slot *slot = slot_by_name(s, info->progs[p]);

		if (slot)
			slot_detach(slot);
	}
}

int sensor_select(struct sensor *s, event_mask_t mask, event_mask_t *effective)
{
	event_mask_t got = 0;

	fallback_clear(s);
	for (unsigned int t = 1; t < VGL_EV_MAX; t++) {
		const struct event_type_info *info = event_info(t);

		if (!info)
			continue;
		bool selected = mask & EVENT_BIT(t);

		if (info->userspace) {
			got |= selected ? EVENT_BIT(t) : 0;
			continue;
		}
		if (!selected && !info->lifecycle) {
			detach_type(s, info);
			continue;
		}
		if (attach_type(s, t, info, !selected) > 0)
			got |= EVENT_BIT(t);
		else if (mask & EVENT_BIT(t))
			log_warn("no hook can produce '%s' events on this kernel", info->name);
	}
	s->attached = got;
	if (effective)
		*effective = got;
	return 0;
}

int sensor_poll(struct sensor *s, int timeout_ms)
{
	int woken = ring_buffer__poll(s->rb, timeout_ms);
	int rest;

	if (woken < 0)
		return woken;
	/* records submitted without a wake-up: reading positions is no syscall */
	rest = ring_buffer__consume(s->rb);
	return rest < 0 ? rest : woken + rest;
}

/* Sum n per-CPU u64 counters of map into out[0..n). */
static int sum_percpu(struct bpf_map *map, uint32_t n, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < n; k++) {
		out[k] = 0;
		if (bpf_map__lookup_elem(map, &k, sizeof(k), vals, sizeof(*vals) * ncpu, 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

int sensor_read_counters(struct sensor *s, struct sensor_counters *out)
{
	int err = sum_percpu(s->skel->maps.counters, VGL_CNT_MAX, out->kernel);

	if (!err)
		err = sum_percpu(s->skel->maps.type_counters, VGL_EV_MAX * VGL_TC_MAX,
				 &out->per_type[0][0]);
	return err;
}

uint64_t sensor_boot_to_real_ns(const struct sensor *s)
{
	return s->boot_to_real_ns;
}

int sensor_map_fd(const struct sensor *s, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(s->skel->obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->slots && i < s->nr_slots; i++)
		slot_detach(&s->slots[i]);
	ring_buffer__free(s->rb);
	vigil_bpf__destroy(s->skel);
	free(s->slots);
	free(s);
}
