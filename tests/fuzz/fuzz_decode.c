// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_decode.c - libFuzzer target: any bytes as a ring-buffer record must
 * be rejected or decoded and formatted, never read out of bounds (make fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "decode/decode.h"
#include "output/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct enriched_event e = { 0 };
	struct json j;
	void *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (decode_record(copy, size, &e.v) == DECODE_OK) {
		json_init(&j);
		format_json(&j, &e);
		format_text(&j, &e);
		json_free(&j);
	}
	free(copy);
	return 0;
}
