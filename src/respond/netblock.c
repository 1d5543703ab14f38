// SPDX-License-Identifier: GPL-2.0
/*
 * netblock.c - load, fill, attach and pin the cgroup socket hooks of
 * src/bpf/netblock.bpf.c. See netblock.h.
 *
 * Pins under pin_dir (names without dots: bpffs refuses them):
 *	link_nb_connect4, link_nb_connect6, link_nb_sendmsg4, link_nb_sendmsg6
 *	map_nb_conf, map_nb_sets, map_nb_lpm4, map_nb_lpm6, map_nb_ports, ...
 *
 * A restart must never leave a moment without enforcement, so the order is:
 * attach the new links (old and new hooks both run: either refuses), pin
 * them under NAME_new, detach and unpin the old ones, rename NAME_new to
 * NAME. Until the rename the new links live on through our descriptors and
 * the _new pins.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "respond/netblock.h"
#include "respond/netblock_compile.h"
#include "netblock.skel.h"

#define NB_LINKS	4
#define NEW_SUFFIX	"_new"

/* the programs of nb->links, in order */
static const char *const link_names[NB_LINKS] = {
	"nb_connect4", "nb_connect6", "nb_sendmsg4", "nb_sendmsg6",
};

struct netblock {
	struct netblock_bpf *skel;
	struct bpf_link *links[NB_LINKS];
	struct nb_plan *plan;
	uint32_t rate;
	uint32_t live;			/* generation the hooks read */
	char pin_dir[PATH_MAX];
};

/* Maps the sensor owns: shared by fd, never pinned by us. */
static const char *const sensor_maps[] = { "events", "nb_verdicts", "container_cgroups" };

static bool is_sensor_map(const char *name)
{
	for (size_t i = 0; i < sizeof(sensor_maps) / sizeof(sensor_maps[0]); i++)
		if (!strcmp(name, sensor_maps[i]))
			return true;
	return false;
}

static void log_plan(const struct nb_plan *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct nb_rule_plan *r = &p->rules[i];

		if (r->kernel)
			log_info("%s: block: enforced in the kernel (cgroup connect/sendmsg hooks)",
				 r->rule->id);
		else
			log_warn("%s: block: not enforced in the kernel (%s)", r->rule->id, r->why);
	}
}

/* ---- maps ---- */

static int put_entry(int fd, const void *key, const uint64_t *bits, bool del)
{
	return del ? bpf_map_delete_elem(fd, key) : bpf_map_update_elem(fd, key, bits, 0);
}

static int put_prefix(struct netblock *nb, const struct nb_prefix *np, uint8_t gen, bool del)
{
	if (np->len == 4) {
		struct vgl_nb_lpm4 k = { .prefixlen = 8 + np->prefix, .gen = gen };

		memcpy(k.addr, np->addr, 4);
		return put_entry(bpf_map__fd(nb->skel->maps.nb_lpm4), &k, &np->bits, del);
	}
	struct vgl_nb_lpm6 k = { .prefixlen = 8 + np->prefix, .gen = gen };

	memcpy(k.addr, np->addr, 16);
	return put_entry(bpf_map__fd(nb->skel->maps.nb_lpm6), &k, &np->bits, del);
}

static int put_port(struct netblock *nb, const struct nb_port *pp, uint8_t gen, bool del)
{
	struct vgl_nb_port_key k = { .port = pp->port, .gen = gen };

	return put_entry(bpf_map__fd(nb->skel->maps.nb_ports), &k, &pp->bits, del);
}

/* Write (or, with del, remove) plan p as generation gen. 0 or -errno. */
static int write_gen(struct netblock *nb, const struct nb_plan *p, uint32_t gen, bool del)
{
	int err = 0;

	for (size_t i = 0; i < p->nprefixes && !err; i++)
		if (p->prefixes[i].bits)
			err = put_prefix(nb, &p->prefixes[i], gen, del);
	for (size_t i = 0; i < p->nports && !err; i++)
		if (p->ports[i].bits)
			err = put_port(nb, &p->ports[i], gen, del);
	if (!err && !del)
		err = bpf_map_update_elem(bpf_map__fd(nb->skel->maps.nb_sets), &gen, &p->set, 0);
	if (err && !del)
		log_error("netblock: cannot fill the block maps: %s", strerror(errno));
	return err ? -errno : 0;
}

static int set_live(struct netblock *nb, uint32_t gen)
{
	struct vgl_nb_conf conf = { .live = gen };
	uint32_t zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(nb->skel->maps.nb_conf), &zero, &conf, 0)) {
		log_error("netblock: cannot switch the block rules: %s", strerror(errno));
		return -errno;
	}
	nb->live = gen;
	return 0;
}

/* New slots, new budgets: the old counts belonged to other rules. */
static void reset_rates(struct netblock *nb)
{
	struct vgl_nb_rate zero_rate = { 0 };
	int fd = bpf_map__fd(nb->skel->maps.nb_rates);

	for (uint32_t i = 0; i < VGL_ENF_SLOTS_MAX; i++)
		bpf_map_update_elem(fd, &i, &zero_rate, 0);
}

