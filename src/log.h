/* SPDX-License-Identifier: GPL-2.0 */
/* log.h - vigil's own operational log (stderr), with levels. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Route libbpf's own messages into our log (warnings and above unless -v). */
void log_route_libbpf(void);

#endif
