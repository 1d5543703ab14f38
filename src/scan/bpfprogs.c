// SPDX-License-Identifier: GPL-2.0
/*
 * bpfprogs.c - BPF programs vigil did not load.
 *
 * Programs and links are enumerated by id with the bpf syscall
 * (BPF_PROG_GET_NEXT_ID, BPF_LINK_GET_NEXT_ID). The kernel keeps no
 * "loaded by" for a program (bpf_prog_info has only created_by_uid); the
 * processes holding a program's or link's fd, found by the task_file
 * iterator, are its loader as far as anyone can tell (bpftool does the
 * same). A program is vigil's own when its name has one of vigil's
 * prefixes (vgl_, nb_, probe_) AND it is held only by vigil processes
 * (this one, or one running the same executable) or pinned under a
 * /sys/fs/bpf/vigil* directory (netblock's pins outlive vigil). Anything
 * else is reported with its type, attach points and holders; types and
 * helpers that rootkits use are flagged risky.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "enrich/exehash.h"
#include "scan/scan_int.h"
#include "scan/scan_iter.h"

#define OWNED_MAX	4096
#define HOLDERS_SHOWN	4
#define PID_CACHE	64

struct id_set {
	uint32_t v[OWNED_MAX];
	size_t n;
};

static void id_add(struct id_set *s, uint32_t id)
{
	if (s->n < OWNED_MAX)
		s->v[s->n++] = id;
}

static bool id_has(const struct id_set *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

struct bpf_scan {
	struct scan_ctx *c;
	char self_exe[PATH_MAX];
	struct id_set pinned_progs;	/* programs of vigil's pins (directly or by a link) */
	bool helpers_known;
	struct exe_hashes *hashes;	/* for holders running a copy of vigil */
	uint32_t known_pid[PID_CACHE];
	bool known_vigil[PID_CACHE];
	size_t nknown;
	char self_digest[65];
	uint64_t call_base, write_user, override;
};

/* readlink of /proc/PID/exe without " (deleted)": a vigil rebuilt while it
 * runs is still vigil */
static void exe_of(const char *proc, uint32_t pid, char *out, size_t cap)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/exe", proc, pid);
	n = readlink(path, out, cap - 1);
	out[n > 0 ? n : 0] = '\0';
	if (n > 10 && !strcmp(out + n - 10, " (deleted)"))
		out[n - 10] = '\0';
}

/* SHA-256 of /proc/PID/exe into out (hex); false when unreadable. */
static bool exe_digest(struct bpf_scan *b, uint32_t pid, char out[65])
{
	char path[64];
	const char *hex;

	if (!b->hashes && !(b->hashes = exehash_new()))
		return false;
	snprintf(path, sizeof(path), "%s/%u/exe", b->c->proc, pid);
	hex = exehash_file(b->hashes, path);
	if (!hex)
		return false;
	memcpy(out, hex, 65);
	return true;
}

static bool is_vigil_exe(struct bpf_scan *b, uint32_t pid);

/* Holders are few and hold many programs: remember each answer. */
static bool is_vigil_pid(struct bpf_scan *b, uint32_t pid)
{
	bool yes;

	if (pid == (uint32_t)b->c->self)
		return true;
	for (size_t i = 0; i < b->nknown; i++)
		if (b->known_pid[i] == pid)
			return b->known_vigil[i];
	yes = is_vigil_exe(b, pid);
	if (b->nknown < PID_CACHE) {
		b->known_pid[b->nknown] = pid;
		b->known_vigil[b->nknown++] = yes;
	}
	return yes;
}

/* Another vigil: the same executable by path, or by content (a copy, as
 * the benchmarks and containers run). */
static bool is_vigil_exe(struct bpf_scan *b, uint32_t pid)
{
	char exe[PATH_MAX], digest[65];

	exe_of(b->c->proc, pid, exe, sizeof(exe));
	if (!exe[0])
		return false;
	if (!strcmp(exe, b->self_exe))
		return true;
	if (!b->self_digest[0] && !exe_digest(b, b->c->self, b->self_digest))
		return false;
	return exe_digest(b, pid, digest) && !strcmp(digest, b->self_digest);
}

