#!/usr/bin/env bash
# Operating vigil: its own log (levels; journald priorities when stderr is
# the journal).
. "$(dirname "$0")/lib.sh"

# ---- the log: "vigil: level: ..." on a terminal or file, "<N>level: ..."
# when stderr is a journal stream (systemd sets JOURNAL_STREAM=dev:ino)
"$VIGIL" run -d 1 -o /dev/null 2>"$WORK/plain.err" || fail "vigil run failed"
grep -q "^vigil: info: running: " "$WORK/plain.err" || fail "plain log: $(head -3 "$WORK/plain.err")"
: >"$WORK/journal.err"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal.err") "$VIGIL" run -d 1 -o /dev/null \
	--policy /nonexistent 2>>"$WORK/journal.err" && fail "a missing policy file was accepted"
grep -q "^<3>error: policy not loaded" "$WORK/journal.err" ||
	fail "journal log: no <3> error line: $(head -3 "$WORK/journal.err")"
JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal.err") "$VIGIL" run -d 1 -o /dev/null \
	2>>"$WORK/journal.err" || fail "vigil run failed"
grep -q "^<6>info: running: " "$WORK/journal.err" || fail "journal log: no <6> info line"
grep -q "^vigil: " "$WORK/journal.err" && fail "journal log: plain lines mixed in"
pass "log: levels as text, syslog priorities when stderr is the journal"

# ---- metrics and health, scraped during a burst of alerts
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BIN=$WORK/vgl-metric-$$
cp /bin/true "$BIN"
cat >"$WORK/metric.yaml" <<EOP
- id: T-METRIC
  name: the metrics test's marker program ran
  severity: low
  condition: evt.type = exec and proc.exe = $BIN
  output: marker %proc.pid
EOP
vigil_run_start --no-default-policy --policy "$WORK/metric.yaml" --metrics-addr "127.0.0.1:$PORT"
grep -q "metrics: serving /metrics, /healthz and /readyz on 127.0.0.1:$PORT" "$WORK/vigil.err" ||
	fail "no metrics server in the log"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")" = 200 ] || fail "/healthz"
[ "$(curl -s "http://127.0.0.1:$PORT/readyz")" = ok ] || fail "/readyz is not ok once running"
N=200
for i in $(seq $N); do
	"$BIN"
	[ "$i" = 100 ] && curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/mid.prom"
done
sleep 1.5	# one publication later
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/end.prom" || fail "scrape failed"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nothing")" = 404 ] || fail "404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")" = 405 ] ||
	fail "405"
vigil_stop
grep -q '^vigil_rules_loaded 1$' "$WORK/mid.prom" || fail "mid-burst scrape: $(head -5 "$WORK/mid.prom")"
alerts=$(jq -c 'select(.kind == "alert" and .rule.id == "T-METRIC")' "$ALERTS" | wc -l)
[ "$alerts" = $N ] || fail "$alerts alerts written, expected $N"
m() { awk -v k="$1" '$1 == k {print $2}' "$WORK/end.prom"; }
[ "$(m 'vigil_alerts_total{rule="T-METRIC",severity="low"}')" = $N ] ||
	fail "vigil_alerts_total says $(m 'vigil_alerts_total{rule="T-METRIC",severity="low"}'), $N written"
[ "$(m 'vigil_detection_latency_seconds_count')" = $N ] || fail "detection latency count"
execs=$(m 'vigil_events_total{type="exec"}')
[ "${execs:-0}" -ge $N ] || fail "vigil_events_total{type=exec} is '$execs'"
[ "$(m 'vigil_rule_evaluation_seconds_count')" -ge "$execs" ] || fail "rule evaluation count"
awk '$1 == "vigil_process_resident_memory_bytes" && $2 > 1000000 {ok=1} END {exit !ok}' \
	"$WORK/end.prom" || fail "no resident memory"
grep -q '^# TYPE vigil_detection_latency_seconds histogram' "$WORK/end.prom" || fail "histogram type"
pass "metrics: $N alerts written and counted, exec events, latency histograms, health probes"

# ---- the configuration file: exact error positions, `vigil config check`
cat >"$WORK/bad.yaml" <<'EOC'
log_level: debug
policy:
  default: true
  filez: [/x]
outputs:
  file:
    path: relative/path
  webhook:
    url: http://127.0.0.1:1/x
    format: splunk
EOC
"$VIGIL" config check "$WORK/bad.yaml" >"$WORK/check.out" 2>&1 && fail "config check accepted a bad file"
grep -q "bad.yaml:4:3: unknown setting 'policy.filez' (known: default, files, disabled_rules)" \
	"$WORK/check.out" || fail "unknown key: $(cat "$WORK/check.out")"
grep -q "bad.yaml:7:11: 'outputs.file.path' wants an absolute path" "$WORK/check.out" ||
	fail "relative path: $(cat "$WORK/check.out")"
grep -q "bad.yaml:10:13: 'outputs.webhook.format' wants one of: vigil, falco" "$WORK/check.out" ||
	fail "bad choice: $(cat "$WORK/check.out")"
