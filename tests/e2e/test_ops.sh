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
