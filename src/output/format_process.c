// SPDX-License-Identifier: GPL-2.0
/* format_process.c - bodies of exec, fork and exit events. */
#include <signal.h>
#include <string.h>
#include "output/format.h"

static const char *const fd_kind_names[] = {
	[VGL_FD_NONE] = "none", [VGL_FD_FILE] = "file", [VGL_FD_DIR] = "dir",
	[VGL_FD_TTY] = "tty", [VGL_FD_CHAR] = "char", [VGL_FD_PIPE] = "pipe",
	[VGL_FD_SOCKET] = "socket", [VGL_FD_OTHER] = "other",
};

static const char *fd_kind_name(uint8_t k)
{
	return k < sizeof(fd_kind_names) / sizeof(fd_kind_names[0]) ? fd_kind_names[k] : "other";
}

/* argv as a JSON array: the block is NUL-separated. */
static void format_argv(struct json *j, const struct vgl_str *s)
{
	size_t start = 0;

	json_key(j, "args");
	json_arr_begin(j);
	for (size_t i = 0; i < s->len; i++) {
		if (s->ptr[i] == '\0') {
			json_strn(j, s->ptr + start, i - start);
			start = i + 1;
		}
	}
	if (start < s->len)	/* truncated last argument */
		json_strn(j, s->ptr + start, s->len - start);
	json_arr_end(j);
}

static void format_exec(struct json *j, const struct event_view *v)
{
	const struct vgl_exec *x = EV_BODY(v, vgl_exec);

	json_key(j, "exec");
	json_obj_begin(j);
	format_str(j, "path", &v->strs[VGL_EXEC_S_PATH]);
	format_str(j, "filename", &v->strs[VGL_EXEC_S_FILENAME]);
	if (x->flags & VGL_EXEC_SCRIPT)
		format_str(j, "interpreter", &v->strs[VGL_EXEC_S_INTERP]);
	format_argv(j, &v->strs[VGL_EXEC_S_ARGS]);
	json_kv_u64(j, "argc", x->argc);
	json_kv_bool(j, "args_truncated", x->flags & VGL_EXEC_ARGS_TRUNC);
	format_str(j, "cwd", &v->strs[VGL_EXEC_S_CWD]);
	if (v->hdr->ret == 0) {
		json_kv_u64(j, "ino", x->ino);
		format_dev(j, "dev", x->dev);
		format_mode(j, "mode", x->mode);
		json_kv_u64(j, "file_uid", x->file_uid);
		json_kv_u64(j, "file_gid", x->file_gid);
		json_kv_u64(j, "ctime_ns", x->ctime_ns);
	}
	json_kv_bool(j, "is_memfd", x->flags & VGL_EXEC_MEMFD);
	json_kv_bool(j, "is_deleted", x->flags & VGL_EXEC_DELETED);
	json_kv_bool(j, "on_tmpfs", x->flags & VGL_EXEC_TMPFS);
	json_kv_bool(j, "in_tmp_dir", x->flags & VGL_EXEC_TMPDIR);
	json_kv_bool(j, "written_after_start", x->flags & VGL_EXEC_WRITTEN);
	json_kv_bool(j, "upper_layer", x->flags & VGL_EXEC_UPPER_LAYER);
	json_kv_bool(j, "setuid", x->flags & VGL_EXEC_SETUID);
	json_kv_bool(j, "is_script", x->flags & VGL_EXEC_SCRIPT);
	json_kv_bool(j, "path_truncated", x->flags & VGL_EXEC_PATH_TRUNC);
	json_kv_bool(j, "outside_root", x->flags & VGL_EXEC_OUTSIDE_ROOT);
	json_kv_bool(j, "protected", x->flags & VGL_EXEC_PROTECTED);
	json_kv_bool(j, "execer_protected", x->flags & VGL_EXEC_EXECER_PROTECTED);
	if (x->flags & VGL_EXEC_LD_PRELOAD)
		format_str(j, "ld_preload", &v->strs[VGL_EXEC_S_LD_PRELOAD]);
	json_key(j, "stdio");
	json_arr_begin(j);
	for (int i = 0; i < 3; i++)
		json_str(j, fd_kind_name(x->stdio[i]));
	json_arr_end(j);
	/* inodes link a pipeline's ends: the writer's stdout, the reader's stdin */
	json_key(j, "stdio_ino");
	json_arr_begin(j);
	for (int i = 0; i < 3; i++)
		json_u64(j, x->stdio_ino[i]);
	json_arr_end(j);
	json_obj_end(j);
}

static void format_fork(struct json *j, const struct event_view *v)
{
	const struct vgl_fork *f = EV_BODY(v, vgl_fork);

	json_key(j, "fork");
	json_obj_begin(j);
	json_kv_u64(j, "child_pid", f->child_pid);
	json_kv_u64(j, "child_start_ns", f->child_start_ns);
	json_obj_end(j);
}

static void format_exit(struct json *j, const struct event_view *v)
{
	const struct vgl_exit *x = EV_BODY(v, vgl_exit);

	json_key(j, "exit");
	json_obj_begin(j);
	json_kv_i64(j, "code", x->code);
	json_kv_i64(j, "signal", x->signal);
	if (x->signal && sigabbrev_np(x->signal))
		json_kv_str(j, "signal_name", sigabbrev_np(x->signal));
	json_kv_bool(j, "core_dumped", x->core_dumped);
	json_obj_end(j);
}

void format_process_body(struct json *j, const struct event_view *v)
{
	switch (v->hdr->type) {
	case VGL_EV_EXEC: format_exec(j, v); break;
	case VGL_EV_FORK: format_fork(j, v); break;
	case VGL_EV_EXIT: format_exit(j, v); break;
	}
}
