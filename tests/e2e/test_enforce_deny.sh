#!/bin/bash
# Exec denial with fanotify (vigil run --enforce): a kill rule on execs
# from /dev/shm makes execve fail with EPERM before the program runs one
# instruction, the caller goes on, and the alert says "denied". A program
# elsewhere on the same watched filesystem still runs, and what the watch
# adds to an exec there is measured. Then drift in a runc container whose
# root is a tmpfs of its own: a file written inside after the start is
# denied, the image's files still run, and the container's init survives.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
MARKER_BIN=$HELPERS/make_marker
BENCH=$HELPERS/exec_bench
[ -x "$MARKER_BIN" ] && [ -x "$BENCH" ] || fail "missing helpers: run make e2e"
[ "$(stat -f -c %T /dev/shm)" = tmpfs ] || fail "/dev/shm is not a tmpfs here"

DENY_DIR=/dev/shm/vgl-deny-$$		# matches the rule
BENCH_DIR=/dev/shm/vgl-bench-$$		# same filesystem, does not match
ID=vgl-deny-$$
BUNDLE=$WORK/bundle
ROOTFS=$BUNDLE/rootfs
# a second container placed as the kubelet places containerd's (cgroupfs
# driver): vigil knows it by its cgroup, not by runc's state
ID2=vgl-deny-k8s-$$
BUNDLE2=$WORK/bundle2
ROOTFS2=$BUNDLE2/rootfs
CTR2=$(printf '%064x' $$)
POD2=0000aaaa-bbbb-cccc-dddd-$(printf '%012d' $$)

test_cleanup() {
	runc delete -f "$ID" >/dev/null 2>&1
	runc delete -f "$ID2" >/dev/null 2>&1
	mountpoint -q "$ROOTFS" && umount "$ROOTFS"
	mountpoint -q "$ROOTFS2" && umount "$ROOTFS2"
	rm -rf "$DENY_DIR" "$BENCH_DIR"
	cleanup
}
trap test_cleanup EXIT

mkdir -p "$DENY_DIR" "$BENCH_DIR"
cp "$MARKER_BIN" "$DENY_DIR/dropped"
cp "$MARKER_BIN" "$BENCH_DIR/tool"

cat >"$WORK/policy.yaml" <<EOF
- id: TEST-DENY-SHM
  name: Program run from the deny test directory
  description: test rule
  severity: high
  action: kill
  condition: evt.type = exec and evt.res = 0 and proc.exe startswith $DENY_DIR/
  output: "exec of %proc.exe"
- id: TEST-DENY-DRIFT
  name: Drifted binary in a container
  description: test rule
  severity: high
  action: kill
  condition: evt.type = exec and evt.res = 0 and container.is and proc.exe_written
  output: "drift %proc.exe"
EOF

# ---- the container: its root is its own tmpfs, filled before it starts ----
mkdir -p "$ROOTFS"
mount -t tmpfs -o size=32m vgl-deny-rootfs "$ROOTFS" || fail "cannot mount a tmpfs at $ROOTFS"
mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys"
cp /bin/busybox "$ROOTFS/bin/busybox"
for app in sh cp sleep true; do ln -s busybox "$ROOTFS/bin/$app"; done
(cd "$BUNDLE" && runc spec)
jq '.process.terminal=false | .process.args=["/bin/sleep","600"] | .root.readonly=false' \
	"$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
mkdir -p "$ROOTFS2"
mount -t tmpfs -o size=32m vgl-deny-rootfs2 "$ROOTFS2" || fail "cannot mount a tmpfs at $ROOTFS2"
cp -a "$ROOTFS/." "$ROOTFS2/"
mkdir -p "$BUNDLE2" && cp "$BUNDLE/config.json" "$BUNDLE2/"
jq --arg cg "/kubepods/besteffort/pod$POD2/$CTR2" '.linux.cgroupsPath=$cg' "$BUNDLE2/config.json" \
	>"$BUNDLE2/config.new" && mv "$BUNDLE2/config.new" "$BUNDLE2/config.json"

