#!/usr/bin/env bash
# The kernel's open filter (vigil run without --events): opens no rule can
# match stay in the kernel (counted as filtered), while every open a rule
# does match still reaches it: a read of /etc/shadow, a failed one, a write
# under /etc/cron.d/, a /proc/PID/mem write open (/proc is a mount of its
# own), a truncated log, an authorized_keys written in a fresh home.
. "$(dirname "$0")/lib.sh"

INJ=$HELPERS/rule_inject
[ -x "$INJ" ] || fail "missing $INJ: make e2e builds the helpers"
CRON=/etc/cron.d/vgl-of-$$
LOG=/var/log/vgl-of-$$.log
KEYS=$WORK/home/.ssh/authorized_keys
trap 'rm -f "$CRON" "$LOG"; [ -n "${SLEEPER:-}" ] && kill $SLEEPER 2>/dev/null; cleanup' EXIT
mkdir -p "$WORK/tree/a/b" "$WORK/home/.ssh"
for i in $(seq 200); do echo x >"$WORK/tree/a/b/f$i"; done
echo old >"$LOG"

"$VIGIL" run -d 1 -o /dev/null --stats 2>"$WORK/start.err" || fail "vigil run failed"
grep -q "open filter: the kernel sends only opens the rules could match" "$WORK/start.err" ||
	fail "the default policy did not compile to an open filter: $(grep 'open filter' "$WORK/start.err")"

vigil_run_start --stats
for round in 1 2 3; do cat "$WORK"/tree/a/b/f* >/dev/null; done	# 600 unrelated opens
cat /etc/shadow >/dev/null
setpriv --reuid 65534 --regid 65534 --clear-groups cat /etc/shadow 2>/dev/null
echo "* * * * * root true" >"$CRON"
sleep 60 &
SLEEPER=$!
"$INJ" procmem "$SLEEPER" >"$WORK/procmem.out"
: >"$LOG"
echo "ssh-ed25519 AAAA test" >>"$KEYS"
sleep 0.5
vigil_stop

expect_alert VGL-0200 '.event.file.path == "/etc/shadow" and .process.uid == 0' "root reads /etc/shadow" >/dev/null
expect_alert VGL-0200 '.event.file.path == "/etc/shadow" and .process.uid == 65534' \
	"nobody fails to read /etc/shadow" >/dev/null
expect_alert VGL-0300 '.event.file.path == "'"$CRON"'"' "cron.d written" >/dev/null
pid=$(val "$WORK/procmem.out" pid)
expect_alert VGL-0505 ".process.pid == $pid" "/proc/PID/mem opened for writing" >/dev/null
expect_alert VGL-0400 '.event.file.path == "'"$LOG"'"' "a log truncated" >/dev/null
expect_alert VGL-0302 '.event.file.path == "'"$KEYS"'"' "authorized_keys written" >/dev/null
pass "open filter on: shadow read and failed read, cron.d, /proc/PID/mem, log truncation, authorized_keys alert"

filtered=$(grep -o "filtered [0-9]*" "$WORK/vigil.err" | awk '{print $2}')
opens=$(grep -E '^ +open ' "$WORK/vigil.err" | grep -o "received [0-9]*" | awk '{print $2}')
[ "${filtered:-0}" -ge 600 ] || fail "only '${filtered:-none}' opens filtered in the kernel: $(grep -E '^kernel|open' "$WORK/vigil.err")"
[ "${opens:-0}" -lt 600 ] || fail "$opens opens reached userspace"
pass "open filter: $filtered opens stayed in the kernel, $opens reached the rules"
