#!/usr/bin/env bash
# Exec kill rules, for real: a memfd exec, a program dropped in a scratch
# directory and a binary dropped inside a runc container are killed by the
# kernel before their first instruction (each would create a marker file;
# none exists), while the shell that started them and the container's PID 1
# keep running. Without --enforce the same is only reported. A protected
# program is never killed, a rule that needs userspace state kills from
# userspace with its measured latency, and the per-rule budget holds.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
MEMFD=$HELPERS/memfd_exec
[ -x "$MEMFD" ] || fail "missing helper $MEMFD (make helpers)"
TOUCH=$(command -v touch)
ID=vgl-enf-$$
trap 'runc delete -f $ID >/dev/null 2>&1; cleanup' EXIT

DROP=$WORK/drop
mkdir -p "$DROP"
POLICY=$WORK/kill.yaml
cat >"$POLICY" <<EOP
- id: T-DROP
  name: program run from the test's drop directory
  severity: high
  action: kill
  condition: evt.type = exec and evt.res = 0 and proc.exe startswith $DROP/
  output: dropped %proc.exepath
- id: T-PROTECTED
  name: a protected program run with a marker argument
  severity: high
  action: kill
  condition: evt.type = exec and evt.res = 0 and proc.exe_name = runc
  output: runc %proc.cmdline
- id: T-CMDLINE
  name: decided in userspace (command line)
  severity: high
  action: kill
  condition: evt.type = exec and evt.res = 0 and proc.name = sleep and proc.cmdline contains vgl-kill-me
  output: cmdline %proc.cmdline
EOP

# ---- the configuration file: a bad one is refused with its place named
printf 'enforce: true\nprotect: [/usr/sbin/runc]\n' >"$WORK/bad.yaml"
"$VIGIL" run --config "$WORK/bad.yaml" -d 1 >/dev/null 2>"$WORK/bad.err" && fail "bad config accepted"
grep -q "bad.yaml:2:1: unknown setting 'protect'" "$WORK/bad.err" || fail "bad config: $(cat "$WORK/bad.err")"
printf 'enforce: true\nactions_per_sec: 50\n' >"$WORK/vigil.yaml"
timeout 20 "$VIGIL" run --pin-dir "$PIN_DIR" --config "$WORK/vigil.yaml" --no-default-policy --policy "$POLICY" -d 1 \
	-o /dev/null 2>"$WORK/cfg.err" || fail "config run failed: $(cat "$WORK/cfg.err")"
grep -q "enforcement on" "$WORK/cfg.err" || fail "enforce: true in the configuration did not enforce"
pass "configuration: enforce from the file; a bad file is refused with FILE:LINE:COL"

# ---- dry run: reported, nothing killed
vigil_run_start --policy "$POLICY"
"$MEMFD" vgl-dry "$TOUCH" "$WORK/dry.memfd" || fail "dry run: memfd exec failed"
cp "$TOUCH" "$DROP/dry-touch"
"$DROP/dry-touch" "$WORK/dry.drop" || fail "dry run: dropped program failed"
vigil_stop
[ -e "$WORK/dry.memfd" ] && [ -e "$WORK/dry.drop" ] || fail "dry run: a program did not run"
expect_alert VGL-0001 '.action == "would_kill" and (.responder == null)' "memfd exec reported only" >/dev/null
expect_alert T-DROP '.action == "would_kill"' "dropped program reported only" >/dev/null
pass "without --enforce, kill rules report would_kill and nothing is killed"

# ---- enforcing: killed in the kernel before the first instruction
vigil_run_start --enforce --policy "$POLICY"
grep -q "VGL-0001 kill: killed in the kernel at exec" "$WORK/vigil.err" ||
	fail "start-up log does not say how VGL-0001 is enforced"
grep -q "T-CMDLINE kill: killed from userspace after the alert ('proc.cmdline'" "$WORK/vigil.err" ||
	fail "start-up log does not say why T-CMDLINE stays in userspace"

"$MEMFD" vgl-enf "$TOUCH" "$WORK/enf.memfd"
rc_memfd=$?
cp "$TOUCH" "$DROP/enf-touch"
"$DROP/enf-touch" "$WORK/enf.drop"
rc_drop=$?
echo "still here" >"$WORK/alive"	# this shell, their parent, runs on

# a protected program (runc is in the built-in list) is never killed
runc --version >"$WORK/runc.out" 2>&1 || fail "protected runc was stopped"