/* ---- load and attach ---- */

static int load(struct netblock *nb, struct sensor *s)
{
	struct bpf_map *map;
	int err;

	nb->skel = netblock_bpf__open();
	if (!nb->skel) {
		log_error("netblock: cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; s && i < sizeof(sensor_maps) / sizeof(sensor_maps[0]); i++) {
		int fd = sensor_map_fd(s, sensor_maps[i]);

		map = bpf_object__find_map_by_name(nb->skel->obj, sensor_maps[i]);
		err = fd < 0 ? fd : (map ? bpf_map__reuse_fd(map, fd) : -ENOENT);
		if (err) {
			log_error("netblock: cannot share the sensor's map '%s': %s",
				  sensor_maps[i], strerror(-err));
			return err;
		}
	}
	err = netblock_bpf__load(nb->skel);
	if (err)
		log_error("netblock: cannot load the block hooks: %s", strerror(-err));
	return err;
}

/* Mount point of the cgroup v2 hierarchy (it may sit under a v1 tmpfs). */
static int cgroup2_root(char *out, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(out, len, "%s", m->mnt_dir);
			err = 0;
			break;
		}
	endmntent(f);
	return err;
}

static int attach(struct netblock *nb)
{
	char root[PATH_MAX];
	int cg, err = cgroup2_root(root, sizeof(root));

	if (err) {
		log_error("netblock: no cgroup v2 hierarchy in /proc/self/mounts");
		return err;
	}
	cg = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		log_error("netblock: cannot open '%s': %s", root, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < NB_LINKS && !err; i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(nb->skel->obj,
									    link_names[i]);

		nb->links[i] = prog ? bpf_program__attach_cgroup(prog, cg) : NULL;
		if (!nb->links[i]) {
			err = prog ? -errno : -ENOENT;
			log_error("netblock: cannot attach %s to '%s': %s", link_names[i], root,
				  strerror(-err));
		}
	}
	close(cg);
	return err;
}

/* ---- pins ---- */

