#!/bin/bash
# Rules of policy/80-network.yaml under the default policy. Every connection
# stays inside a network namespace made here: its loopback, and a dummy
# interface (or the loopback) carrying the cloud metadata address
# (169.254.169.254) and the Kubernetes service IP (10.96.0.1), served by a
# listener in the namespace.
# A runc container joins the namespace for the container-scoped rules.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
NET=$HELPERS/net_ops
[ -x "$NET" ] || fail "$NET missing: run make e2e"

NS=vgl-net-$$
ID=vgl-net-$$
LISTENER=
trap 'runc delete -f $ID >/dev/null 2>&1; [ -n "$LISTENER" ] && kill $LISTENER 2>/dev/null;
	ip netns del $NS 2>/dev/null; cleanup' EXIT

ip netns add "$NS" || fail "ip netns add"
ip -n "$NS" link set lo up
DEV=lo	# kernels without the dummy driver: the namespace's loopback carries them
if ip -n "$NS" link add d0 type dummy 2>/dev/null; then
	DEV=d0
	ip -n "$NS" link set d0 up
fi
ip -n "$NS" addr add 169.254.169.254/32 dev $DEV || fail "address 169.254.169.254"
ip -n "$NS" addr add 10.96.0.1/32 dev $DEV || fail "address 10.96.0.1"

# in NS: run python3 code (a host process, in the namespace)
in_ns() {
	ip netns exec "$NS" python3 -c "$@"
}

# $CONNECT HOST PORT... : one process connecting to HOST:PORT for each PORT
CONNECT='
import socket, sys
host = sys.argv[1]
for p in sys.argv[2:]:
    s = socket.socket()
    s.connect_ex((host, int(p)))	# blocking: refused at once on loopback
    s.close()
print("pid=%d" % __import__("os").getpid())
'

# a listener accepting (and closing) on every address the tests contact
ip netns exec "$NS" python3 -c '
import select, socket, sys
ls = []
for a, p in [("169.254.169.254", 80), ("10.96.0.1", 443), ("10.96.0.1", 6443),
             ("10.96.0.1", 8080), ("127.0.0.1", 3333), ("127.0.0.1", 3000)]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, p))
    s.listen(16)
    ls.append(s)
open(sys.argv[1], "w").close()
while True:
    for s in select.select(ls, [], [])[0]:
        s.accept()[0].close()
' "$WORK/listening" &
LISTENER=$!
for _ in $(seq 50); do
	[ -e "$WORK/listening" ] && break
	sleep 0.1
done
[ -e "$WORK/listening" ] || fail "the listener did not start"

# the container, in the namespace
BUNDLE=$WORK/bundle
R=$BUNDLE/rootfs
mkdir -p "$R/bin" "$R/tmp" "$R/proc" "$R/dev" "$R/sys"
cp /bin/busybox "$R/bin/busybox"
for app in sh nc sleep touch; do ln -s busybox "$R/bin/$app"; done
(cd "$BUNDLE" && runc spec) || fail "runc spec"
jq --arg ns "/var/run/netns/$NS" '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh","-c",
        "for t in \"169.254.169.254 80\" \"10.96.0.1 443\" \"10.96.0.1 6443\" \"10.96.0.1 8080\"; do nc -w 1 $t </dev/null; done; touch /tmp/done; sleep 1.5"]
    | .linux.namespaces |= map(if .type == "network" then .path = $ns else . end)' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"

mkdir -p "$WORK/bin"
printf '#!/bin/sh\n"$@"\n' >"$WORK/bin/cloud-init"	# a launcher named cloud-init
chmod 755 "$WORK/bin/cloud-init"
ln -s /bin/busybox "$WORK/bin/ping"

vigil_run_start

# ---- port scan: 25 closed ports, then 5 from another process
in_ns "$CONNECT" 127.0.0.1 $(seq 20001 20025) >"$WORK/scan.out"
in_ns "$CONNECT" 127.0.0.1 $(seq 20101 20105) >"$WORK/few.out"

# ---- metadata from the host (in the namespace): a script, then under cloud-init
in_ns "$CONNECT" 169.254.169.254 80 >"$WORK/imds.out"
ip netns exec "$NS" "$WORK/bin/cloud-init" python3 -c "$CONNECT" 169.254.169.254 80 \
	>"$WORK/imds_agent.out"
in_ns "$CONNECT" 10.96.0.1 443 >"$WORK/k8s_host.out"

# ---- mining pool port, and a development server's
in_ns "$CONNECT" 127.0.0.1 3333 >"$WORK/pool.out"
in_ns "$CONNECT" 127.0.0.1 3000 >"$WORK/dev.out"