# a condition on the command line is decided in userspace, then killed
bash -c 'exec -a vgl-kill-me sleep 30' &
SLEEPER=$!
for _ in $(seq 50); do kill -0 "$SLEEPER" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SLEEPER" 2>/dev/null && { kill "$SLEEPER"; fail "userspace kill: sleep still runs"; }
wait "$SLEEPER" 2>/dev/null
rc_sleep=$?
vigil_stop

[ "$rc_memfd" = 137 ] || fail "memfd exec: exit status $rc_memfd, expected 137 (SIGKILL)"
[ "$rc_drop" = 137 ] || fail "dropped program: exit status $rc_drop, expected 137 (SIGKILL)"
[ "$rc_sleep" = 137 ] || fail "userspace kill: exit status $rc_sleep, expected 137"
[ -e "$WORK/enf.memfd" ] && fail "the memfd program ran: its marker exists"
[ -e "$WORK/enf.drop" ] && fail "the dropped program ran: its marker exists"
[ -s "$WORK/alive" ] || fail "the parent shell did not keep running"
al=$(expect_alert VGL-0001 '.action == "killed"' "memfd exec killed")
expect_field "$al" .responder kernel "memfd kill by the kernel"
expect_field "$al" .respond_latency_us 0 "in-kernel kill latency"
expect_alert T-DROP '.action == "killed" and .responder == "kernel"' "dropped program killed" >/dev/null
expect_alert T-PROTECTED '.action == "protected"' "protected program reported, not killed" >/dev/null
no_alert T-PROTECTED '.action == "killed"' "protected program killed"
al=$(expect_alert T-CMDLINE '.action == "killed"' "userspace kill")
expect_field "$al" .responder userspace "userspace kill responder"
lat=$(printf '%s' "$al" | jq .respond_latency_us)
[ "$lat" -gt 0 ] && [ "$lat" -lt 5000000 ] || fail "userspace kill latency '$lat' us"
pass "memfd and dropped programs killed before running; parent alive; protected spared; userspace kill in ${lat}us"

# ---- the per-rule budget: 1 kill per second, then the rest run
vigil_run_start --enforce --no-default-policy --policy "$POLICY" --actions-per-sec 1
killed=0 ran=0
for i in 1 2 3; do
	if "$DROP/enf-touch" "$WORK/budget.$i"; then ran=$((ran + 1)); else killed=$((killed + 1)); fi
done
vigil_stop
[ "$killed" = 1 ] && [ "$ran" = 2 ] || fail "budget: killed $killed, ran $ran (want 1 and 2)"
expect_alert T-DROP '.action == "rate_limited"' "over-budget exec reported" >/dev/null
pass "per-rule budget: one kill, then rate_limited"

# ---- a binary dropped inside a runc container (drift, VGL-0104)
BUNDLE=$WORK/bundle
R=$BUNDLE/rootfs
mkdir -p "$R/bin" "$R/tmp" "$R/proc" "$R/dev" "$R/sys"
cp /bin/busybox "$R/bin/busybox"
for app in sh cp touch sleep echo true; do ln -s busybox "$R/bin/$app"; done
SCRIPT='cp /bin/busybox /tmp/dropped
/tmp/dropped touch /tmp/marker
echo "rc=$?" >/tmp/rc
/bin/touch /tmp/image-ok
sleep 60'
(cd "$BUNDLE" && runc spec) || fail "runc spec"
jq --arg s "$SCRIPT" '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh","-c",$s]' "$BUNDLE/config.json" >"$BUNDLE/c.json" &&
	mv "$BUNDLE/c.json" "$BUNDLE/config.json"

vigil_run_start --enforce
(cd "$BUNDLE" && runc run -d "$ID" </dev/null >/dev/null 2>&1) || fail "runc run failed"
for _ in $(seq 100); do [ -e "$R/tmp/image-ok" ] && break; sleep 0.1; done
[ -e "$R/tmp/image-ok" ] || fail "container: the image's own program did not run"
[ "$(runc state "$ID" | jq -r .status)" = running ] || fail "container: PID 1 did not survive"
runc exec "$ID" /bin/true || fail "container: runc exec after the kill"
vigil_stop
runc delete -f "$ID" >/dev/null 2>&1
[ -e "$R/tmp/marker" ] && fail "container: the dropped binary ran: its marker exists"
grep -qx "rc=137" "$R/tmp/rc" || fail "container: dropped binary status $(cat "$R/tmp/rc")"
al=$(expect_alert VGL-0104 '.action == "killed"' "drifted binary in the container killed")
expect_field "$al" .event.exec.path /tmp/dropped "drifted binary path"
expect_field "$al" .responder kernel "drift kill by the kernel"
no_alert VGL-0001 true "runc's own memfd re-exec (protected runtime)"
pass "drifted binary in a runc container killed; container and PID 1 keep running"
