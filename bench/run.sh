#!/bin/sh
# run.sh - `make bench`: the benchmark suite of docs/performance.md. The driver
# is bench/bench.py (workloads x modes, medians, ratios to the floor, vigil's
# CPU, memory, events, losses and detection latency); its header lists the
# environment variables (RUNS, BENCH_QUICK=1, sizes, subsets).
cd "$(dirname "$0")/.." || exit 1
exec python3 bench/bench.py "$@"
