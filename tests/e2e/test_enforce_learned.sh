#!/usr/bin/env bash
# Kill rules whose sets vigil learns while it runs, decided in the kernel
# once learned:
# - a hash list: the first exec of a listed file is killed from userspace
#   (it has to be hashed), every later exec of that file version in the
#   kernel before its first instruction; a rewritten file is a new version;
# - a per-container drift allowance (VGL-0104's drift_allowed_containers):
#   the allowed container's dropped binary runs, the other container's is
#   killed in the kernel, and both containers keep running.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
IDA=vgl-lrn-a-$$
IDB=vgl-lrn-b-$$
trap 'runc delete -f $IDA >/dev/null 2>&1; runc delete -f $IDB >/dev/null 2>&1; cleanup' EXIT

# ---- a hash list
# a copy of busybox with bytes of its own appended: still runs, a hash no
# other program on this host has
EVIL=$WORK/bin/busybox
mkdir -p "$WORK/bin"
cp /bin/busybox "$EVIL"
printf 'vigil-e2e-%s' "$$" >>"$EVIL"
SHA=$(sha256sum "$EVIL" | cut -d' ' -f1)
POLICY=$WORK/hash.yaml
cat >"$POLICY" <<EOP
- list: malware_sha256
  append: true
  items: [$SHA]
EOP

vigil_run_start --enforce --policy "$POLICY"
grep -q "VGL-0114 kill: killed in the kernel at exec for part of the condition, else in userspace (a file is known by hash once userspace has hashed it)" \
	"$WORK/vigil.err" || fail "start-up log does not say how VGL-0114 is enforced"
# the first exec lives long enough for a userspace kill
"$EVIL" sleep 5
rc1=$?
"$EVIL" touch "$WORK/hash.2"
rc2=$?
"$EVIL" touch "$WORK/hash.3"
rc3=$?
printf 'x' >>"$EVIL"	# a new version of the file: another hash, another ctime
"$EVIL" touch "$WORK/hash.4"
rc4=$?
vigil_stop

[ "$rc1" = 137 ] || fail "hash list: first exec status $rc1, expected 137"
[ "$rc2" = 137 ] && [ "$rc3" = 137 ] || fail "hash list: later exec status $rc2/$rc3, expected 137"
[ -e "$WORK/hash.2" ] || [ -e "$WORK/hash.3" ] && fail "hash list: a later exec ran: its marker exists"
[ "$rc4" = 0 ] && [ -e "$WORK/hash.4" ] || fail "hash list: the rewritten file did not run (status $rc4)"
expect_alert VGL-0114 '.action == "killed" and .responder == "userspace"' \
	"first exec of a listed file killed from userspace" >/dev/null
n=$(jq -c 'select(.kind == "alert" and .rule.id == "VGL-0114" and .action == "killed"
	and .responder == "kernel")' "$ALERTS" | wc -l)
[ "$n" = 2 ] || fail "hash list: $n in-kernel kills, expected 2"
no_alert VGL-0114 '.event.exec.args[2] == "'"$WORK/hash.4"'"' "the rewritten file alerted"
pass "hash list: first exec killed from userspace, the next two in the kernel before running; a rewritten file runs"

# ---- a per-container drift allowance
mk_bundle() {	# DIR: a busybox container that drops and runs a binary
	local b=$1 r=$1/rootfs
	mkdir -p "$r/bin" "$r/tmp" "$r/proc" "$r/dev" "$r/sys"
	cp /bin/busybox "$r/bin/busybox"
	for app in sh cp touch sleep echo; do ln -s busybox "$r/bin/$app"; done
	# the pause lets vigil classify the container from its first exec
	local script='sleep 1
cp /bin/busybox /tmp/busybox
/tmp/busybox touch /tmp/marker
echo "rc=$?" >/tmp/rc
sleep 60'
	(cd "$b" && runc spec) || fail "runc spec"
	jq --arg s "$script" '.process.terminal=false | .root.readonly=false
	    | .process.args=["/bin/sh","-c",$s]' "$b/config.json" >"$b/c.json" &&
		mv "$b/c.json" "$b/config.json"
}
mk_bundle "$WORK/a"
mk_bundle "$WORK/b"
cat >"$WORK/allow.yaml" <<EOP
- list: drift_allowed_containers
  append: true
  items: [$IDA]
EOP

vigil_run_start --enforce --policy "$WORK/allow.yaml"
grep -q "VGL-0104 kill: .*(containers are known to the kernel once userspace has seen them)" \
	"$WORK/vigil.err" || fail "start-up log does not say how VGL-0104 is enforced with an allowance"
(cd "$WORK/a" && runc run -d "$IDA" </dev/null >/dev/null 2>&1) || fail "runc run $IDA failed"
(cd "$WORK/b" && runc run -d "$IDB" </dev/null >/dev/null 2>&1) || fail "runc run $IDB failed"
for _ in $(seq 100); do
	[ -e "$WORK/a/rootfs/tmp/rc" ] && [ -e "$WORK/b/rootfs/tmp/rc" ] && break
	sleep 0.1
done
for id in "$IDA" "$IDB"; do
	[ "$(runc state "$id" | jq -r .status)" = running ] || fail "container $id: PID 1 did not survive"
done
vigil_stop

grep -qx "rc=0" "$WORK/a/rootfs/tmp/rc" && [ -e "$WORK/a/rootfs/tmp/marker" ] ||
	fail "allowed container: the dropped binary did not run ($(cat "$WORK/a/rootfs/tmp/rc"))"
grep -qx "rc=137" "$WORK/b/rootfs/tmp/rc" || fail "other container: status $(cat "$WORK/b/rootfs/tmp/rc")"
[ -e "$WORK/b/rootfs/tmp/marker" ] && fail "other container: the dropped binary ran"
al=$(expect_alert VGL-0104 '.event.container.id == "'"$IDB"'"' "drift in the other container")
expect_field "$al" .action killed "drift in the other container"
expect_field "$al" .responder kernel "drift in the other container"
no_alert VGL-0104 '.event.container.id == "'"$IDA"'"' "drift in the allowed container"
pass "drift allowance: allowed container runs its dropped binary, the other's is killed in the kernel"
