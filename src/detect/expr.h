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
 * Read-only view of one node, for compilers that translate a condition into
 * another form (the in-kernel enforcement maps). Macros are followed: a
 * macro node is viewed as the node of its body.
 */
enum expr_node_kind { EXPR_AND, EXPR_OR, EXPR_NOT, EXPR_CMP };
enum expr_op {
	EXPR_OP_EQ, EXPR_OP_NE, EXPR_OP_LT, EXPR_OP_LE, EXPR_OP_GT, EXPR_OP_GE, EXPR_OP_IN,
	EXPR_OP_STARTSWITH, EXPR_OP_ENDSWITH, EXPR_OP_CONTAINS, EXPR_OP_ICONTAINS, EXPR_OP_GLOB,
	EXPR_OP_TRUE,		/* a bool field alone */
};

struct expr_value {
	const char *s;		/* text form (strings, numbers, addresses) */
	size_t len;
	int64_t i;		/* when the text is a number */
	const uint8_t *addr;	/* address values: 4 or 16 bytes, else NULL */
	uint8_t addr_len;
	uint8_t prefix;		/* CIDR prefix length */
};

struct expr_node {
	enum expr_node_kind kind;
	const struct expr *l, *r;	/* AND, OR: both; NOT: l */
	const struct field_def *field;	/* CMP */
	int idx;			/* CMP: ancestor index, -1 without [N] on an indexed field */
	enum expr_op op;		/* CMP */
	size_t nvals;			/* CMP */
};

void expr_inspect(const struct expr *x, struct expr_node *out);

/* Value i (< nvals) of a CMP node. */
void expr_value_at(const struct expr *x, size_t i, struct expr_value *out);

/*
 * Event types for which x can be true: derived from evt.type tests and
 * from the fields tested (net.dport only exists on network events).
 */
event_mask_t expr_event_types(const struct expr *x);

#endif
