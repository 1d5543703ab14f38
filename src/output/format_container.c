// SPDX-License-Identifier: GPL-2.0
/* format_container.c - bodies of the container events: the kernel's cgroup
 * record and the lifecycle records userspace makes from it. */
#include <string.h>
#include "output/format.h"

static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case VGL_CTR_CREATED: return "created";
	case VGL_CTR_FOUND: return "found";
	case VGL_CTR_REMOVED: return "removed";
	}
	return "unknown";
}

void format_container_body(struct json *j, const struct event_view *v)
{
	if (v->hdr->type == VGL_EV_CGROUP) {
		const struct vgl_cgroup *cg = EV_BODY(v, vgl_cgroup);

		json_key(j, "cgroup");
		json_obj_begin(j);
		json_kv_str(j, "op", cg->op == VGL_CGROUP_MKDIR ? "mkdir" : "rmdir");
		json_kv_u64(j, "id", cg->id);
		json_kv_u64(j, "level", cg->level);
		format_str(j, "path", &v->strs[VGL_CGROUP_S_PATH]);
		json_obj_end(j);
		return;
	}
	json_key(j, "lifecycle");
	json_obj_begin(j);
	json_kv_str(j, "reason", reason_name(EV_BODY(v, vgl_container)->reason));
	json_obj_end(j);
}
