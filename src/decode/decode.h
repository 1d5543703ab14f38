/* SPDX-License-Identifier: GPL-2.0 */
/*
 * decode.h - turn a raw ring-buffer record into a checked view. Nothing is
 * copied: the view points into the record, which lives only for the
 * duration of the ring-buffer callback.
 */
#ifndef VIGIL_DECODE_H
#define VIGIL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"

struct vgl_str {
	const char *ptr;	/* not NUL-terminated */
	uint16_t len;
};

struct event_view {
	const struct vgl_hdr *hdr;
	const void *body;		/* type-specific struct */
	struct vgl_str strs[VGL_MAX_STRS];	/* missing strings are empty */
	uint8_t nr_strs;
};

enum decode_error {
	DECODE_OK = 0,
	DECODE_SHORT,		/* record smaller than its header or body */
	DECODE_SIZE,		/* header size disagrees with the record */
	DECODE_TYPE,		/* unknown event type */
	DECODE_STRINGS,		/* a string runs past the record */
};

/* Validate and map a record. Returns DECODE_OK or the first problem. */
enum decode_error decode_record(const void *data, size_t size, struct event_view *out);

const char *decode_error_str(enum decode_error e);

/* Typed access to the body. */
#define EV_BODY(v, type) ((const struct type *)(v)->body)

#endif
