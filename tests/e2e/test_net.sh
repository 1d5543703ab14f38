#!/bin/bash
# test_net.sh - socket, connect, accept, bind and listen on loopback: TCP
# over IPv4 and IPv6 with a forked client, a refused connect, AF_UNIX by
# path and abstract name, raw and packet sockets. Addresses and ports must
# be the kernel's, and the client's events must carry the client's pid/comm.
. "$(dirname "$0")/lib.sh"

NET=$HELPERS/net_ops
[ -x "$NET" ] || fail "missing $NET (run: make build/helpers/net_ops)"

# ev_of COND DESC : the first event matching COND (exits the test if none)
ev_of() {
	expect_event "$1" "$2" || exit 1
}

vigil_start -e socket,connect,accept,bind,listen

cd "$WORK" || fail "cd $WORK"
"$NET" tcp4 >tcp4.out || fail "net_ops tcp4"
"$NET" tcp6 >tcp6.out || fail "net_ops tcp6"
"$NET" refused >refused.out || fail "net_ops refused"
"$NET" unix "$WORK/vgl.sock" >unix.out || fail "net_ops unix"
ABSTRACT=vgl-e2e-abstract-$$
"$NET" unix-abstract "$ABSTRACT" >abstract.out || fail "net_ops unix-abstract"
"$NET" raw >raw.out || fail "net_ops raw"
"$NET" packet >packet.out || fail "net_ops packet"

vigil_stop

# check_tcp OUT FAMILY ADDR : the TCP scenario's five events
check_tcp() {
	local out=$1 family=$2 addr=$3 what="tcp ($2)"
	local spid cpid lport cport afd ev

	spid=$(val "$out" pid)
	cpid=$(val "$out" client_pid)
	lport=$(val "$out" listen_port)
	cport=$(val "$out" client_port)
	afd=$(val "$out" accept_fd)
	[ -n "$spid" ] && [ -n "$cpid" ] && [ -n "$lport" ] && [ -n "$cport" ] ||
		fail "$what: helper output incomplete: $(cat "$out")"

	ev=$(ev_of ".type == \"socket\" and .proc.pid == $spid" "$what: listener socket")
	expect_field "$ev" .ret 3 "$what socket"
	expect_field "$ev" .net.fd 3 "$what socket"
	expect_field "$ev" .net.family "$family" "$what socket"
	expect_field "$ev" .net.type SOCK_STREAM "$what socket"
	expect_field "$ev" .net.protocol tcp "$what socket"
	expect_field "$ev" .net.raw false "$what socket"
	expect_field "$ev" .net.packet false "$what socket"

	ev=$(ev_of ".type == \"bind\" and .proc.pid == $spid" "$what: bind")
	expect_field "$ev" .ret 0 "$what bind"
	expect_field "$ev" .net.family "$family" "$what bind"
	expect_field "$ev" .net.saddr "$addr" "$what bind"
	expect_field "$ev" .net.sport "$lport" "$what bind"
	expect_field "$ev" .net.fd 3 "$what bind"

	ev=$(ev_of ".type == \"listen\" and .proc.pid == $spid" "$what: listen")
	expect_field "$ev" .ret 0 "$what listen"
	expect_field "$ev" .net.sport "$lport" "$what listen"
	expect_field "$ev" .net.saddr "$addr" "$what listen"
	expect_field "$ev" .net.backlog 7 "$what listen"

	ev=$(ev_of ".type == \"connect\" and .proc.pid == $cpid" "$what: client connect")
	expect_field "$ev" .ret 0 "$what connect"
	expect_field "$ev" .proc.comm net_client "$what connect"
	expect_field "$ev" .proc.ppid "$spid" "$what connect"
	expect_field "$ev" .net.family "$family" "$what connect"
	expect_field "$ev" .net.protocol tcp "$what connect"
	expect_field "$ev" .net.daddr "$addr" "$what connect"
	expect_field "$ev" .net.dport "$lport" "$what connect"
	expect_field "$ev" .net.saddr "$addr" "$what connect"
	expect_field "$ev" .net.sport "$cport" "$what connect"

	ev=$(ev_of ".type == \"accept\" and .proc.pid == $spid" "$what: accept")
	expect_field "$ev" .ret "$afd" "$what accept"
	expect_field "$ev" .net.fd "$afd" "$what accept"
	expect_field "$ev" .net.saddr "$addr" "$what accept"
	expect_field "$ev" .net.sport "$lport" "$what accept"
	expect_field "$ev" .net.daddr "$addr" "$what accept"
	expect_field "$ev" .net.dport "$cport" "$what accept"
	pass "$what: socket, bind, listen, connect and accept carry the kernel's addresses"
}

