// SPDX-License-Identifier: GPL-2.0
/* format_net.c - bodies of socket, connect, accept, bind and listen events. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "output/format.h"
#include "sensor/event_table.h"

struct name_of {
	unsigned int value;
	const char *name;
};

static const struct name_of families[] = {
	{ AF_UNSPEC, "AF_UNSPEC" }, { AF_UNIX, "AF_UNIX" }, { AF_INET, "AF_INET" },
	{ AF_INET6, "AF_INET6" }, { AF_NETLINK, "AF_NETLINK" }, { AF_PACKET, "AF_PACKET" },
	{ AF_KEY, "AF_KEY" }, { AF_BLUETOOTH, "AF_BLUETOOTH" }, { AF_CAN, "AF_CAN" },
	{ AF_TIPC, "AF_TIPC" }, { AF_ALG, "AF_ALG" }, { AF_VSOCK, "AF_VSOCK" },
	{ AF_XDP, "AF_XDP" }, { AF_RDS, "AF_RDS" }, { AF_SMC, "AF_SMC" },
};

static const struct name_of types[] = {
	{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" }, { SOCK_RAW, "SOCK_RAW" },
	{ SOCK_RDM, "SOCK_RDM" }, { SOCK_SEQPACKET, "SOCK_SEQPACKET" },
	{ SOCK_DCCP, "SOCK_DCCP" }, { SOCK_PACKET, "SOCK_PACKET" },
};

/* IP protocol numbers; only meaningful for AF_INET and AF_INET6 */
static const struct name_of ip_protocols[] = {
	{ 0, "ip" }, { 1, "icmp" }, { 2, "igmp" }, { 6, "tcp" }, { 17, "udp" }, { 41, "ipv6" },
	{ 47, "gre" }, { 50, "esp" }, { 58, "icmpv6" }, { 132, "sctp" }, { 136, "udplite" },
	{ 255, "raw" }, { 262, "mptcp" },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "key": name when value is in the table, else the number. */
static void kv_named(struct json *j, const char *key, unsigned int value,
		     const struct name_of *tab, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tab[i].value == value) {
			json_kv_str(j, key, tab[i].name);
			return;
		}
	}
	json_kv_u64(j, key, value);
}

static bool is_inet(const struct vgl_net *n)
{
	return n->family == AF_INET || n->family == AF_INET6;
}

static void kv_addr(struct json *j, const char *key, uint16_t family, const uint8_t *addr)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, tmp, sizeof(tmp)))
		tmp[0] = '\0';
	json_kv_str(j, key, tmp);
}

/* An abstract name starts with a NUL byte: shown as '@' like ss(8) does. */
static void kv_unix_path(struct json *j, const struct vgl_str *s)
{
	json_key(j, "unix_path");
	if (s->len > 0 && s->ptr[0] == '\0') {
		char tmp[1 + 108];
		size_t len = s->len < sizeof(tmp) ? s->len : sizeof(tmp);

		tmp[0] = '@';
		memcpy(tmp + 1, s->ptr + 1, len - 1);
		json_strn(j, tmp, len);
	} else {
		json_strn(j, s->ptr, s->len);
	}
}

/* The addresses that mean something for this event type. */
static void format_endpoints(struct json *j, const struct event_view *v, const struct vgl_net *n)
{
	uint16_t type = v->hdr->type;
	bool remote = type == VGL_EV_CONNECT || type == VGL_EV_ACCEPT;

	if (n->family == AF_UNIX) {
		kv_unix_path(j, &v->strs[VGL_NET_S_UNIX_PATH]);
		return;
	}
	if (!is_inet(n))
		return;
	kv_addr(j, "saddr", n->family, n->saddr);
	json_kv_u64(j, "sport", n->sport);
	if (remote) {
		kv_addr(j, "daddr", n->family, n->daddr);
		json_kv_u64(j, "dport", n->dport);
	}
}

void format_net_body(struct json *j, const struct event_view *v)
{
	const struct vgl_net *n = EV_BODY(v, vgl_net);
	const struct event_type_info *info = event_info(v->hdr->type);

	json_key(j, "net");
	json_obj_begin(j);
	json_kv_str(j, "syscall", info->name);
	json_kv_i64(j, "fd", n->fd);
	kv_named(j, "family", n->family, families, ARRAY_LEN(families));
	kv_named(j, "type", n->type, types, ARRAY_LEN(types));
	if (is_inet(n))
		kv_named(j, "protocol", n->protocol, ip_protocols, ARRAY_LEN(ip_protocols));
	else if (n->family == AF_PACKET)	/* an ETH_P_* value, kept in network order */
		json_kv_u64(j, "protocol", ntohs(n->protocol));
	else
		json_kv_u64(j, "protocol", n->protocol);
	if (v->hdr->type != VGL_EV_SOCKET)
		format_endpoints(j, v, n);
	if (v->hdr->type == VGL_EV_LISTEN)
		json_kv_i64(j, "backlog", n->backlog);
	json_kv_bool(j, "raw", n->flags & VGL_NET_F_RAW);
	json_kv_bool(j, "packet", n->flags & VGL_NET_F_PACKET);
	json_obj_end(j);
}

/* Names for rule fields (src/detect/fields.c): NULL when unknown. */
static const char *name_in(unsigned int value, const struct name_of *tab, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return NULL;
}

const char *net_family_name(unsigned int family)
{
	return name_in(family, families, ARRAY_LEN(families));
}

const char *net_type_name(unsigned int type)
{
	return name_in(type, types, ARRAY_LEN(types));
}

const char *net_proto_name(unsigned int family, unsigned int proto)
{
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return name_in(proto, ip_protocols, ARRAY_LEN(ip_protocols));
}
