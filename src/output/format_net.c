// SPDX-License-Identifier: GPL-2.0
/* format_net.c - bodies of net events. (being written) */
#include "output/format.h"

void format_net_body(struct json *j, const struct event_view *v)
{
}