# ---- baseline: an exec on /dev/shm without vigil ----
"$BENCH" 2000 "$BENCH_DIR/tool" "$WORK/bench-marker" >"$WORK/bench-off" ||
	fail "baseline exec loop failed: $(cat "$WORK/bench-off")"

vigil_run_start --enforce --no-default-policy --policy "$WORK/policy.yaml" --events
grep -q "fanotify: watching execs on the filesystem of /dev/shm" "$WORK/vigil.err" ||
	fail "vigil does not watch /dev/shm: $(grep -i fanotify "$WORK/vigil.err")"
grep -q "rule TEST-DENY-SHM: execs on watched filesystems are denied by fanotify" \
	"$WORK/vigil.err" || fail "vigil does not say fanotify decides TEST-DENY-SHM"

# ---- denied: EPERM, no marker, the shell goes on ----
bash -c "'$DENY_DIR/dropped' '$WORK/marker'; echo \"rc=\$?\"; echo shell-still-here" \
	>"$WORK/deny.out" 2>&1
grep -q "Operation not permitted" "$WORK/deny.out" ||
	fail "the exec was not refused with EPERM: $(cat "$WORK/deny.out")"
grep -q "^rc=126" "$WORK/deny.out" || fail "the shell did not see a failed exec: $(cat "$WORK/deny.out")"
grep -q "^shell-still-here" "$WORK/deny.out" || fail "the calling shell did not go on"
[ ! -e "$WORK/marker" ] || fail "the denied program ran: its marker file exists"
pass "exec from $DENY_DIR refused with EPERM before it ran; the caller went on"

# ---- allowed: same filesystem, another directory ----
"$BENCH_DIR/tool" "$WORK/marker-ok" || fail "an exec elsewhere on /dev/shm failed"
[ -e "$WORK/marker-ok" ] || fail "the allowed program did not run"
pass "an exec elsewhere on the watched /dev/shm runs"

# ---- what the watch adds to an allowed exec ----
"$BENCH" 2000 "$BENCH_DIR/tool" "$WORK/bench-marker" >"$WORK/bench-on" ||
	fail "watched exec loop failed: $(cat "$WORK/bench-on")"
off=$(sed 's/.*us_per_exec=//' "$WORK/bench-off")
on=$(sed 's/.*us_per_exec=//' "$WORK/bench-on")
echo "exec latency on /dev/shm: ${off} us without vigil, ${on} us with vigil --enforce watching (2000 execs each)"
# generous: an answer is tens of microseconds; a stall would show as milliseconds
awk -v a="$off" -v b="$on" 'BEGIN { exit !(b - a < 1000) }' ||
	fail "a watched exec costs $on us against $off us unwatched"
pass "watched, allowed execs were all answered (added $(awk -v a="$off" -v b="$on" \
	'BEGIN { printf "%.1f", b - a }') us per exec)"

# ---- a reload follows the rules: watch dropped, then taken again ----
sed -i "s|startswith $DENY_DIR/|startswith /opt/vgl-nowhere-$$/|" "$WORK/policy.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 1 50); do
	grep -q "no longer watching execs on the filesystem of /dev/shm" "$WORK/vigil.err" && break
	sleep 0.1
done
grep -q "no longer watching execs on the filesystem of /dev/shm" "$WORK/vigil.err" ||
	fail "the reload did not drop the /dev/shm watch"
"$DENY_DIR/dropped" "$WORK/marker-reload" || fail "after the reload the exec is still refused"
[ -e "$WORK/marker-reload" ] || fail "after the reload the program did not run"
sed -i "s|startswith /opt/vgl-nowhere-$$/|startswith $DENY_DIR/|" "$WORK/policy.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 1 50); do
	[ "$(grep -c "fanotify: watching execs on the filesystem of /dev/shm" "$WORK/vigil.err")" -ge 2 ] &&
		break
	sleep 0.1
done
"$DENY_DIR/dropped" "$WORK/marker-again" 2>/dev/null && fail "after the second reload the exec ran"
[ ! -e "$WORK/marker-again" ] || fail "after the second reload the program ran"
pass "reloads drop and take back the watch of /dev/shm"

