/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netblock_compile.h - `action: block` rules compiled to what the cgroup
 * connect/sendmsg hooks evaluate (struct vgl_nb_set, address tries, port
 * map; see vigil_abi.h).
 *
 * A condition is put in disjunctive normal form over the atoms a socket
 * hook can decide before the call happens: destination address or CIDR
 * (net.daddr = / in / !=), destination port (net.dport = / in / !=),
 * net.proto tcp/udp, net.family, container.is, container.id = / != host,
 * and evt.type (true for connect). Each address or port comparison gets a
 * fact bit; every disjunct becomes a term of must / must_not bits. Rule
 * exceptions become exception terms of the rule's slot and must compile
 * too. A rule with anything else is left to userspace (would_block), with
 * the reason in why: the kernel never enforces part of a rule.
 */
#ifndef VIGIL_NETBLOCK_COMPILE_H
#define VIGIL_NETBLOCK_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vigil_abi.h"
#include "detect/policy.h"

struct nb_rule_plan {
	const struct rule *rule;
	bool kernel;		/* enforced by the hooks */
	int slot;		/* -1 when not */
	char why[160];		/* why not */
};

/* One trie entry: bits are those of every set whose prefix covers it,
 * since the trie answers with the longest match only. */
struct nb_prefix {
	uint8_t addr[16];	/* host bits cleared */
	uint8_t len;		/* 4 or 16 */
	uint8_t prefix;		/* bits */
	uint64_t own;		/* sets that name this prefix */
	uint64_t bits;		/* own, plus those of shorter covering prefixes */
};

struct nb_port {
	uint16_t port;
	uint64_t bits;
};

/* An address or port comparison of some rule: one fact bit. */
struct nb_atom {
	const struct expr *x;
	uint8_t bit;
};

struct nb_plan {
	struct vgl_nb_set set;
	struct nb_rule_plan *rules;	/* every block rule, in policy order */
	size_t nrules;
	struct nb_prefix *prefixes;
	size_t nprefixes;
	struct nb_port *ports;
	size_t nports;
	struct nb_atom atoms[64 - VGL_NB_FIXED];
	size_t natoms;
	uint32_t nslots;
};

/* Compile the block rules of rs; each kernel slot gets actions_per_sec
 * (0: unlimited). 0 or -ENOMEM; rules that do not compile are never an
 * error. */
int nb_plan_build(const struct ruleset *rs, uint32_t actions_per_sec, struct nb_plan **out);
void nb_plan_free(struct nb_plan *p);

/* The plan's entry for ruleset index i, or NULL when i is not a block rule. */
const struct nb_rule_plan *nb_plan_rule_at(const struct nb_plan *p, uint32_t index);

/* One connect or sendmsg as a hook sees it. */
struct nb_attempt {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP, ... */
	bool in_container;
	uint8_t addr[16];	/* IPv4 in the first 4 bytes */
	uint16_t port;
};

/* What the hooks decide for a (budget aside): the ruleset index of the
 * rule that blocks it, or -1. The same evaluation as netblock.bpf.c. */
int nb_plan_decide(const struct nb_plan *p, const struct nb_attempt *a);

#endif
