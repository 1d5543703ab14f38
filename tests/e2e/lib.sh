# shellcheck shell=bash
# lib.sh - helpers for vigil's end-to-end tests. Each test script sources
# this, starts the real binary, triggers real behaviour and asserts on the
# JSON events it wrote. A failed assertion exits the script non-zero.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VIGIL=${VIGIL:-$ROOT/build/vigil}
HELPERS=$ROOT/build/helpers
WORK=$(mktemp -d /tmp/vigil-e2e.XXXXXX)
EVENTS=$WORK/events.json
VIGIL_PID=
# network blocks of `vigil run --enforce` outlive vigil: each test pins its own
PIN_DIR=/sys/fs/bpf/vigil-e2e-$$

cleanup() {
	[ -n "$VIGIL_PID" ] && kill -INT "$VIGIL_PID" 2>/dev/null && wait "$VIGIL_PID" 2>/dev/null
	[ -e "$PIN_DIR" ] && "$VIGIL" unpin --pin-dir "$PIN_DIR" >/dev/null 2>&1
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$WORK/vigil.err" ]; then
		echo "--- vigil stderr:" >&2
		tail -n 20 "$WORK/vigil.err" >&2
	fi
	exit 1
}

pass() {
	echo "ok: $*"
}

# start_vigil OUT READY ARGS... : run `vigil ARGS -o OUT` in the background
# until vigil_stop; return once its log says READY (hooks attached).
start_vigil() {
	local out=$1 ready=$2
	shift 2
	: >"$out"
	"$VIGIL" "$@" -o "$out" 2>"$WORK/vigil.err" &
	VIGIL_PID=$!
	for _ in $(seq 1 100); do
		grep -q "$ready" "$WORK/vigil.err" 2>/dev/null && return 0
		kill -0 "$VIGIL_PID" 2>/dev/null || fail "vigil $1 exited at start"
		sleep 0.1
	done
	fail "vigil $1 did not start within 10s"
}

# vigil_start ARGS... : `vigil trace ARGS` writing events to $EVENTS.
vigil_start() {
	start_vigil "$EVENTS" "tracing" trace "$@"
}

# vigil_stop: stop vigil and wait until every event is flushed.
vigil_stop() {
	[ -n "$VIGIL_PID" ] || return 0
	sleep 0.3	# let the last records reach the ring buffer reader
	kill -INT "$VIGIL_PID"
	wait "$VIGIL_PID" || fail "vigil exited with status $?"
	VIGIL_PID=
}

# find_event JQ_CONDITION : print the first event matching the condition.
find_event() {
	jq -c "select($1)" "$EVENTS" | head -n 1
}

# expect_event JQ_CONDITION DESCRIPTION : the event must exist; prints it.
expect_event() {
	local ev
	ev=$(find_event "$1")
	[ -n "$ev" ] || fail "no event: $2 (condition: $1)"
	printf '%s\n' "$ev"
}

# expect_field EVENT_JSON JQ_PATH EXPECTED DESCRIPTION
expect_field() {
	local got
	got=$(printf '%s' "$1" | jq -r "$2")
	[ "$got" = "$3" ] || fail "$4: $2 is '$got', expected '$3'"
}

# no_event JQ_CONDITION DESCRIPTION : no event may match.
no_event() {
	local ev
	ev=$(find_event "$1")
	[ -z "$ev" ] || fail "unexpected event: $2: $ev"
}

# val FILE KEY : the value of the first "KEY=value" token that starts a line
# of FILE (test helpers print what they did that way).
val() {
	grep -o "^$2=[^ ]*" "$1" | head -n 1 | cut -d= -f2-
}

# ---- alerts (vigil run) ----
ALERTS=$WORK/alerts.json

# vigil_run_start ARGS... : `vigil run ARGS` writing alerts to $ALERTS.
vigil_run_start() {
	start_vigil "$ALERTS" "running:" run --pin-dir "$PIN_DIR" "$@"
}

# alert_query RULE_ID [JQ_CONDITION] : the first alert of RULE_ID matching
# the condition (true when omitted), or nothing.
alert_query() {
	jq -c "select(.kind == \"alert\" and .rule.id == \"$1\" and (${2:-true}))" "$ALERTS" |
		head -n 1
}

# expect_alert RULE_ID [JQ_CONDITION] DESCRIPTION : print the first alert of
# RULE_ID (matching the condition); fail when there is none.
expect_alert() {
	local cond=true al
	[ $# -ge 3 ] && cond=$2
	al=$(alert_query "$1" "$cond")
	[ -n "$al" ] || fail "no alert $1: ${!#} (condition: $cond)"
	printf '%s\n' "$al"
}

# no_alert RULE_ID [JQ_CONDITION] DESCRIPTION : no alert of RULE_ID may match.
no_alert() {
	local cond=true al
	[ $# -ge 3 ] && cond=$2
	al=$(alert_query "$1" "$cond")
	[ -z "$al" ] || fail "unexpected alert $1: ${!#}: $al"
}

# ev JQ_CONDITION DESC : with `vigil run --events`, an event (not an alert)
# must exist in $ALERTS: proof that a benign neighbour really did what the
# no_alert next to it says it did.
ev() {
	local e
	e=$(jq -c "select(.kind == null and ($1))" "$ALERTS" | head -n 1)
	[ -n "$e" ] || fail "no event: $2 (condition: $1)"
}

# args_has WORD : a jq condition true when WORD is one of the process's arguments.
args_has() {
	printf '(.process.args | split(" ") | index("%s") != null)' "$1"
}
