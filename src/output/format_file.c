// SPDX-License-Identifier: GPL-2.0
/* format_file.c - bodies of file events. (being written) */
#include "output/format.h"

void format_file_body(struct json *j, const struct event_view *v)
{
}
