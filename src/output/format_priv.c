// SPDX-License-Identifier: GPL-2.0
/* format_priv.c - bodies of priv events. (being written) */
#include "output/format.h"

void format_priv_body(struct json *j, const struct event_view *v)
{
}
