#!/bin/bash
# `vigil probe` tries each kernel feature for real and reports it; features
# this host lacks (LSM and fentry here) are rows, never a crash.
. "$(dirname "$0")/lib.sh"

out=$("$VIGIL" probe) || fail "vigil probe exited with $?"
printf '%s\n' "$out" | grep -q "^kernel $(uname -r) " || fail "no kernel line"
for f in btf ringbuf tracepoint tp_btf raw_tracepoint fentry kprobe lsm iter/task \
	cgroup/connect4 cgroup/sock_create bpf_send_signal bpf_loop bpf_task_pt_regs; do
	printf '%s\n' "$out" | grep -Eq "^$f +(yes|no) " || fail "no row for $f"
done
# what the sensor itself needs must be there, or nothing else would pass
for f in btf ringbuf tp_btf tracepoint bpf_task_pt_regs; do
	printf '%s\n' "$out" | grep -Eq "^$f +yes " || fail "$f reported unavailable"
done
# a feature that fails says where and why
lsm=$(printf '%s\n' "$out" | grep -E '^lsm ')
case "$lsm" in
*" yes "*) ;;
*" no "*) printf '%s' "$lsm" | grep -Eq ' (open|load|attach): ' || fail "lsm failure without a reason: $lsm" ;;
esac
pass "probe table: every feature reported with a reason"

"$VIGIL" trace -e exec -d 1 -o /dev/null 2>"$WORK/start.err" || fail "trace failed"
grep -q "kernel features: .*tp_btf yes" "$WORK/start.err" || fail "no feature summary at start"
pass "start-up logs the feature summary"

# the open hooks read syscall arguments at an offset measured at start-up
# (no helper call); on this kernel the measurement must succeed
"$VIGIL" trace -v -e open -d 1 -o /dev/null 2>"$WORK/regs.err" || fail "trace -v failed"
grep -q "syscall registers: at a measured offset from the stack base" "$WORK/regs.err" ||
	fail "the registers' offset was not measured: $(grep 'syscall registers' "$WORK/regs.err")"
pass "syscall registers found at a measured offset from the task's stack"
