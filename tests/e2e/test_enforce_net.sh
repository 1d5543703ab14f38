#!/bin/bash
# `action: block` enforced by the cgroup connect/sendmsg hooks: from a real
# runc container, a connect to the blocked port fails with EPERM and the
# listener never sees it, while another port works; the rule is scoped to
# containers, so the host still connects. The alert says "blocked", once
# per attempt. The hooks stay pinned after vigil exits, a restart replaces
# them without a moment of no enforcement, `vigil unpin` removes them, the
# budget lets connects through beyond --actions-per-sec, and without
# --enforce the alert says would_block.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
TRY=$HELPERS/net_try
[ -x "$TRY" ] || fail "missing $TRY: run make build/helpers/net_try"
PIN=$PIN_DIR	# its own (lib.sh): other runs on the host must not replace it
CGROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CGROOT" ] || fail "no cgroup2 mount"

P1=$((40000 + RANDOM % 20000))	# blocked (TCP) from containers
P2=$((P1 + 1))			# allowed
P3=$((P1 + 2))			# blocked (UDP) from containers
ID=vgl-e2e-nb-$$
LISTENERS=()

nb_cleanup() {
	for p in "${LISTENERS[@]}"; do kill "$p" 2>/dev/null; done
	"$VIGIL" unpin --pin-dir "$PIN" >/dev/null 2>&1
	cleanup
}
trap nb_cleanup EXIT

"$TRY" listen 127.0.0.1 "$P1" >"$WORK/l1" & LISTENERS+=($!)
"$TRY" listen 127.0.0.1 "$P2" >"$WORK/l2" & LISTENERS+=($!)
"$TRY" udp-listen 127.0.0.1 "$P3" >"$WORK/l3" & LISTENERS+=($!)
for f in l1 l2 l3; do
	for _ in $(seq 50); do grep -q listening=1 "$WORK/$f" && break; sleep 0.1; done
	grep -q listening=1 "$WORK/$f" || fail "listener $f did not start"
done
# accepted N: connections the TCP listener of file f has seen
accepted() { grep -c '^accepted=' "$WORK/$1"; }

cat >"$WORK/block.yaml" <<EOF
- id: TEST-NB-1
  name: port blocked from containers
  description: e2e test of the cgroup block hooks
  severity: high
  scope: containers
  action: block
  condition: evt.type = connect and net.dport in ($P1, $P3)
  output: blocked %net.daddr:%net.dport by %proc.name
EOF
RUN_ARGS=(--no-default-policy --policy "$WORK/block.yaml" --pin-dir "$PIN")

# ---- a busybox container in the host's network namespace (its loopback is ours) ----
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" "$BUNDLE/rootfs/sys"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
ln -s busybox "$BUNDLE/rootfs/bin/sh"
cp "$TRY" "$BUNDLE/rootfs/bin/net_try"
(cd "$BUNDLE" && runc spec)
jq '.process.terminal=false | .linux.namespaces |= map(select(.type != "network"))' \
	"$BUNDLE/config.json" >"$BUNDLE/base.json"
NCTR=0

# in_ctr OUT CMD : run CMD (sh -c) in a new container, its output in $WORK/OUT
in_ctr() {
	NCTR=$((NCTR + 1))
	jq --arg cmd "$2" '.process.args=["/bin/sh","-c",$cmd]' "$BUNDLE/base.json" \
		>"$BUNDLE/config.json"
	(cd "$BUNDLE" && runc run "$ID-$NCTR" </dev/null >"$WORK/$1" 2>&1) ||
		fail "runc run failed: $(cat "$WORK/$1")"
}

# ---- 1. enforced: the container is refused, the host and the other port are not ----
vigil_run_start --enforce "${RUN_ARGS[@]}"
grep -q "TEST-NB-1: block: enforced in the kernel" "$WORK/vigil.err" ||
	fail "the block rule is not enforced in the kernel: $(grep TEST-NB-1 "$WORK/vigil.err")"
in_ctr c1 "net_try tcp 127.0.0.1 $P1; net_try tcp ::ffff:127.0.0.1 $P1; net_try tcp ::1 $P1;
	net_try tcp 127.0.0.1 $P2; net_try udp 127.0.0.1 $P3"
