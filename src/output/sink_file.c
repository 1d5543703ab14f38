// SPDX-License-Identifier: GPL-2.0
/*
 * sink_file.c - alerts as lines in a file or on stdout: JSON lines or text
 * (coloured by severity on a terminal), with size-based rotation
 * (path -> path.1 -> ... -> path.<keep>) and reopening after a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "output/sink_impl.h"

struct file_sink {
	char *path;		/* NULL: stdout */
	int fd;			/* -1: to be (re)opened */
	uint64_t size;		/* bytes in the current file */
	enum sink_format format;
	uint64_t rotate_bytes;
	unsigned keep;
	bool color;
};

/* ANSI colours by syslog severity: the worse, the louder. */
static const char *severity_color(int severity)
{
	static const char *const colors[] = {
		"\033[1;41;97m", "\033[1;41;97m", "\033[1;31m", "\033[31m",
		"\033[33m", "\033[36m", "\033[32m", "\033[2m",
	};

	return colors[severity < 0 ? 0 : severity > 7 ? 7 : severity];
}

static int file_render(struct sink *s, const struct out_record *r, struct json *out)
{
	struct file_sink *f = s->priv;

	if (f->format == SINK_FORMAT_JSON) {
		const char *js = sink_str(r->json);
		size_t n = r->json_len ? r->json_len : strlen(js);

		json_appendf(out, "%.*s\n", (int)n, js);
	} else if (f->color) {
		json_appendf(out, "%s%s\033[0m\n", severity_color(r->severity), sink_str(r->text));
	} else {
		json_appendf(out, "%s\n", sink_str(r->text));
	}
	return 0;
}

static int file_reopen(struct sink *s, struct file_sink *f)
{
	struct stat st;

	if (!f->path) {
		f->fd = STDOUT_FILENO;
		return 0;
	}
	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (f->fd < 0) {
		int e = errno;

		snprintf(s->error, sizeof(s->error), "file: cannot open '%s': %s", f->path,
			 strerror(e));
		return -e;
	}
	f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static void file_close_fd(struct file_sink *f)
{
	if (f->fd > STDERR_FILENO)
		close(f->fd);
	f->fd = -1;
}

/* path.<keep> is deleted, path.<i> becomes path.<i+1>, path becomes path.1. */
static void file_rotate(struct sink *s, struct file_sink *f)
{
	char from[PATH_MAX], to[PATH_MAX];

	file_close_fd(f);
	for (unsigned i = f->keep; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", f->path);
		else
			snprintf(from, sizeof(from), "%s.%u", f->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", f->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			log_warn("output '%s': cannot rotate '%s' to '%s': %s", s->name, from, to,
				 strerror(errno));
	}
	if (f->keep == 0 && unlink(f->path) < 0 && errno != ENOENT)
		log_warn("output '%s': cannot remove '%s': %s", s->name, f->path, strerror(errno));
}

static int file_write_all(struct file_sink *f, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(f->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
		f->size += n;
	}
	return 0;
}

static int file_send(struct sink *s, const char *buf, size_t len)
{
	struct file_sink *f = s->priv;
	uint64_t before;
	int rc;

	if (f->fd < 0 && (rc = file_reopen(s, f)) < 0)
		return rc;
	if (f->path && f->rotate_bytes && f->size && f->size + len > f->rotate_bytes) {
		file_rotate(s, f);
		if ((rc = file_reopen(s, f)) < 0)
			return rc;
	}
	before = f->size;
	rc = file_write_all(f, buf, len);
	if (!rc)
		return 0;
	snprintf(s->error, sizeof(s->error), "file: cannot write '%s': %s",
		 f->path ? f->path : "<stdout>", strerror(-rc));
	/* no half line: the retry writes the whole record again */
	if (f->path && ftruncate(f->fd, before) == 0)
		f->size = before;
	file_close_fd(f);
	return rc;
}

static void file_destroy(struct sink *s)
{
	struct file_sink *f = s->priv;

	if (!f)
		return;
	if (f->path && f->fd >= 0 && fdatasync(f->fd) < 0 && errno != EINVAL)
		log_warn("output '%s': cannot sync '%s': %s", s->name, f->path, strerror(errno));
	file_close_fd(f);
	free(f->path);
	free(f);
	s->priv = NULL;
}

static const struct sink_ops file_ops = {
	.render = file_render,
	.send = file_send,
	.destroy = file_destroy,
};

int sink_file_init(struct sink *s, const struct sink_file_options *o, char *err, size_t errlen)
{
	struct file_sink *f = calloc(1, sizeof(*f));
	bool to_stdout = !o->path || !strcmp(o->path, "-");
	int rc;

	if (!f || (!to_stdout && !(f->path = strdup(o->path)))) {
		free(f);
		snprintf(err, errlen, "file: out of memory");
		return -ENOMEM;
	}
	f->format = o->format;
	f->rotate_bytes = o->rotate_bytes;
	f->keep = o->keep;
	f->fd = -1;
	s->priv = f;
	s->ops = &file_ops;
	/* open now so a bad path is a start-up error, not a silent retry loop */
	rc = file_reopen(s, f);
	if (rc) {
		snprintf(err, errlen, "%s", s->error);
		return rc;
	}
	f->color = o->format == SINK_FORMAT_TEXT &&
		   (o->color > 0 || (o->color < 0 && isatty(f->fd)));
	return 0;
}
