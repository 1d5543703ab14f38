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