"$TRY" tcp 127.0.0.1 "$P1" >"$WORK/h1"
"$TRY" udp 127.0.0.1 "$P3" >>"$WORK/h1"
vigil_stop
[ "$(grep -c '^connect=EPERM' "$WORK/c1")" = 3 ] ||
	fail "container connects to the blocked port (v4, v4-mapped, v6) not all EPERM: $(cat "$WORK/c1")"
grep -q "^connect=ok" "$WORK/c1" || fail "container could not connect to the allowed port: $(cat "$WORK/c1")"
grep -q "^sendto=EPERM" "$WORK/c1" || fail "container UDP sendto not refused: $(cat "$WORK/c1")"
grep -q "^connect=ok" "$WORK/h1" || fail "the host was blocked by a container rule: $(cat "$WORK/h1")"
grep -q "^sendto=ok" "$WORK/h1" || fail "the host's sendto was blocked: $(cat "$WORK/h1")"
[ "$(accepted l1)" = 1 ] || fail "blocked port listener saw $(accepted l1) connections, expected the host's 1"
[ "$(accepted l2)" = 1 ] || fail "allowed port listener saw $(accepted l2) connections, expected 1"
[ "$(grep -c '^received=' "$WORK/l3")" = 1 ] || fail "UDP receiver: $(cat "$WORK/l3"), expected the host's datagram only"
pass "from a container: TCP (v4, v4-mapped, v6) and UDP refused with EPERM, other port and host allowed"

al=$(expect_alert TEST-NB-1 ".action == \"blocked\" and .event.net.dport == $P1 and .event.net.daddr == \"127.0.0.1\"" "blocked connect")
expect_field "$al" .responder kernel "blocked connect"
expect_field "$al" .event.error EPERM "blocked connect"
expect_field "$al" .event.container.id "$ID-1" "blocked connect"
expect_field "$al" .event.proc.comm net_try "blocked connect"
n=$(jq -c "select(.kind == \"alert\" and .event.net.dport == $P1)" "$ALERTS" | wc -l)
[ "$n" = 3 ] || fail "$n alerts for the 3 blocked connects (one event per block expected)"
al=$(expect_alert TEST-NB-1 ".action == \"blocked\" and .event.net.dport == $P3" "blocked sendto")
expect_field "$al" .event.net.protocol udp "blocked sendto"
expect_field "$al" .event.container.id "$ID-1" "blocked sendto"
expect_field "$al" .event.proc.pid "$(printf '%s' "$al" | jq .process.pid)" "blocked sendto header"
[ "$(printf '%s' "$al" | jq '.event.proc.ppid > 0 and .event.proc.pidns > 0')" = true ] ||
	fail "blocked sendto record lacks ppid or pidns: $al"
n=$(jq -c "select(.kind == \"alert\" and .event.net.dport == $P3)" "$ALERTS" | wc -l)
[ "$n" = 1 ] || fail "$n alerts for 1 blocked sendto"
no_alert TEST-NB-1 '.event.container.id == "host"' "the host is out of the rule's scope"
pass "one alert per block, action blocked by the kernel, container and process attributed"

# ---- 2. the hooks outlive vigil ----
[ -e "$PIN/link_nb_connect4" ] || fail "no pinned link in $PIN after vigil exited: $(ls "$PIN" 2>&1)"
in_ctr c2 "net_try tcp 127.0.0.1 $P1"
grep -q "^connect=EPERM" "$WORK/c2" || fail "not blocked after vigil exited: $(cat "$WORK/c2")"
[ "$(accepted l1)" = 1 ] || fail "blocked port reached while vigil is down"
pass "pinned hooks keep blocking after vigil exits"

# ---- 3. restart: never a moment without the hooks ----
id_before=$(bpftool -j link show pinned "$PIN/link_nb_connect4" | jq .id)
in_ctr c3 "net_try loop 127.0.0.1 $P1 20 350" &
CTR_LOOP=$!
sleep 0.5
vigil_run_start --enforce "${RUN_ARGS[@]}"
vigil_stop
vigil_run_start --enforce "${RUN_ARGS[@]}"
vigil_stop
wait "$CTR_LOOP" || fail "the connect loop's container failed"
grep -q "^ok=0 eperm=350 other=0" "$WORK/c3" ||
	fail "connects got through (or failed otherwise) during restarts: $(cat "$WORK/c3")"
