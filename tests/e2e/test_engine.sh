#!/bin/bash
# The detection engine end to end: policy checking, refusal of bad
# policies, the alert schema, hooks derived from the rules, SIGHUP reload
# (good and bad), --disable-rule, --events.
. "$(dirname "$0")/lib.sh"

hooks() {
	bpftool -j perf show | jq -r ".[] | select(.pid == $VIGIL_PID) | .tracepoint" | sort | tr '\n' ' '
}

MARK=vgl-engine-$$
cp /usr/bin/true "$WORK/$MARK"
cat >"$WORK/exec.yaml" <<YAML
- id: E2E-1
  name: marker exec
  description: the test's marker binary ran
  severity: high
  mitre: [T1059]
  tags: [e2e]
  condition: evt.type = exec and proc.exe_name = $MARK
  output: "marker %proc.exepath ran under %proc.pname (uid %user.uid)"
YAML
cat >"$WORK/bad.yaml" <<'YAML'
- id: E2E-BAD
  name: broken
  severity: loud
  condition: evt.type = exec and proc.nmae = x
  output: x
YAML

# 1. checking
out=$("$VIGIL" rules check "$WORK/bad.yaml" 2>&1) && fail "rules check accepted a bad policy"
printf '%s\n' "$out" | grep -q "^$WORK/bad.yaml:3:13: severity 'loud'" || fail "no FILE:LINE:COL for severity: $out"
printf '%s\n' "$out" | grep -q "^$WORK/bad.yaml:4:34: unknown field or macro 'proc.nmae'" ||
	fail "no FILE:LINE:COL for the field: $out"
"$VIGIL" rules check "$WORK/exec.yaml" | grep -q "^ok: " || fail "rules check rejected a good policy"
pass "rules check: FILE:LINE:COL errors, exit status"

# 2. a bad policy never loads
"$VIGIL" run --policy "$WORK/bad.yaml" -d 2 -o "$WORK/none.json" 2>"$WORK/bad.err" &&
	fail "vigil run started with a bad policy"
grep -q "running:" "$WORK/bad.err" && fail "vigil run reported running with a bad policy"
grep -q "policy not loaded" "$WORK/bad.err" || fail "no refusal message"
pass "a bad policy refuses to start"

# 3. alerts, and hooks derived from the rules
vigil_run_start --no-default-policy --no-forensics --policy "$WORK/exec.yaml"
h=$(hooks)
case "$h" in *sys_exit_connect*|*sys_exit_openat*) fail "hooks beyond the rules' needs: $h" ;; esac
"$WORK/$MARK" arg1
sleep 0.3
al=$(expect_alert E2E-1 "marker alert")
expect_field "$al" .kind alert "alert"
expect_field "$al" .rule.name "marker exec" "alert rule"
expect_field "$al" .rule.severity high "alert severity"
expect_field "$al" '.rule.mitre[0]' T1059 "alert mitre"
expect_field "$al" '.rule.tags[0]' e2e "alert tags"
expect_field "$al" .action alerted "alert action"
expect_field "$al" .message "marker $WORK/$MARK ran under bash (uid 0)" "alert message"
expect_field "$al" .process.exe "$WORK/$MARK" "alert process.exe"
expect_field "$al" .process.cwd "$(pwd)" "alert process.cwd"
expect_field "$al" .process.ancestors[0].pid $$ "alert ancestry"
expect_field "$al" .container null "alert container on the host"
expect_field "$al" .event.type exec "alert event"
expect_field "$al" .event.exec.args[1] arg1 "alert event argv"
lat=$(printf '%s' "$al" | jq .detect_latency_us)
[ "$lat" -ge 0 ] && [ "$lat" -lt 1000000 ] || fail "detect_latency_us is $lat"
pass "alert schema: rule, message, process, container, event, latency"

# 4. SIGHUP: a new rule (and its hook) arrives; a broken policy keeps the old
cat >>"$WORK/exec.yaml" <<'YAML'
- id: E2E-2
  name: loopback connect to 9
  description: a connect to the discard port
  severity: low
  mitre: [T1046]
  condition: evt.type = connect and net.dport = 9
  output: "connect to %net.daddr:%net.dport"
