// SPDX-License-Identifier: GPL-2.0
/* format_memory.c - bodies of memory events. (being written) */
#include "output/format.h"

void format_memory_body(struct json *j, const struct event_view *v)
{
}
