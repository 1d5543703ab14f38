#!/bin/bash
# `vigil scan`: plant what rootkits and droppers leave behind, then check that
# each is found, goes through the default policy to its alert, and is gone
# again once removed; the summary says which checks could not run and why.
. "$(dirname "$0")/lib.sh"

SCAN=$WORK/scan.json
TARGETS=()
PRELOAD=/etc/ld.so.preload
PRELOAD_SAVE=$WORK/ld.so.preload.saved
SHM_DIR=/dev/shm/vigil-scan-$$

# The host must be left exactly as it was: processes, /etc/ld.so.preload, files.
restore() {
	for p in "${TARGETS[@]}"; do kill "$p" 2>/dev/null; done
	if [ -e "$PRELOAD_SAVE" ]; then
		cat "$PRELOAD_SAVE" >"$PRELOAD"
	elif [ -n "${PRELOAD_WRITTEN:-}" ]; then
		rm -f "$PRELOAD"
	fi
	rm -rf "$SHM_DIR"
	cleanup
}
trap restore EXIT

# scan [ARGS]: vigil scan --format json --events into $SCAN; its exit status
scan() {
	"$VIGIL" scan --format json --events "$@" >"$SCAN" 2>"$WORK/vigil.err"
}

finding() {	# finding JQ_CONDITION DESCRIPTION: print the first matching finding event
	local ev
	ev=$(jq -c "select(.scan and ($1))" "$SCAN" | head -n 1)
	[ -n "$ev" ] || fail "no finding: $2 (condition: $1)"
	printf '%s\n' "$ev"
}

alert_of() {	# alert_of RULE JQ_CONDITION DESCRIPTION: an alert on a matching finding
	local al
	al=$(jq -c "select(.kind == \"alert\" and .rule.id == \"$1\" and (.event | $2))" "$SCAN" |
		head -n 1)
	[ -n "$al" ] || fail "no alert $1: $3"
}

# start_target VAR CMD...: run CMD in the background, its pid in VAR
start_target() {
	local var=$1
	shift
	"$@" >"$WORK/$var.out" 2>&1 &
	TARGETS+=($!)
	printf -v "$var" '%s' "$!"
}

# ---- a baseline: what this host shows before the test plants anything ----
scan
rc=$?
[ "$rc" -le 1 ] || fail "vigil scan failed (exit $rc)"
summary=$(jq -c 'select(.kind == "scan_summary")' "$SCAN")
[ -n "$summary" ] || fail "no scan_summary line"
[ "$(printf '%s' "$summary" | jq '.checks | length')" -eq 9 ] || fail "summary lists $(printf '%s' "$summary" | jq '.checks | length') checks, expected 9"
bad=$(printf '%s' "$summary" | jq -r '.checks[] | select(.status != "ran" and ((.reason // "") == "")) | .name')
[ -z "$bad" ] || fail "checks that did not run without saying why: $bad"
if [ ! -e /proc/modules ]; then
	printf '%s' "$summary" | jq -e '.checks[] | select(.name == "kernel_modules" and .status == "not_available" and (.reason | contains("no module support")))' >/dev/null ||
		fail "kernel_modules must be not_available (no module support) on this kernel"
fi
if ! grep -qw sys_call_table /proc/kallsyms; then
	printf '%s' "$summary" | jq -e '.checks[] | select(.name == "syscall_table" and .status == "not_available" and (.reason | contains("sys_call_table")))' >/dev/null ||
		fail "syscall_table must be not_available without sys_call_table in kallsyms"
fi
for c in hidden_processes proc_mounts ld_so_preload process_memory executables bpf setuid_world_writable; do
	printf '%s' "$summary" | jq -e ".checks[] | select(.name == \"$c\" and .status == \"ran\")" >/dev/null ||
		fail "check $c did not run: $(printf '%s' "$summary" | jq -c ".checks[] | select(.name == \"$c\")")"
done
pass "the summary lists every check; those that cannot run here say why"
printf '%s' "$summary" | jq -r '.checks[] | select(.status != "ran") | "   \(.name): \(.status): \(.reason)"'
# (check, subject) of what the host already had, e.g. this machine's own
# session runner executing from a memfd
jq -r 'select(.scan) | "\(.scan.check) \(.scan.subject)"' "$SCAN" | sort -u >"$WORK/baseline"
echo "   baseline findings: $(wc -l <"$WORK/baseline")"