YAML
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "policies reloaded" "$WORK/vigil.err" && break; sleep 0.1; done
grep -q "reloaded: 2 rules" "$WORK/vigil.err" || fail "reload not reported"
case "$(hooks)" in *sys_exit_connect*) ;; *) fail "reload did not attach the connect hook" ;; esac
python3 -c 'import socket; s=socket.socket(); s.settimeout(1)
try: s.connect(("127.0.0.1", 9))
except OSError: pass'
sleep 0.3
expect_alert E2E-2 '.event.net.dport == 9' "alert of the reloaded rule" >/dev/null
cp "$WORK/bad.yaml" "$WORK/exec.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "reload failed" "$WORK/vigil.err" && break; sleep 0.1; done
grep -q "reload failed: the previous configuration and policies stay in force" "$WORK/vigil.err" || fail "bad reload not refused"
grep -q "bad.yaml\|exec.yaml:3:13" "$WORK/vigil.err" || fail "bad reload without position"
: >"$ALERTS"
"$WORK/$MARK"
sleep 0.3
expect_alert E2E-1 "old rules still work after a bad reload" >/dev/null
vigil_stop
pass "SIGHUP reload: new rules and hooks; a bad policy keeps the old one"

# 5. --disable-rule and --events
cat >"$WORK/two.yaml" <<YAML
- id: E2E-3
  name: marker again
  description: same marker
  severity: info
  mitre: [T1059]
  condition: evt.type = exec and proc.exe_name = $MARK
  output: again
YAML
vigil_run_start --no-default-policy --policy "$WORK/two.yaml" --disable-rule E2E-3 --events
"$WORK/$MARK"
sleep 0.3
vigil_stop
no_alert E2E-3 "disabled rule"
jq -e 'select(.type == "exec" and .exec.path == "'"$WORK/$MARK"'")' "$ALERTS" >/dev/null ||
	fail "--events did not stream the exec event"
pass "--disable-rule silences a rule; --events streams the events"

"$VIGIL" run --no-default-policy --policy "$WORK/two.yaml" --disable-rule NOPE -d 1 2>"$WORK/nope.err" &&
	fail "unknown --disable-rule accepted"
grep -q "no rule 'NOPE'" "$WORK/nope.err" || fail "unknown --disable-rule not named"
pass "--disable-rule of an unknown id is an error"

# 6. matching a binary by its hash (read through /proc/PID/exe: works even
#    after the file is renamed)
HASH=$(sha256sum "$WORK/$MARK" | cut -d' ' -f1)
cat >"$WORK/hash.yaml" <<YAML
- list: bad_hashes
  items: [$HASH]
- id: E2E-4
  name: known bad binary
  description: the executed file's hash is listed
  severity: critical
  mitre: [T1204]
  condition: evt.type = exec and proc.exe_sha256 in (bad_hashes)
  output: "bad binary %proc.exepath sha256 %proc.exe_sha256"
YAML
cp /usr/bin/true "$WORK/innocent"
echo >>"$WORK/innocent"	# same program, different bytes
vigil_run_start --no-default-policy --policy "$WORK/hash.yaml"
cp "$WORK/$MARK" "$WORK/renamed-$$"
"$WORK/renamed-$$"
"$WORK/innocent"
sleep 0.3
vigil_stop
al=$(expect_alert E2E-4 "hash match")
expect_field "$al" .event.exec.path "$WORK/renamed-$$" "hash match path"
expect_field "$al" .message "bad binary $WORK/renamed-$$ sha256 $HASH" "hash in the message"
no_alert E2E-4 ".event.exec.path == \"$WORK/innocent\"" "a different binary"
pass "rules match executables by SHA-256"

# 7. the default hash rule, fed by appending to its list from a user policy
cat >"$WORK/ioc.yaml" <<YAML
- list: malware_sha256
  append: true
  items: [$HASH]
YAML
vigil_run_start --policy "$WORK/ioc.yaml"
"$WORK/renamed-$$"
"$WORK/innocent"
sleep 0.3
vigil_stop
al=$(expect_alert VGL-0114 "default hash rule with an appended IOC")
expect_field "$al" .event.exec.path "$WORK/renamed-$$" "IOC match path"
no_alert VGL-0114 ".event.exec.path == \"$WORK/innocent\"" "a binary not on the list"
pass "VGL-0114: the default hash rule fires for hashes appended by a user policy"