[ "$(accepted l1)" = 1 ] || fail "blocked port reached during a restart"
id_after=$(bpftool -j link show pinned "$PIN/link_nb_connect4" | jq .id)
[ "$id_before" != "$id_after" ] || fail "the restart did not replace the pinned link ($id_after)"
n=$(bpftool cgroup show "$CGROOT" | grep -c nb_connect4)
[ "$n" = 1 ] || fail "$n nb_connect4 programs attached after restarts (old links not detached)"
pass "two restarts during a connect loop: 350 attempts, all refused; old links replaced"

# ---- 4. vigil unpin ----
"$VIGIL" unpin --pin-dir "$PIN" 2>"$WORK/unpin.err" || fail "vigil unpin failed: $(cat "$WORK/unpin.err")"
[ ! -e "$PIN" ] || fail "$PIN still exists after unpin: $(ls "$PIN")"
bpftool cgroup show "$CGROOT" | grep -q nb_connect4 && fail "hooks still attached after unpin"
in_ctr c4 "net_try tcp 127.0.0.1 $P1"
grep -q "^connect=ok" "$WORK/c4" || fail "still blocked after unpin: $(cat "$WORK/c4")"
[ "$(accepted l1)" = 2 ] || fail "listener did not see the connect after unpin"
pass "vigil unpin detaches and removes the hooks"

# ---- 5. the budget: beyond --actions-per-sec connects go through, flagged ----
vigil_run_start --enforce --actions-per-sec 5 "${RUN_ARGS[@]}"
in_ctr c5 "net_try loop 127.0.0.1 $P1 0 20"
vigil_stop
"$VIGIL" unpin --pin-dir "$PIN" 2>/dev/null
grep -q "^ok=15 eperm=5 other=0" "$WORK/c5" || fail "budget of 5 per second: $(cat "$WORK/c5")"
al=$(expect_alert TEST-NB-1 '.action == "rate_limited"' "connect over the budget")
expect_field "$al" .event.ret 0 "a rate-limited connect succeeded"
[ "$(alert_query TEST-NB-1 '.action == "blocked"' | wc -l)" = 1 ] || fail "no blocked alert under the budget"
pass "over the per-rule budget: allowed and reported rate_limited"

# ---- 6. without --enforce: would_block, nothing refused, earlier pins removed ----
vigil_run_start --enforce "${RUN_ARGS[@]}"
vigil_stop
[ -e "$PIN/link_nb_connect4" ] || fail "no pins to remove"
vigil_run_start "${RUN_ARGS[@]}"
[ ! -e "$PIN" ] || fail "a run without --enforce left the earlier pins in force"
in_ctr c6 "net_try tcp 127.0.0.1 $P1"
vigil_stop
grep -q "^connect=ok" "$WORK/c6" || fail "blocked without --enforce: $(cat "$WORK/c6")"
al=$(expect_alert TEST-NB-1 ".event.net.dport == $P1" "connect without --enforce")
expect_field "$al" .action would_block "connect without --enforce"
pass "without --enforce: the connect succeeds and the alert says would_block"

# ---- 7. SIGHUP: the maps switch to the new rules in place ----
vigil_run_start --enforce "${RUN_ARGS[@]}"
sed -i "s/net.dport in ($P1, $P3)/net.dport in ($P2)/" "$WORK/block.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "reloaded: " "$WORK/vigil.err" && break; sleep 0.1; done
grep -q "reloaded: " "$WORK/vigil.err" || fail "no reload after SIGHUP"
in_ctr c7 "net_try tcp 127.0.0.1 $P1; net_try tcp 127.0.0.1 $P2"
vigil_stop
"$VIGIL" unpin --pin-dir "$PIN" 2>/dev/null
[ "$(sed -n 1p "$WORK/c7")" = connect=ok ] || fail "old port still blocked after reload: $(cat "$WORK/c7")"
[ "$(sed -n 2p "$WORK/c7")" = connect=EPERM ] || fail "new port not blocked after reload: $(cat "$WORK/c7")"
expect_alert TEST-NB-1 ".action == \"blocked\" and .event.net.dport == $P2" "blocked after reload" >/dev/null
pass "SIGHUP: the new block rules apply at once, the old ones no longer"