# ---- plant ----
start_target KPROBE "$HELPERS/scan_target" bpf-kprobe scan_e2e_kp
start_target SOCKF "$HELPERS/scan_target" bpf-socket scan_e2e_sf
start_target MASQ "$HELPERS/scan_target" rename "kworker/u9:9"
cp /bin/sleep "$WORK/dropper"
start_target DELETED "$WORK/dropper" 600
start_target MEMFD "$HELPERS/memfd_exec" e2e-fileless /bin/sleep 600
cp "$(ldd /bin/sleep | awk '/libc.so/ {print $3}')" "$WORK/libinject.so"
start_target PRELOADED env LD_PRELOAD="$WORK/libinject.so" /bin/sleep 600
start_target HIDDEN /bin/sleep 600
mkdir -p "$SHM_DIR" "$WORK/empty"
cp /bin/true "$SHM_DIR/.rootsh"
chmod 4755 "$SHM_DIR/.rootsh"
if [ -e "$PRELOAD" ]; then cp -p "$PRELOAD" "$PRELOAD_SAVE"; fi
# an empty file: reported, and harmless to every other program on the host
PRELOAD_WRITTEN=1
[ -e "$PRELOAD_SAVE" ] || : >"$PRELOAD"
for _ in $(seq 1 50); do
	grep -q '^pid=' "$WORK/KPROBE.out" && grep -q '^pid=' "$WORK/SOCKF.out" &&
		grep -q '^pid=' "$WORK/MASQ.out" && break
	sleep 0.1
done
rm "$WORK/dropper"
sleep 1.5	# older than --min-age 1
KPROBE_ID=$(val "$WORK/KPROBE.out" prog_id)
SOCKF_ID=$(val "$WORK/SOCKF.out" prog_id)
[ -n "$KPROBE_ID" ] && [ -n "$SOCKF_ID" ] || fail "scan_target did not load its programs"

# one scan, in a mount namespace of its own where /proc/$HIDDEN is covered
unshare -m --propagation private bash -c \
	"mount --bind '$WORK/empty' /proc/$HIDDEN && exec '$VIGIL' scan --format json --events --min-age 1" \
	>"$SCAN" 2>"$WORK/vigil.err"
rc=$?
[ "$rc" -eq 1 ] || fail "vigil scan must exit 1 when it alerts, got $rc"
pass "vigil scan exits 1 on alerts"

ev=$(finding ".scan.check == \"proc_mount_over\" and .scan.pid == $HIDDEN" "mount over /proc/$HIDDEN")
expect_field "$ev" .scan.subject "/proc/$HIDDEN" "mount over /proc/PID"
alert_of VGL-0902 ".scan.pid == $HIDDEN" "process hidden by a mount over /proc/PID"
pass "a process hidden by a bind mount over /proc/PID is reported (VGL-0902)"

ev=$(finding ".scan.check == \"bpf_program\" and .scan.bpf_id == $KPROBE_ID" "kprobe program")
expect_field "$ev" .scan.bpf_type kprobe "kprobe program type"
expect_field "$ev" .scan.subject scan_e2e_kp "kprobe program name"
expect_field "$ev" .scan.pid "$KPROBE" "kprobe program loader pid"
expect_field "$ev" .proc.comm scan_target "kprobe program loader comm"
expect_field "$ev" '.scan.flags | index("risky") != null' true "kprobe flagged risky"
alert_of VGL-0908 ".scan.bpf_id == $KPROBE_ID" "kprobe program"
ev=$(finding ".scan.check == \"bpf_program\" and .scan.bpf_id == $SOCKF_ID" "socket filter")
expect_field "$ev" .scan.bpf_type socket_filter "socket filter type"
expect_field "$ev" .scan.pid "$SOCKF" "socket filter loader pid"
expect_field "$ev" '.scan.flags | index("risky") != null' false "socket filter not risky"
alert_of VGL-0909 ".scan.bpf_id == $SOCKF_ID" "socket filter"
pass "BPF programs loaded by a test process are reported with type and loader (VGL-0908, VGL-0909)"

if [ -e "$PRELOAD_SAVE" ]; then
	echo "   /etc/ld.so.preload existed before the test: kept as it was"
	finding '.scan.check == "ld_so_preload"' "ld.so.preload (pre-existing)" >/dev/null
