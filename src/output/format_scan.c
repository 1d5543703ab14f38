// SPDX-License-Identifier: GPL-2.0
/* format_scan.c - the body of scan_finding, the integrity scanner's records. */
#include "output/format.h"
#include "scan/scan.h"

static const struct {
	uint32_t bit;
	const char *name;
} scan_flags[] = {
	{ VGL_SCAN_F_RISKY, "risky" }, { VGL_SCAN_F_CHANGED, "changed" },
	{ VGL_SCAN_F_NO_HOLDER, "no_holder" }, { VGL_SCAN_F_WRITE_USER, "probe_write_user" },
	{ VGL_SCAN_F_OVERRIDE, "override_return" },
};

void format_scan_body(struct json *j, const struct event_view *v)
{
	const struct vgl_scan *s = EV_BODY(v, vgl_scan);

	json_key(j, "scan");
	json_obj_begin(j);
	json_kv_str(j, "check", scan_check_name(s->check));
	format_str(j, "subject", &v->strs[VGL_SCAN_S_SUBJECT]);
	format_str(j, "detail", &v->strs[VGL_SCAN_S_DETAIL]);
	json_kv_u64(j, "pid", s->pid);
	if (s->id)
		json_kv_u64(j, "bpf_id", s->id);
	if (v->strs[VGL_SCAN_S_BPF_TYPE].len)
		format_str(j, "bpf_type", &v->strs[VGL_SCAN_S_BPF_TYPE]);
	if (s->ino)
		json_kv_u64(j, "ino", s->ino);
	json_key(j, "flags");
	json_arr_begin(j);
	for (size_t i = 0; i < sizeof(scan_flags) / sizeof(scan_flags[0]); i++)
		if (s->flags & scan_flags[i].bit)
			json_str(j, scan_flags[i].name);
	json_arr_end(j);
	json_obj_end(j);
}
