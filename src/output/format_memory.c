// SPDX-License-Identifier: GPL-2.0
/* format_memory.c - bodies of memfd_create and mmap_exec events. */
#include <stdio.h>
#include <sys/syscall.h>
#include "output/format.h"

struct flag_name {
	uint32_t bit;
	const char *name;
};

static const struct flag_name prot_names[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" },
};

/* MAP_SHARED, MAP_PRIVATE and MAP_SHARED_VALIDATE share the low two bits:
 * written by format_map_flags, not listed here. */
static const struct flag_name map_names[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" }, { 0x100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" },
};

/* bits 26..31 of memfd flags are the huge page size (MFD_HUGE_*) */
#define MFD_HUGE_MASK (0x3fu << 26)

static const struct flag_name mfd_names[] = {
	{ 0x1, "MFD_CLOEXEC" }, { 0x2, "MFD_ALLOW_SEALING" }, { 0x4, "MFD_HUGETLB" },
	{ 0x8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Write the names of the known bits of v; what is left as one hex string. */
static void flag_names(struct json *j, uint32_t v, const struct flag_name *tab, size_t n)
{
	char tmp[16];

	for (size_t i = 0; i < n; i++) {
		if (v & tab[i].bit) {
			json_str(j, tab[i].name);
			v &= ~tab[i].bit;
		}
	}
	if (v) {
		snprintf(tmp, sizeof(tmp), "0x%x", v);
		json_str(j, tmp);
	}
}

static void kv_flags(struct json *j, const char *key, uint32_t v, const struct flag_name *tab,
		     size_t n)
{
	json_key(j, key);
	json_arr_begin(j);
	flag_names(j, v, tab, n);
	json_arr_end(j);
}

static void kv_map_flags(struct json *j, uint32_t flags)
{
	static const char *const share[] = { NULL, "MAP_SHARED", "MAP_PRIVATE",
					     "MAP_SHARED_VALIDATE" };

	json_key(j, "flags");
	json_arr_begin(j);
	if (flags & 0x3)
		json_str(j, share[flags & 0x3]);
	flag_names(j, flags & ~0x3u, map_names, ARRAY_LEN(map_names));
	json_arr_end(j);
}

static void kv_hex(struct json *j, const char *key, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "0x%llx", (unsigned long long)v);
	json_kv_str(j, key, tmp);
}

static const char *mem_syscall_name(uint16_t nr)
{
	switch (nr) {
	case SYS_mmap: return "mmap";
	case SYS_mprotect: return "mprotect";
	case SYS_pkey_mprotect: return "pkey_mprotect";
	case SYS_memfd_create: return "memfd_create";
	}
	return "unknown";
}

static void format_memfd(struct json *j, const struct event_view *v, const struct vgl_mem *m)
{
	kv_flags(j, "flags", m->flags & ~MFD_HUGE_MASK, mfd_names, ARRAY_LEN(mfd_names));
	if (m->flags & MFD_HUGE_MASK)	/* log2 of the page size, as MFD_HUGE_2MB = 21 << 26 */
		json_kv_u64(j, "huge_page_shift", (m->flags & MFD_HUGE_MASK) >> 26);
	json_kv_i64(j, "fd", m->fd);
	format_str(j, "name", &v->strs[VGL_MEM_S_NAME]);
}

static void format_mmap_exec(struct json *j, const struct event_view *v, const struct vgl_mem *m)
{
	bool is_mmap = m->syscall == SYS_mmap;

	kv_hex(j, "addr", m->addr);
	json_kv_u64(j, "len", m->len);
	kv_flags(j, "prot", m->prot, prot_names, ARRAY_LEN(prot_names));
	if (is_mmap)
		kv_map_flags(j, m->flags);
	json_kv_bool(j, "anonymous", m->anon);
	json_kv_bool(j, "was_writable", m->was_writable);
	if (!is_mmap) {
		/* 0 means the mapping could not be looked at (see docs) */
		json_kv_bool(j, "mapping_known", m->vm_flags != 0);
		kv_hex(j, "vm_flags", m->vm_flags);
		json_kv_bool(j, "was_executable", m->vm_flags & 0x4 /* VM_EXEC */);
	}
	json_kv_i64(j, "fd", m->fd);
	format_str(j, "path", &v->strs[VGL_MEM_S_NAME]);
}

void format_memory_body(struct json *j, const struct event_view *v)
{
	const struct vgl_mem *m = EV_BODY(v, vgl_mem);

	json_key(j, "mem");
	json_obj_begin(j);
	json_kv_str(j, "syscall", mem_syscall_name(m->syscall));
	if (v->hdr->type == VGL_EV_MEMFD_CREATE)
		format_memfd(j, v, m);
	else
		format_mmap_exec(j, v, m);
	json_obj_end(j);
}