check_tcp tcp4.out AF_INET 127.0.0.1
check_tcp tcp6.out AF_INET6 ::1

# refused connect: the destination comes from the user sockaddr
pid=$(val refused.out pid)
ev=$(ev_of ".type == \"connect\" and .proc.pid == $pid" "refused connect")
expect_field "$ev" .ret -111 "refused connect"
expect_field "$ev" .error ECONNREFUSED "refused connect"
expect_field "$ev" .net.fd "$(val refused.out refused_fd)" "refused connect"
expect_field "$ev" .net.daddr 127.0.0.1 "refused connect"
expect_field "$ev" .net.dport "$(val refused.out refused_port)" "refused connect"
pass "refused connect: ret -111 with destination 127.0.0.1:$(val refused.out refused_port)"

# check_unix OUT PATH WHAT : bind, listen, connect, accept of an AF_UNIX socket
check_unix() {
	local out=$1 path=$2 what=$3 spid cpid ev

	spid=$(val "$out" pid)
	cpid=$(val "$out" client_pid)
	[ -n "$spid" ] && [ -n "$cpid" ] || fail "$what: helper output incomplete"
	for t in bind listen accept; do
		ev=$(ev_of ".type == \"$t\" and .proc.pid == $spid" "$what: $t")
		expect_field "$ev" .ret "$([ $t = accept ] && echo 4 || echo 0)" "$what $t"
		expect_field "$ev" .net.family AF_UNIX "$what $t"
		expect_field "$ev" .net.type SOCK_STREAM "$what $t"
		expect_field "$ev" .net.unix_path "$path" "$what $t"
		expect_field "$ev" '.net | has("daddr")' false "$what $t"
	done
	ev=$(ev_of ".type == \"connect\" and .proc.pid == $cpid" "$what: connect")
	expect_field "$ev" .ret 0 "$what connect"
	expect_field "$ev" .proc.comm net_client "$what connect"
	expect_field "$ev" .net.family AF_UNIX "$what connect"
	expect_field "$ev" .net.unix_path "$path" "$what connect"
	pass "$what: bind, listen, connect and accept carry '$path'"
}

check_unix unix.out "$WORK/vgl.sock" "unix socket"
check_unix abstract.out "@$ABSTRACT" "abstract unix socket"

pid=$(val raw.out pid)
ev=$(ev_of ".type == \"socket\" and .proc.pid == $pid" "raw socket")
expect_field "$ev" .ret "$(val raw.out fd)" "raw socket"
expect_field "$ev" .net.fd "$(val raw.out fd)" "raw socket"
expect_field "$ev" .net.family AF_INET "raw socket"
expect_field "$ev" .net.type SOCK_RAW "raw socket"
expect_field "$ev" .net.protocol icmp "raw socket"
expect_field "$ev" .net.raw true "raw socket"
expect_field "$ev" .net.packet false "raw socket"
pass "raw socket flagged raw"

pid=$(val packet.out pid)
ev=$(ev_of ".type == \"socket\" and .proc.pid == $pid" "packet socket")
expect_field "$ev" .ret "$(val packet.out fd)" "packet socket"
expect_field "$ev" .net.family AF_PACKET "packet socket"
expect_field "$ev" .net.type SOCK_RAW "packet socket"
expect_field "$ev" .net.protocol 3 "packet socket (ETH_P_ALL)"
expect_field "$ev" .net.packet true "packet socket"
expect_field "$ev" .net.raw true "packet socket"
pass "AF_PACKET socket flagged packet"
