#!/bin/bash
# Hooks follow the selected event types: an unselected type costs nothing
# because its programs are not attached. Checked against the kernel's own
# list of BPF links, not vigil's word.
. "$(dirname "$0")/lib.sh"

# attached_hooks: the tracepoints vigil's programs are attached to, sorted,
# as the kernel lists them (bpftool perf shows each attachment with its pid).
attached_hooks() {
	bpftool -j perf show | jq -r ".[] | select(.pid == $VIGIL_PID) | .tracepoint" |
		sort | tr '\n' ' '
}

vigil_start -e none
hooks=$(attached_hooks)
vigil_stop
# cgroup_mkdir/rmdir keep the container cache (lifecycle, metadata) current
[ "$hooks" = "cgroup_mkdir cgroup_rmdir sched_process_exec sched_process_exit sched_process_fork " ] ||
	fail "-e none attached more than the lifecycle hooks: '$hooks'"
pass "-e none: only sched_process_exec/fork/exit and cgroup_mkdir/rmdir (no syscall hook)"

vigil_start -e exec
hooks=$(attached_hooks)
vigil_stop
case "$hooks" in
*sys_exit_execve*) ;;
*) fail "-e exec did not attach the failed-exec hook: '$hooks'" ;;
esac
case "$hooks" in
*openat*|*connect*) fail "-e exec attached unrelated hooks: '$hooks'" ;;
esac
pass "-e exec: exec hooks only"

vigil_start -e open,connect
hooks=$(attached_hooks)
vigil_stop
for h in sys_exit_openat sys_exit_connect; do
	case "$hooks" in *"$h"*) ;; *) fail "-e open,connect did not attach $h: '$hooks'" ;; esac
done
case "$hooks" in *sys_exit_ptrace*|*sys_exit_execve*) fail "unrelated hooks: '$hooks'" ;; esac
pass "-e open,connect: their hooks and no others"
