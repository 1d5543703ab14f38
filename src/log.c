// SPDX-License-Identifier: GPL-2.0
/*
 * log.c - leveled log lines on stderr: "vigil: level: message". When stderr
 * is connected to the journal (systemd sets JOURNAL_STREAM to its device
 * and inode), each line starts with the syslog priority ("<3>") instead,
 * which journald turns into the entry's level. Each line is written with
 * one write(2), so the threads' lines never interleave.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "log.h"

static enum log_level current_level = LOG_INFO;
static int to_journal = -1;	/* -1: not checked yet */

static const int syslog_priority[] = {
	[LOG_ERROR] = 3, [LOG_WARN] = 4, [LOG_INFO] = 6, [LOG_DEBUG] = 7,
};

static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && !fstat(STDERR_FILENO, &st) &&
	       st.st_dev == dev && st.st_ino == ino;
}

static const char *const level_names[] = {
	[LOG_ERROR] = "error", [LOG_WARN] = "warning", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

/* One line: prefix, message, newline, in a single write. */
static void log_line(enum log_level level, const char *prefix, const char *fmt, va_list ap)
{
	char head[64], *body = NULL, *line = NULL;
	int n;

	if (to_journal < 0)
		to_journal = stderr_is_journal();
	if (to_journal)
		snprintf(head, sizeof(head), "<%d>%s", syslog_priority[level], prefix);
	else
		snprintf(head, sizeof(head), "vigil: %s", prefix);
	/* allocated: a verifier log runs to megabytes and must reach the user whole */
	if (vasprintf(&body, fmt, ap) < 0)
		return;
	n = asprintf(&line, "%s%s%s", head, body,
		     body[0] && body[strlen(body) - 1] == '\n' ? "" : "\n");
	free(body);
	if (n < 0)
		return;
	fflush(stderr);
	if (write(STDERR_FILENO, line, n) < 0)
		n = 0;	/* nowhere left to say it */
	free(line);
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char prefix[32];

	if (level > current_level)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", level_names[level]);
	log_line(level, prefix, fmt, ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level ours = level == LIBBPF_WARN ? LOG_WARN : LOG_DEBUG;

	if (ours > current_level)
		return 0;
	log_line(ours, "libbpf: ", fmt, ap);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