else
	ev=$(finding '.scan.check == "ld_so_preload"' "/etc/ld.so.preload written")
	expect_field "$ev" .scan.subject /etc/ld.so.preload "ld.so.preload subject"
	alert_of VGL-0903 '.scan.check == "ld_so_preload"' "/etc/ld.so.preload exists"
fi
pass "/etc/ld.so.preload is reported (VGL-0903)"

ev=$(finding ".scan.check == \"exe_deleted\" and .scan.pid == $DELETED" "deleted binary")
expect_field "$ev" .scan.subject "$WORK/dropper" "deleted binary path"
alert_of VGL-0911 ".scan.pid == $DELETED" "deleted binary"
ev=$(finding ".scan.check == \"exe_memfd\" and .scan.pid == $MEMFD" "memfd process")
expect_field "$ev" '.scan.subject | startswith("/memfd:e2e-fileless")' true "memfd name"
alert_of VGL-0912 ".scan.pid == $MEMFD" "memfd process"
pass "a deleted running binary and a memfd process are reported (VGL-0911, VGL-0912)"

finding ".scan.check == \"masquerade\" and .scan.pid == $MASQ" "kworker masquerade" >/dev/null
alert_of VGL-0913 ".scan.pid == $MASQ" "masquerading process"
pass "a process calling itself kworker/u9:9 is reported (VGL-0913)"

finding ".scan.check == \"ld_preload_env\" and .scan.pid == $PRELOADED" "LD_PRELOAD process" >/dev/null
alert_of VGL-0905 ".scan.pid == $PRELOADED" "LD_PRELOAD in a long-running process"
finding ".scan.check == \"so_tmp\" and .scan.pid == $PRELOADED and .scan.subject == \"$WORK/libinject.so\"" \
	"library mapped from /tmp" >/dev/null
alert_of VGL-0907 ".scan.pid == $PRELOADED" "library mapped from /tmp"
pass "LD_PRELOAD and a library mapped from /tmp are reported (VGL-0905, VGL-0907)"

finding ".scan.check == \"setuid_world_writable\" and .scan.subject == \"$SHM_DIR/.rootsh\"" \
	"setuid file in /dev/shm" >/dev/null
alert_of VGL-0914 ".scan.subject == \"$SHM_DIR/.rootsh\"" "setuid file in /dev/shm"
pass "a setuid file in a world-writable directory is reported (VGL-0914)"

# ---- remove everything: the scan is back to the baseline ----
for p in "${TARGETS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
TARGETS=()
if [ -e "$PRELOAD_SAVE" ]; then cat "$PRELOAD_SAVE" >"$PRELOAD"; else rm -f "$PRELOAD"; fi
PRELOAD_WRITTEN=
rm -rf "$SHM_DIR"
scan
jq -r 'select(.scan) | "\(.scan.check) \(.scan.subject)"' "$SCAN" | sort -u >"$WORK/after"
# This machine is shared: other sessions start programs (benchmarks loading
# BPF, other vigil builds) while the test runs. A new finding about a process
# outside this test's process tree is theirs: listed, not a failure. A new
# finding about no process, or about one of ours, is a leftover: a failure.
ours() {	# ours PID: PID descends from this test
	local p=$1
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		[ "$p" -eq $$ ] && return 0
		p=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
	done
	return 1
}
new=$(comm -13 "$WORK/baseline" "$WORK/after" | while read -r check subject; do
	pid=$(jq -r --arg c "$check" --arg s "$subject" 'select(.scan.check == $c and .scan.subject == $s) | .scan.pid' "$SCAN" | head -n 1)
	if [ "${pid:-0}" -ne 0 ] && ! ours "$pid"; then
		echo "   not this test's: $check $subject (pid $pid, $(cat "/proc/$pid/comm" 2>/dev/null))" >&2
		continue
	fi
	echo "$check $subject"
done)
no_finding() { [ -z "$(jq -c "select(.scan and ($1))" "$SCAN")" ] || fail "still reported after removal: $2"; }
[ -e "$PRELOAD_SAVE" ] || no_finding '.scan.check == "ld_so_preload"' "/etc/ld.so.preload"
no_finding ".scan.bpf_id == $KPROBE_ID or .scan.bpf_id == $SOCKF_ID" "the test's BPF programs"
no_finding ".scan.pid == $MEMFD or .scan.pid == $DELETED or .scan.pid == $MASQ" "the test's processes"
pass "after cleanup the scan reports only what the host had before ($(wc -l <"$WORK/after") findings)"
