#!/usr/bin/env bash
# Alert delivery through the real binary: a rotated JSON file, a real
# rsyslogd (TCP, RFC 5424), and a real HTTP receiver in Falco's format.
# The receiver goes down while alerts fire, and vigil restarts before it
# comes back: every alert arrives exactly once, in order, from the spool.
. "$(dirname "$0")/lib.sh"

RSYSLOGD=/usr/sbin/rsyslogd
RECEIVER=$ROOT/tests/receivers/http_receiver.py
[ -x "$RSYSLOGD" ] || fail "rsyslog is not installed (scripts/deps.sh installs it)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RS_PID= RX_PID=
trap '[ -n "$RS_PID" ] && kill $RS_PID 2>/dev/null; [ -n "$RX_PID" ] && kill $RX_PID 2>/dev/null; cleanup' EXIT

# ---- a real rsyslogd of the test's own, TCP on loopback, into a file
TCP=$(free_port)
mkdir -p "$WORK/rsyslog"
cat >"$WORK/rsyslog/rsyslog.conf" <<EOC
global(workDirectory="$WORK/rsyslog")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$TCP")
template(name="f" type="string" string="v=%protocol-version% pri=%pri% app=%app-name% sd=%structured-data% msg=%msg%\n")
action(type="omfile" file="$WORK/rsyslog/messages" template="f")
EOC
"$RSYSLOGD" -n -f "$WORK/rsyslog/rsyslog.conf" -i "$WORK/rsyslog/pid" &
RS_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$TCP) 2>/dev/null && break; sleep 0.1; done

# ---- the webhook receiver (started later: it is down at first)
HTTP=$(free_port)
start_receiver() {
	python3 "$RECEIVER" --port "$HTTP" --out "$WORK/bodies" --falco &
	RX_PID=$!
	for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$HTTP) 2>/dev/null && return; sleep 0.1; done
	fail "the receiver did not start"
}

BIN=$WORK/vgl-out-$$
cp /bin/true "$BIN"
cat >"$WORK/policy.yaml" <<EOP
- id: T-OUT
  name: the outputs test's marker program ran
  severity: high
  tags: [test]
  condition: evt.type = exec and proc.exe = $BIN
  output: marker %proc.cmdline
EOP
cat >"$WORK/vigil.yaml" <<EOC
policy:
  files: [$WORK/policy.yaml]
  default: false
outputs:
  stdout:
    enabled: false
  file:
    path: $WORK/alerts.log
    rotate_bytes: 20000
    keep: 2
  syslog:
    address: tcp://127.0.0.1:$TCP
    facility: local3
  webhook:
    url: http://127.0.0.1:$HTTP/
    format: falco
    headers:
      X-Vigil-Test: yes
    timeout_ms: 2000
  retry_min_ms: 100
  retry_max_ms: 500
  spool:
    dir: $WORK/spool
EOC
"$VIGIL" config check "$WORK/vigil.yaml" >/dev/null || fail "config check: the test's file"

vigil_run_start --config "$WORK/vigil.yaml"
for i in $(seq 1 20); do "$BIN" "n=$i"; done
sleep 2		# the webhook is down: these go to its spool
vigil_stop	# a restart of vigil while the receiver is still down
ls "$WORK/spool/webhook" >/dev/null 2>&1 || fail "no webhook spool directory"
vigil_run_start --config "$WORK/vigil.yaml"
for i in $(seq 21 30); do "$BIN" "n=$i"; done
start_receiver
for _ in $(seq 100); do [ "$(wc -l <"$WORK/bodies" 2>/dev/null)" -ge 30 ] && break; sleep 0.1; done
sleep 0.5
vigil_stop
kill $RX_PID; RX_PID=
kill $RS_PID; RS_PID=

# webhook: every alert exactly once, in order, in Falco's format
got=$(jq -r '.output_fields["proc.cmdline"]' "$WORK/bodies" | sed 's/.* n=//' | tr '\n' ' ')
want=$(seq -s ' ' 1 30)
[ "$got" = "$want " ] || fail "webhook deliveries: '$got', want '$want '"
jq -e 'select(.rule == "the outputs test'"'"'s marker program ran" and .priority == "Error"
	and .source == "syscall" and (.tags | index("test")) and .hostname != null
	and (.time | test("^[0-9-]+T[0-9:.]+Z$")))' "$WORK/bodies" >/dev/null ||
	fail "not Falco's payload: $(head -1 "$WORK/bodies")"
pass "webhook: 30 alerts across a receiver outage and a vigil restart, each once, in order, Falco format"

# syslog: RFC 5424 over TCP, PRI = local3 (19) * 8 + err (3)
n=$(grep -c '^v=1 pri=155 app=vigil ' "$WORK/rsyslog/messages")
[ "$n" = 30 ] || fail "rsyslog got $n RFC 5424 messages, want 30: $(head -2 "$WORK/rsyslog/messages")"
grep -q 'sd=\[.*T-OUT' "$WORK/rsyslog/messages" || fail "no rule id in the structured data"
pass "syslog: 30 RFC 5424 messages in a real rsyslogd, PRI and structured data"

# file: JSON lines, rotated at 20 kB, two old files kept, none lost in between
total=$(cat "$WORK"/alerts.log* | jq -c 'select(.rule.id == "T-OUT")' | wc -l)
[ -e "$WORK/alerts.log.1" ] || fail "the file never rotated"
[ ! -e "$WORK/alerts.log.3" ] || fail "more rotated files than keep: 2"
[ "$total" -le 30 ] && [ "$total" -ge 1 ] || fail "file outputs hold $total alerts"
pass "file: JSON lines rotated by size, retention of 2"