# ---- raw and packet sockets, and their neighbours
"$NET" raw >"$WORK/raw.out"
"$NET" packet >"$WORK/packet.out"
ip link show >/dev/null					# netlink sockets are SOCK_RAW too
ip netns exec "$NS" "$WORK/bin/ping" -c 1 -W 1 127.0.0.1 >/dev/null	# busybox's ping
python3 -c 'import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
except OSError:
    pass'

# ---- the container
(cd "$BUNDLE" && runc run "$ID" </dev/null >/dev/null 2>&1) || fail "runc run failed"
[ -e "$R/tmp/done" ] || fail "the container script did not finish"

sleep 0.5
vigil_stop

ctr=".container.id == \"$ID\""

# ---- VGL-0801
PID=$(val "$WORK/scan.out" pid)
al=$(expect_alert VGL-0801 ".process.pid == $PID" "25 ports in a second")
expect_field "$al" .event.net.daddr 127.0.0.1 "scan"
expect_field "$al" .event.error ECONNREFUSED "scan"
n=$(jq -s "map(select(.rule.id == \"VGL-0801\" and .process.pid == $PID)) | length" "$ALERTS")
[ "$n" = 1 ] || fail "one scan should raise one alert, got $n"
no_alert VGL-0801 ".process.pid == $(val "$WORK/few.out" pid)" "5 ports"
pass "VGL-0801 port scan: one alert for 25 ports, none for 5"

# ---- VGL-0802 / VGL-0803: metadata
al=$(expect_alert VGL-0803 ".process.pid == $(val "$WORK/imds.out" pid)" "metadata from the host")
expect_field "$al" .event.net.daddr 169.254.169.254 "imds host"
expect_field "$al" .event.net.dport 80 "imds host"
expect_field "$al" .event.ret 0 "imds host (a real connection)"
no_alert VGL-0803 ".process.pid == $(val "$WORK/imds_agent.out" pid)" "under cloud-init"
no_alert VGL-0803 "$ctr" "containers are VGL-0802's"
al=$(expect_alert VGL-0802 "$ctr" "metadata from the container")
expect_field "$al" .event.net.daddr 169.254.169.254 "imds container"
expect_field "$al" .process.name nc "imds container"
expect_field "$al" .rule.severity high "imds container"
no_alert VGL-0802 '.container == null' "host processes are VGL-0803's"
pass "VGL-0802/VGL-0803 cloud metadata (cloud agents excepted)"

# ---- VGL-0804: Kubernetes API
al=$(expect_alert VGL-0804 "$ctr and .event.net.dport == 443" "service IP 443")
expect_field "$al" .event.net.daddr 10.96.0.1 "k8s 443"
expect_alert VGL-0804 "$ctr and .event.net.dport == 6443" "6443" >/dev/null
no_alert VGL-0804 ".event.net.dport == 8080" "another port on the same address"
no_alert VGL-0804 ".container == null" "host processes"
pass "VGL-0804 Kubernetes API from a container"

# ---- VGL-0805: mining pool port
al=$(expect_alert VGL-0805 ".process.pid == $(val "$WORK/pool.out" pid)" "port 3333")
expect_field "$al" .event.net.dport 3333 "pool"
expect_field "$al" .action would_block "pool"
no_alert VGL-0805 ".process.pid == $(val "$WORK/dev.out" pid)" "port 3000"
pass "VGL-0805 mining pool port (would block), not a dev server's"

# ---- VGL-0806 / VGL-0807: raw and packet sockets
al=$(expect_alert VGL-0806 ".process.pid == $(val "$WORK/raw.out" pid)" "raw socket")
expect_field "$al" .event.net.type SOCK_RAW "raw"
expect_field "$al" .event.net.protocol icmp "raw"
no_alert VGL-0806 '.process.name == "ip" or .process.name == "ping" or .process.name == "python3"' \
	"netlink, busybox ping, ICMP datagram sockets"
no_alert VGL-0806 ".process.pid == $(val "$WORK/packet.out" pid)" "packet sockets are VGL-0807's"
al=$(expect_alert VGL-0807 ".process.pid == $(val "$WORK/packet.out" pid)" "packet socket")
expect_field "$al" .event.net.family AF_PACKET "packet"
no_alert VGL-0807 ".process.pid == $(val "$WORK/raw.out" pid)" "raw IP socket"
pass "VGL-0806 raw socket, VGL-0807 packet socket (netlink, busybox ping quiet)"
