#!/bin/bash
# run.sh - overhead benchmark (make bench). For each workload, time it with
# no agent, with `vigil trace` filtered to nothing (only the always-on
# process lifecycle hooks), with `vigil trace` of every event type, and with
# `vigil run` on the default policy, detecting and enforcing (--enforce:
# exec kill rules in the exec tracepoint, fanotify marks, cgroup connect and
# sendmsg hooks); several runs each; print medians and the overhead of each mode.
#
# Environment: RUNS (default 5), OPEN_N (1000000), FORK_N (5000), CONN_N (50000).
set -u
cd "$(dirname "$0")/.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "bench needs root" >&2; exit 1; }

RUNS=${RUNS:-5}
STORM=build/bench/storm
VIGIL=build/vigil
WORK=$(mktemp -d /tmp/vigil-bench.XXXXXX)
trap 'rm -rf "$WORK"; [ -n "${VPID:-}" ] && kill -INT $VPID 2>/dev/null; "$VIGIL" unpin >/dev/null 2>&1' EXIT

WORKLOADS=("open ${OPEN_N:-1000000}" "forkexec ${FORK_N:-5000}" "connect ${CONN_N:-50000}")
MODES=("none" "trace-filtered" "trace-all" "run-default" "run-enforce")

start_agent() {
	if [ "$1" = run ] || [ "$1" = enforce ]; then
		"$VIGIL" run $([ "$1" = enforce ] && echo --enforce) -o "$WORK/alerts.json" --stats \
			2>"$WORK/vigil.err" &
	else
		"$VIGIL" trace -e "$1" -o /dev/null --stats 2>"$WORK/vigil.err" &
	fi
	VPID=$!
	for _ in $(seq 100); do grep -q "tracing\|running:" "$WORK/vigil.err" && return; sleep 0.1; done
	echo "vigil did not start" >&2; cat "$WORK/vigil.err" >&2; exit 1
}

stop_agent() {
	kill -INT "$VPID"; wait "$VPID"; VPID=
	grep -E "^kernel:" "$WORK/vigil.err" | sed 's/^/      /'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '# vigil bench: %s, %s CPUs, kernel %s, %s runs\n' "$(date -u +%F)" "$(nproc)" "$(uname -r)" "$RUNS"
declare -A result
for w in "${WORKLOADS[@]}"; do
	for m in "${MODES[@]}"; do
		case $m in
		trace-filtered) start_agent none ;;
		trace-all) start_agent all ;;
		run-default) start_agent run ;;
		run-enforce) start_agent enforce ;;
		esac
		: >"$WORK/times"
		for _ in $(seq "$RUNS"); do $STORM $w >>"$WORK/times"; done
		result["$w/$m"]=$(median <"$WORK/times")
		echo "  $w  $m: median ${result["$w/$m"]}s"
		[ "$m" != none ] && stop_agent
	done
done

echo
pct() { echo "($1/$2-1)*100" | bc -l; }
printf '%-18s %10s %17s %17s %17s %17s\n' workload "no agent" "trace -e none" "trace -e all" \
	"run (default)" "run --enforce"
for w in "${WORKLOADS[@]}"; do
	base=${result["$w/none"]}
	f=${result["$w/trace-filtered"]}
	a=${result["$w/trace-all"]}
	r=${result["$w/run-default"]}
	e=${result["$w/run-enforce"]}
	printf '%-18s %9.3fs %9.3fs %+5.0f%% %9.3fs %+5.0f%% %9.3fs %+5.0f%% %9.3fs %+5.0f%%\n' \
		"$w" "$base" "$f" "$(pct "$f" "$base")" "$a" "$(pct "$a" "$base")" "$r" \
		"$(pct "$r" "$base")" "$e" "$(pct "$e" "$base")"
done