static bool vigil_name(const char *name)
{
	return !strncmp(name, "vgl_", 4) || !strncmp(name, "nb_", 3) ||
	       !strncmp(name, "probe_", 6);
}

uint32_t scan_fdinfo_prog_id(const char *text)
{
	const char *p = strstr(text, "prog_id:");

	/* at a line start: "prog_id:" is not a suffix of another key */
	while (p && p != text && p[-1] != '\n')
		p = strstr(p + 1, "prog_id:");
	return p ? (uint32_t)strtoul(p + 8, NULL, 10) : 0;
}

/*
 * The program a pinned object stands for: itself, or a link's. The fd's
 * kind is read from its fdinfo (prog and link fdinfo both name prog_id;
 * a map's does not): BPF_OBJ_GET_INFO_BY_FD fills whichever info struct
 * the fd's kind has, whatever the caller meant.
 */
static void note_pin(struct bpf_scan *b, const char *path)
{
	char fdinfo[64], text[1024];
	uint32_t id;
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	if (scan_read_file(fdinfo, text, sizeof(text)) > 0 && (id = scan_fdinfo_prog_id(text)))
		id_add(&b->pinned_progs, id);
	close(fd);
}

/* vigil's pin directories: bpffs_root/vigil* (one level of files). */
static void collect_vigil_pins(struct bpf_scan *b)
{
	const char *root = b->c->o->bpffs_root ? b->c->o->bpffs_root : "/sys/fs/bpf";
	DIR *d = opendir(root), *sub;
	struct dirent *de, *fe;
	char path[PATH_MAX];

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "vigil", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		sub = opendir(path);
		while (sub && (fe = readdir(sub))) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", root, de->d_name, fe->d_name);
			note_pin(b, path);
		}
		if (sub)
			closedir(sub);
	}
	if (d)
		closedir(d);
}

/* Holders of a program: of its fds, and of the fds of links to it. */
struct holders {
	uint32_t pid[HOLDERS_SHOWN];
	char comm[HOLDERS_SHOWN][VGL_COMM_LEN];
	size_t n, total;
	bool foreign;			/* a holder is not vigil */
};

static void holder_add(struct bpf_scan *b, struct holders *h, const struct scan_holder *sh)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->pid[i] == sh->tgid)
			return;
	h->total++;
	if (!is_vigil_pid(b, sh->tgid))
		h->foreign = true;
	if (h->n < HOLDERS_SHOWN) {
		h->pid[h->n] = sh->tgid;
		memcpy(h->comm[h->n], sh->comm, VGL_COMM_LEN);
		h->n++;
	}
}

struct link_view {
	uint32_t id, prog_id, type;
	char what[160];
};

static void link_describe(const struct bpf_link_info *li, char *out, size_t cap)
{
	const char *lt = libbpf_bpf_link_type_str(li->type);

	switch (li->type) {
	case BPF_LINK_TYPE_TRACING:
		snprintf(out, cap, "%s %s (btf %u:%u)", lt ? lt : "?",
			 libbpf_bpf_attach_type_str(li->tracing.attach_type) ?: "?",
			 li->tracing.target_obj_id, li->tracing.target_btf_id);
		break;
	case BPF_LINK_TYPE_CGROUP:
		snprintf(out, cap, "cgroup %s (cgroup id %llu)",
			 libbpf_bpf_attach_type_str(li->cgroup.attach_type) ?: "?",
			 (unsigned long long)li->cgroup.cgroup_id);
		break;
	case BPF_LINK_TYPE_XDP:
		snprintf(out, cap, "xdp (ifindex %u)", li->xdp.ifindex);
		break;
	case BPF_LINK_TYPE_NETNS:
		snprintf(out, cap, "netns %s",
			 libbpf_bpf_attach_type_str(li->netns.attach_type) ?: "?");
		break;
	default:
		snprintf(out, cap, "%s", lt ? lt : "unknown link");
	}
}