# ---- drift in a container ----
(cd "$BUNDLE" && runc run -d "$ID" </dev/null >"$WORK/ctr.out" 2>&1) ||
	fail "runc run failed: $(cat "$WORK/ctr.out")"
for _ in $(seq 1 50); do
	grep -q "watching execs on the filesystem of $ROOTFS" "$WORK/vigil.err" && break
	sleep 0.1
done
grep -q "watching execs on the filesystem of $ROOTFS" "$WORK/vigil.err" ||
	fail "vigil did not watch the container's root filesystem"
runc exec "$ID" /bin/sh -c \
	'cp /bin/busybox /tmp/drifted; /tmp/drifted true; echo "rc=$?"; /bin/busybox true && echo image-ok' \
	>"$WORK/drift.out" 2>"$WORK/drift.err"	# apart: runc relays the two in any order
grep -q "Operation not permitted" "$WORK/drift.err" ||
	fail "the drifted binary was not refused: $(cat "$WORK/drift.out" "$WORK/drift.err")"
grep -q "^rc=126" "$WORK/drift.out" || fail "drift: no failed exec: $(cat "$WORK/drift.out")"
grep -q "^image-ok" "$WORK/drift.out" || fail "a file from the image did not run: $(cat "$WORK/drift.out")"
[ "$(runc state "$ID" | jq -r .status)" = running ] || fail "the container's init did not survive"
pass "drift: a file written in the container is refused, the image runs, init survives"

# the same in a container vigil knows only by its Kubernetes cgroup: its
# root is found through its first process
(cd "$BUNDLE2" && runc run -d "$ID2" </dev/null >"$WORK/ctr2.out" 2>&1) ||
	fail "runc run (kubepods) failed: $(cat "$WORK/ctr2.out")"
runc exec "$ID2" /bin/true || fail "runc exec in the kubepods container"
for _ in $(seq 1 50); do
	grep -q "watching execs on the filesystem of /proc/[0-9]*/root (container root)" "$WORK/vigil.err" &&
		break
	sleep 0.1
done
grep -q "watching execs on the filesystem of /proc/[0-9]*/root (container root)" "$WORK/vigil.err" ||
	fail "vigil did not watch the kubepods container's root filesystem"
runc exec "$ID2" /bin/sh -c 'cp /bin/busybox /tmp/drifted2; /tmp/drifted2 true; echo "rc=$?"' \
	>"$WORK/drift2.out" 2>"$WORK/drift2.err"
grep -q "^rc=126" "$WORK/drift2.out" ||
	fail "kubepods drift: not refused: $(cat "$WORK/drift2.out" "$WORK/drift2.err")"
pass "drift: refused in a container known by its kubepods cgroup too"

vigil_stop

# ---- the alerts say what happened ----
al=$(expect_alert TEST-DENY-SHM '.action == "denied"' "denial from /dev/shm")
expect_field "$al" .event.exec.path "$DENY_DIR/dropped" "denied exec path"
expect_field "$al" .responder fanotify "denied by"
expect_field "$al" .event.error EPERM "denied exec result"
expect_field "$al" .event.exec.on_tmpfs true "denied exec: file on tmpfs"
no_alert TEST-DENY-SHM '.event.exec.path == "'"$BENCH_DIR/tool"'"' "the allowed exec"
pass "alert: denied by fanotify, with the path and EPERM"

al=$(expect_alert TEST-DENY-DRIFT '.action == "denied"' "drift denial")
expect_field "$al" .container.id "$ID" "drift container"
expect_field "$al" .event.exec.path /tmp/drifted "drifted path as the container sees it"
expect_field "$al" .event.exec.written_after_start true "drifted file written after the start"
no_alert TEST-DENY-DRIFT '.event.exec.path == "/bin/busybox"' "the image's busybox"
al=$(expect_alert TEST-DENY-DRIFT '.event.exec.path == "/tmp/drifted2"' "kubepods drift denial")
expect_field "$al" .action denied "kubepods drift"
expect_field "$al" .container.id "$CTR2" "kubepods drift container"
pass "alert: drift denied in container $ID"
