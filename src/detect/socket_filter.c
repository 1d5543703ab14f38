// SPDX-License-Identifier: GPL-2.0
/* socket_filter.c - see socket_filter.h. */
#include <stdint.h>
#include <string.h>
#include "detect/socket_filter.h"
#include "detect/expr.h"
#include "vigil_abi.h"

enum tv { TV_FALSE, TV_TRUE, TV_UNKNOWN };

/* The value of a comparison of a bool field that is false (values hold 0 or 1). */
static enum tv false_field(const struct expr *x, const struct expr_node *n)
{
	struct expr_value v;
	bool any_false = false;

	if (n->op == EXPR_OP_TRUE)
		return TV_FALSE;
	if (n->op != EXPR_OP_EQ && n->op != EXPR_OP_NE && n->op != EXPR_OP_IN)
		return TV_UNKNOWN;
	for (size_t i = 0; i < n->nvals; i++) {
		expr_value_at(x, i, &v);
		any_false |= v.i == 0;
	}
	/* field = false and field in (.., false, ..) hold; != false does not */
	return any_false == (n->op != EXPR_OP_NE) ? TV_TRUE : TV_FALSE;
}

/* Kleene logic over an ordinary socket: is_raw and is_packet are false,
 * everything else unknown. */
static enum tv ordinary_socket(const struct expr *x)
{
	struct expr_node n;
	enum tv l, r;

	expr_inspect(x, &n);
	switch (n.kind) {
	case EXPR_AND:
		l = ordinary_socket(n.l);
		r = ordinary_socket(n.r);
		return l == TV_FALSE || r == TV_FALSE ? TV_FALSE :
		       l == TV_TRUE && r == TV_TRUE ? TV_TRUE : TV_UNKNOWN;
	case EXPR_OR:
		l = ordinary_socket(n.l);
		r = ordinary_socket(n.r);
		return l == TV_TRUE || r == TV_TRUE ? TV_TRUE :
		       l == TV_FALSE && r == TV_FALSE ? TV_FALSE : TV_UNKNOWN;
	case EXPR_NOT:
		l = ordinary_socket(n.l);
		return l == TV_UNKNOWN ? TV_UNKNOWN : l == TV_TRUE ? TV_FALSE : TV_TRUE;
	case EXPR_CMP:
		if (n.field && (!strcmp(n.field->name, "net.is_raw") ||
				!strcmp(n.field->name, "net.is_packet")))
			return false_field(x, &n);
		return TV_UNKNOWN;
	}
	return TV_UNKNOWN;
}

bool socket_filter_needs_all(const struct ruleset *rs, const char **why)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = rs->rules[i];

		if (!(r->events & EVENT_BIT(VGL_EV_SOCKET)) || !r->cond)
			continue;
		if (ordinary_socket(r->cond) != TV_FALSE) {
			*why = r->id;
			return true;
		}
	}
	return false;
}