/* Every link: its program, holders and attach point. *nout links. */
static struct link_view *collect_links(size_t *nout)
{
	struct link_view *v = NULL;
	size_t n = 0, cap = 0;
	uint32_t id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		char tp[128] = "";
		struct bpf_link_info li = {};
		uint32_t len = sizeof(li);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		li.raw_tracepoint.tp_name = (uintptr_t)tp;
		li.raw_tracepoint.tp_name_len = sizeof(tp);
		if (bpf_obj_get_info_by_fd(fd, &li, &len) || (n == cap &&
		    !(v = reallocarray(v, cap = cap ? cap * 2 : 64, sizeof(*v))))) {
			close(fd);
			continue;
		}
		v[n] = (struct link_view){ .id = id, .prog_id = li.prog_id, .type = li.type };
		if (li.type == BPF_LINK_TYPE_RAW_TRACEPOINT)
			snprintf(v[n].what, sizeof(v[n].what), "raw_tracepoint %s", tp);
		else
			link_describe(&li, v[n].what, sizeof(v[n].what));
		n++;
		close(fd);
	}
	*nout = n;
	return v;
}

static bool risky_type(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:		/* kprobes, uprobes: hooking syscalls */
	case BPF_PROG_TYPE_TRACING:		/* fentry/fexit/fmod_ret */
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_SCHED_CLS:		/* tc: hiding and redirecting traffic */
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_EXT:
		return true;
	}
	return false;
}

/* Flags for calls to helpers that rewrite user memory or return values:
 * the xlated image keeps helper calls as offsets from __bpf_call_base. */
static uint32_t risky_helpers(struct bpf_scan *b, int fd, uint32_t xlated_len)
{
	struct bpf_prog_info pi = {};
	struct bpf_insn *insns;
	uint32_t len = sizeof(pi), flags = 0;

	if (!b->call_base || !xlated_len || xlated_len > (1u << 24) ||
	    !(insns = malloc(xlated_len)))
		return 0;
	pi.xlated_prog_len = xlated_len;
	pi.xlated_prog_insns = (uintptr_t)insns;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
		for (size_t i = 0; i < xlated_len / sizeof(*insns); i++) {
			uint64_t target;

			if (insns[i].code != (BPF_JMP | BPF_CALL) || insns[i].src_reg)
				continue;
			target = b->call_base + (int64_t)insns[i].imm;
			if (b->write_user && target == b->write_user)
				flags |= VGL_SCAN_F_WRITE_USER | VGL_SCAN_F_RISKY;
			if (b->override && target == b->override)
				flags |= VGL_SCAN_F_OVERRIDE | VGL_SCAN_F_RISKY;
		}
	}
	free(insns);
	return flags;
}

static void describe(struct scan_finding *f, const struct bpf_prog_info *pi,
		     const struct holders *h, const struct link_view *links, size_t nlinks)
{
	size_t o = 0, cap = sizeof(f->detail);

	o += snprintf(f->detail + o, cap - o, "BPF program %u '%s' (%s, uid %u)", pi->id,
		      pi->name, f->bpf_type, pi->created_by_uid);
	for (size_t i = 0; i < nlinks && o < cap; i++)
		if (links[i].prog_id == pi->id)
			o += snprintf(f->detail + o, cap - o, "; link %u: %s", links[i].id,
				      links[i].what);
	if (o < cap && !h->total)
		o += snprintf(f->detail + o, cap - o, "; held by no process (pinned or attached)");
	for (size_t i = 0; i < h->n && o < cap; i++)
		o += snprintf(f->detail + o, cap - o, "%s%u/%s", i ? ", " : "; held by ", h->pid[i],
			      h->comm[i]);
	if (o < cap && h->total > h->n)
		o += snprintf(f->detail + o, cap - o, " and %zu more", h->total - h->n);
	if (o < cap && (f->flags & VGL_SCAN_F_WRITE_USER))
		o += snprintf(f->detail + o, cap - o, "; calls bpf_probe_write_user");
	if (o < cap && (f->flags & VGL_SCAN_F_OVERRIDE))
		snprintf(f->detail + o, cap - o, "; calls bpf_override_return");
}

