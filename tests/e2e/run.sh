#!/bin/bash
# run.sh - run every end-to-end test (tests/e2e/test_*.sh) as root.
# Usage: tests/e2e/run.sh [pattern]
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "e2e tests need root (BPF)" >&2; exit 1; }
[ -x build/vigil ] || { echo "build/vigil missing: run make" >&2; exit 1; }

failed=()
for t in tests/e2e/test_*.sh; do
	case "$t" in *"${1:-}"*) ;; *) continue ;; esac
	echo "== $t"
	if ! timeout 300 bash "$t"; then
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "all e2e tests passed"