static int pin_fd(const char *dir, const char *kind, const char *name, int fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s_%s" NEW_SUFFIX, dir, kind, name);
	unlink(path);	/* a _new pin left by a vigil that died mid-restart */
	if (bpf_obj_pin(fd, path)) {
		log_error("netblock: cannot pin '%s': %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int pin_new(struct netblock *nb)
{
	struct bpf_map *map;
	int err = 0;

	for (int i = 0; i < NB_LINKS && !err; i++)
		err = pin_fd(nb->pin_dir, "link", link_names[i], bpf_link__fd(nb->links[i]));
	bpf_object__for_each_map(map, nb->skel->obj) {
		if (err)
			break;
		if (!is_sensor_map(bpf_map__name(map)))
			err = pin_fd(nb->pin_dir, "map", bpf_map__name(map), bpf_map__fd(map));
	}
	return err;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Detach the link pinned at path (a map pin is left as it is) and unpin it. */
static int unpin_one(const char *path)
{
	int fd = bpf_obj_get(path);

	if (fd >= 0) {
		bpf_link_detach(fd);	/* fails harmlessly on maps */
		close(fd);
	}
	if (unlink(path) && errno != ENOENT) {
		log_error("netblock: cannot unpin '%s': %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

enum pins { PINS_OLD, PINS_NEW, PINS_ALL };

/* Remove the pins of dir: those of the vigil before us, our _new ones, or all. */
static int remove_pins(const char *dir, enum pins which)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[PATH_MAX];
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		bool is_new = has_suffix(de->d_name, NEW_SUFFIX);
		int e;

		if (de->d_name[0] == '.' || (which == PINS_OLD && is_new) ||
		    (which == PINS_NEW && !is_new))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		e = unpin_one(path);
		if (e)
			err = e;
	}
	closedir(d);
	return err;
}

/* NAME_new -> NAME, replacing nothing (the old pins are gone by now). */
static int promote_new_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char from[PATH_MAX], to[PATH_MAX];
	int err = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!has_suffix(de->d_name, NEW_SUFFIX))
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		snprintf(to, sizeof(to), "%s/%.*s", dir,
			 (int)(strlen(de->d_name) - strlen(NEW_SUFFIX)), de->d_name);
		if (rename(from, to)) {
			log_error("netblock: cannot rename pin '%s': %s", from, strerror(errno));
			err = -errno;
		}
	}
	closedir(d);
	return err;
}

static int make_pin_dir(const char *dir)
{
	sensor_mount_pseudo_fs();
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_error("netblock: cannot create pin directory '%s': %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Take over from an earlier vigil: see the top of this file. */
static int replace_pins(struct netblock *nb)
{
	int err = make_pin_dir(nb->pin_dir);

	if (!err)
		err = pin_new(nb);
	if (err) {
		remove_pins(nb->pin_dir, PINS_NEW);	/* the earlier vigil's stay in force */
		return err;
	}
	err = remove_pins(nb->pin_dir, PINS_OLD);
	if (!err)
		err = promote_new_pins(nb->pin_dir);
	return err;
}

/* ---- API ---- */

static void netblock_free(struct netblock *nb)
{
	if (!nb)
		return;
	for (int i = 0; i < NB_LINKS; i++) {
		if (!nb->links[i])
			continue;
		bpf_link__disconnect(nb->links[i]);	/* the pin keeps it in force */
		bpf_link__destroy(nb->links[i]);
	}
	netblock_bpf__destroy(nb->skel);
	nb_plan_free(nb->plan);
	free(nb);
}

/* Hooks and maps in the kernel, filled with the plan as generation 0. */
static int netblock_start(struct netblock *nb, struct sensor *s)
{
	int err = load(nb, s);

	if (!err)
		err = write_gen(nb, nb->plan, 0, false);
	if (!err)
		err = set_live(nb, 0);
	if (!err)
		err = attach(nb);
	return err;
}

int netblock_open(struct netblock **out, struct sensor *s, const struct ruleset *rs,
		  const struct netblock_opts *o)
{
	const char *dir = o && o->pin_dir ? o->pin_dir : NETBLOCK_PIN_DIR;
	struct netblock *nb = calloc(1, sizeof(*nb));
	size_t enforced = 0;
	int err;

	*out = NULL;
	if (!nb)
		return -ENOMEM;
	snprintf(nb->pin_dir, sizeof(nb->pin_dir), "%s", dir);
	nb->rate = o ? o->actions_per_sec : 0;
	err = nb_plan_build(rs, nb->rate, &nb->plan);
	if (err) {
		log_error("netblock: cannot compile the block rules: %s", strerror(-err));
		free(nb);
		return err;
	}
	log_plan(nb->plan);
	enforced = nb->plan->nslots;
	if (!enforced) {
		netblock_free(nb);
		return netblock_unpin(dir);	/* an earlier vigil's rules are not ours */
	}
	err = netblock_start(nb, s);
	if (!err)
		err = replace_pins(nb);
	if (err) {
		for (int i = 0; i < NB_LINKS; i++)
			if (nb->links[i])
				bpf_link__destroy(nb->links[i]);	/* unpinned: detaches */
		memset(nb->links, 0, sizeof(nb->links));
		netblock_free(nb);
		return err;
	}
	log_info("netblock: %zu block rule%s enforced by cgroup hooks, pinned in '%s'", enforced,
		 enforced == 1 ? "" : "s", dir);
	*out = nb;
	return 0;
}

int netblock_reload(struct netblock *nb, const struct ruleset *rs)
{
	uint32_t next = !nb->live;
	struct nb_plan *plan;
	int err;

	err = nb_plan_build(rs, nb->rate, &plan);
	if (err) {
		log_error("netblock: cannot compile the block rules: %s", strerror(-err));
		return err;
	}
	log_plan(plan);
	err = write_gen(nb, plan, next, false);
	if (!err) {
		reset_rates(nb);
		err = set_live(nb, next);
	}
	if (err) {
		write_gen(nb, plan, next, true);
		nb_plan_free(plan);
		return err;
	}
	write_gen(nb, nb->plan, !next, true);
	nb_plan_free(nb->plan);
	nb->plan = plan;
	return 0;
}

bool netblock_enforces(const struct netblock *nb, uint32_t index)
{
	const struct nb_rule_plan *r = nb ? nb_plan_rule_at(nb->plan, index) : NULL;

	return r && r->kernel;
}

static void log_counters(const struct netblock *nb)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(nb->skel->maps.nb_counters);
	unsigned long long sum[VGL_NB_CNT_MAX] = { 0 };
	uint64_t *v;

	if (ncpu <= 0 || !(v = calloc(ncpu, sizeof(*v))))
		return;
	for (uint32_t k = 0; k < VGL_NB_CNT_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			sum[k] += v[c];
	}
	free(v);
	log_info("netblock: %llu blocked, %llu over budget, %llu records lost; the hooks stay "
		 "in force (`vigil unpin` removes them)", sum[VGL_NB_CNT_BLOCKED],
		 sum[VGL_NB_CNT_RATE_LIMITED], sum[VGL_NB_CNT_LOST_RINGBUF]);
}

void netblock_close(struct netblock *nb)
{
	if (!nb)
		return;
	log_counters(nb);
	netblock_free(nb);
}

int netblock_unpin(const char *pin_dir)
{
	const char *dir = pin_dir ? pin_dir : NETBLOCK_PIN_DIR;
	int err = remove_pins(dir, PINS_ALL);

	if (!err && rmdir(dir) && errno != ENOENT) {
		log_error("netblock: cannot remove '%s': %s", dir, strerror(errno));
		err = -errno;
	}
	return err;
}