"$VIGIL" run --config "$WORK/bad.yaml" -d 1 >/dev/null 2>&1 && fail "vigil run accepted a bad file"
printf 'policy:\n  files: [%s]\n' "$WORK/nope.yaml" >"$WORK/nopol.yaml"
"$VIGIL" config check "$WORK/nopol.yaml" >"$WORK/check.out" 2>&1 && fail "a missing policy file passed"
grep -q "nope.yaml" "$WORK/check.out" || fail "missing policy file not named: $(cat "$WORK/check.out")"
cat >"$WORK/good.yaml" <<EOC
log_level: info
policy:
  default: false
  files: [$WORK/metric.yaml]
EOC
"$VIGIL" config check "$WORK/good.yaml" >"$WORK/check.out" 2>&1 || fail "good file: $(cat "$WORK/check.out")"
grep -q "good.yaml: ok (1 rules from 1 policy file)" "$WORK/check.out" || fail "$(cat "$WORK/check.out")"
pass "config check: FILE:LINE:COL for unknown keys and bad values; the policies it names are compiled"

# ---- SIGHUP: a good new configuration applies, a broken one changes nothing
cp "$WORK/good.yaml" "$WORK/live.yaml"
vigil_run_start --config "$WORK/live.yaml"
grep -q "running: 1 rules" "$WORK/vigil.err" || fail "the file's policy was not used"
"$BIN"
cat >>"$WORK/live.yaml" <<EOC
  disabled_rules: [T-METRIC]
metrics:
  address: "127.0.0.1:1"
EOC
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "reloaded: 0 rules" "$WORK/vigil.err" && break; sleep 0.1; done
grep -q "reloaded: 0 rules" "$WORK/vigil.err" || fail "good reload: $(tail -3 "$WORK/vigil.err")"
grep -q "reload: 'metrics.address' changed: it takes effect when vigil restarts" "$WORK/vigil.err" ||
	fail "a start-only setting change was not reported"
"$BIN" --disabled-now
cp "$WORK/good.yaml" "$WORK/live.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "reloaded: 1 rules" "$WORK/vigil.err" && break; sleep 0.1; done
printf 'policy:\n  default: false\n  files: [%s]\nbogus: 1\n' "$WORK/metric.yaml" >"$WORK/live.yaml"
kill -HUP "$VIGIL_PID"
for _ in $(seq 50); do grep -q "reload failed" "$WORK/vigil.err" && break; sleep 0.1; done
grep -q "live.yaml:4:1: unknown setting 'bogus'" "$WORK/vigil.err" || fail "broken reload not explained"
grep -q "reload failed: the configuration has problems" "$WORK/vigil.err" || fail "broken reload accepted"
"$BIN" --after-broken
vigil_stop
n=$(jq -c 'select(.kind == "alert" and .rule.id == "T-METRIC")' "$ALERTS" | wc -l)
[ "$n" = 2 ] || fail "alerts before, while disabled, after a broken reload: $n (want 2)"
no_alert T-METRIC '(.event.exec.args | index("--disabled-now")) != null' "disabled rule fired"
expect_alert T-METRIC '(.event.exec.args | index("--after-broken")) != null' \
	"the rule after a broken reload" >/dev/null
pass "SIGHUP: configuration and policies reload together; a broken file keeps what runs"

# ---- the raw sys_exit fallback (every syscall pays) is a choice, off by default
grep -q "is off (syscall_fallback: true turns it on)" "$WORK/plain.err" ||
	fail "the log does not say the syscall fallback is off"
pass "syscall fallback: off unless configured, and the log says so"

# ---- the ring-buffer reader's priority (event_loop_priority): realtime by
# default, nice -10 for high, untouched for normal, a bad value named
# loop_policy PID: the scheduling policy and nice of the event loop (the main thread)
loop_policy() {
	local stat
	stat=$(sed 's/.*) //' "/proc/$1/task/$1/stat")
	# fields after the comm: 17 = nice, 39 = policy (0 other, 1 fifo)
	awk '{print $39 " " $17}' <<<"$stat"
}
for prio in default realtime high normal; do
	if [ "$prio" = default ]; then : >"$WORK/prio.yaml"; else
		printf 'event_loop_priority: %s\n' "$prio" >"$WORK/prio.yaml"; fi
	vigil_run_start --config "$WORK/prio.yaml"
	got=$(loop_policy "$VIGIL_PID")
	vigil_stop
	case "$prio" in
	default | realtime) want="1 0" ;;
	high) want="0 -10" ;;
	normal) want="0 0" ;;
	esac
	[ "$got" = "$want" ] || fail "event_loop_priority $prio: policy and nice '$got', want '$want'"
done
printf 'event_loop_priority: urgent\n' >"$WORK/prio.yaml"
"$VIGIL" config check "$WORK/prio.yaml" >"$WORK/check.out" 2>&1 && fail "config check accepted priority 'urgent'"
grep -q "prio.yaml:1:" "$WORK/check.out" || fail "bad priority not placed: $(cat "$WORK/check.out")"
pass "event_loop_priority: SCHED_FIFO by default, nice -10 for high, normal untouched, bad values named"