static void helper_addresses(struct bpf_scan *b);

static void check_prog(struct bpf_scan *b, uint32_t id, const struct link_view *links,
		       size_t nlinks)
{
	struct scan_ctx *c = b->c;
	struct bpf_prog_info pi = {};
	struct holders h = {};
	uint32_t len = sizeof(pi);
	int fd = bpf_prog_get_fd_by_id(id);
	const char *type;

	if (fd < 0)
		return;		/* unloaded in between */
	if (bpf_obj_get_info_by_fd(fd, &pi, &len))
		goto out;
	for (size_t i = 0; i < c->nholders; i++) {
		const struct scan_holder *sh = &c->holders[i];
		bool mine = sh->kind == SCAN_ITER_PROG && sh->id == id;

		for (size_t k = 0; !mine && k < nlinks; k++)
			mine = sh->kind == SCAN_ITER_LINK && sh->id == links[k].id &&
			       links[k].prog_id == id;
		if (mine)
			holder_add(b, &h, sh);
	}
	if (vigil_name(pi.name) && !h.foreign && (h.total || id_has(&b->pinned_progs, id)))
		goto out;	/* vigil's own */

	struct scan_finding f = { .check = VGL_SCAN_BPF_PROG, .id = id };

	type = libbpf_bpf_prog_type_str(pi.type);
	snprintf(f.bpf_type, sizeof(f.bpf_type), "%s", type ? type : "unknown");
	snprintf(f.subject, sizeof(f.subject), "%s", pi.name[0] ? pi.name : "(no name)");
	if (risky_type(pi.type))
		f.flags |= VGL_SCAN_F_RISKY;
	if (!b->helpers_known) {	/* kallsyms costs ~40 ms: only for foreign programs */
		helper_addresses(b);
		b->helpers_known = true;
	}
	f.flags |= risky_helpers(b, fd, pi.xlated_prog_len);
	if (!h.total)
		f.flags |= VGL_SCAN_F_NO_HOLDER;
	if (h.n) {
		const struct scan_task *t = scan_task_find(c, h.pid[0]);

		f.pid = h.pid[0];
		memcpy(f.comm, h.comm[0], sizeof(f.comm));
		f.start_ns = t ? t->start_ns : 0;
	}
	describe(&f, &pi, &h, links, nlinks);
	scan_emit(c, SCAN_CHK_BPF, &f);
out:
	close(fd);
}

static void helper_addresses(struct bpf_scan *b)
{
	static const char *const names[] = { "__bpf_call_base", "bpf_probe_write_user",
					     "bpf_override_return" };
	uint64_t a[3];

	if (scan_kallsyms(b->c))
		return;
	scan_kallsyms_lookup(b->c->kallsyms, b->c->kallsyms_len, names, 3, a);
	b->call_base = a[0];
	b->write_user = a[1];
	b->override = a[2];
}

void scan_check_bpf(struct scan_ctx *c, struct scan_check_result *res)
{
	struct bpf_scan *b = calloc(1, sizeof(*b));
	struct link_view *links = NULL;
	size_t nlinks = 0;
	uint32_t id = 0;

	if (!b) {
		scan_status(res, SCAN_FAILED, "out of memory");
		return;
	}
	b->c = c;
	if (bpf_prog_get_next_id(0, &id) && errno != ENOENT) {
		scan_status(res, errno == EPERM ? SCAN_NOT_AVAILABLE : SCAN_FAILED,
			    "cannot enumerate BPF programs: %s", strerror(errno));
		goto out;
	}
	if (c->iter_err)	/* still worth running: holders are then unknown */
		scan_status(res, SCAN_RAN, "holders unknown: %s", c->iter_why);
	exe_of(c->proc, c->self, b->self_exe, sizeof(b->self_exe));
	collect_vigil_pins(b);
	links = collect_links(&nlinks);
	for (id = 0; !bpf_prog_get_next_id(id, &id);) {
		res->examined++;
		check_prog(b, id, links, nlinks);
	}
out:
	free(links);
	exehash_free(b->hashes);
	free(b);
}
