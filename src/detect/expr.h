/* SPDX-License-Identifier: GPL-2.0 */
/*
 * expr.h - rule conditions: parse once into a tree whose leaves hold the
 * resolved field and pre-parsed constants, then evaluate per event with no
 * string parsing.
 *
 *	condition := or
 *	or        := and ("or" and)*
 *	and       := not ("and" not)*
 *	not       := "not" not | "(" condition ")" | MACRO | compare
 *	compare   := FIELD["[" N "]"] [OP value]    (a bool field alone means "= true")
 *	OP        := = == != < <= > >= in startswith endswith contains icontains glob
 *	value     := WORD | 'quoted' | "quoted" | "(" item ("," item)* ")" | LIST
 *
 * Lists and macros are looked up through struct expr_scope.
 */
#ifndef VIGIL_EXPR_H
#define VIGIL_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include "detect/fields.h"

struct expr;

/* Names a condition may use besides fields. */
struct expr_scope {
	void *ctx;
	/* items of list name, or NULL; *n receives their count */
	const char *const *(*list)(void *ctx, const char *name, size_t len, size_t *n);
	/* compiled macro name, or NULL; may compile it on first use */
	const struct expr *(*macro)(void *ctx, const char *name, size_t len, char *err,
				    size_t errlen);
};

struct expr_error {
	size_t offset;		/* byte offset in the condition text */
	char msg[256];
};

/* Compile text. NULL on error, with err filled. */
struct expr *expr_compile(const char *text, const struct expr_scope *scope,
			  struct expr_error *err);

void expr_free(struct expr *x);

bool expr_eval(const struct expr *x, const struct field_ctx *c);

/*
 * Event types for which x can be true: derived from evt.type tests and
 * from the fields tested (net.dport only exists on network events).
 */
event_mask_t expr_event_types(const struct expr *x);

#endif
