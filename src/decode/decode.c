// SPDX-License-Identifier: GPL-2.0
/* decode.c - see decode.h. Every length comes from the record, so every
 * one is checked against the record size before it is used. */
#include <string.h>
#include "decode/decode.h"
#include "sensor/event_table.h"

enum decode_error decode_record(const void *data, size_t size, struct event_view *out)
{
	const struct vgl_hdr *h = data;
	const struct event_type_info *info;
	const uint8_t *p, *end;

	memset(out, 0, sizeof(*out));
	if (size < sizeof(*h))
		return DECODE_SHORT;
	if (h->size > size || h->size < sizeof(*h))
		return DECODE_SIZE;
	info = event_info(h->type);
	if (!info)
		return DECODE_TYPE;
	if (h->size < sizeof(*h) + info->body_size)
		return DECODE_SHORT;

	out->hdr = h;
	out->body = (const uint8_t *)data + sizeof(*h);
	p = (const uint8_t *)out->body + info->body_size;
	end = (const uint8_t *)data + h->size;
	for (unsigned int i = 0; i < h->nr_strs; i++) {
		uint16_t len;

		if (end - p < (ptrdiff_t)sizeof(len))
			return DECODE_STRINGS;
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		if (end - p < len)
			return DECODE_STRINGS;
		if (i < VGL_MAX_STRS) {
			out->strs[i].ptr = (const char *)p;
			out->strs[i].len = len;
		}
		p += len;
	}
	out->nr_strs = h->nr_strs < VGL_MAX_STRS ? h->nr_strs : VGL_MAX_STRS;
	for (unsigned int i = out->nr_strs; i < VGL_MAX_STRS; i++)
		out->strs[i].ptr = "";
	return DECODE_OK;
}

const char *decode_error_str(enum decode_error e)
{
	switch (e) {
	case DECODE_OK: return "ok";
	case DECODE_SHORT: return "record too short";
	case DECODE_SIZE: return "record size mismatch";
	case DECODE_TYPE: return "unknown event type";
	case DECODE_STRINGS: return "string runs past the record";
	}
	return "?";
}
