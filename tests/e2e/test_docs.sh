#!/bin/bash
# The documentation stays true to the binary: every field a rule can use is
# in docs/rules.md, every default rule is listed there, every event type is
# in docs/events.md.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

missing=$("$VIGIL" rules fields | awk '{print $1}' | while read -r f; do
	grep -qF "\`$f\`" docs/rules.md || echo "$f"
done)
[ -z "$missing" ] || fail "fields missing from docs/rules.md: $missing"
pass "docs/rules.md documents every field"

missing=$("$VIGIL" rules --format json | jq -r .id | while read -r id; do
	grep -qF "$id" docs/rules.md || echo "$id"
done)
[ -z "$missing" ] || fail "default rules missing from docs/rules.md: $missing"
pass "docs/rules.md lists every default rule"

for t in exec fork exit open unlink rename link symlink chmod chown truncate utimes memfd_create \
	mmap_exec socket connect accept bind listen setuid capset ptrace process_vm_writev module \
	bpf mount umount unshare setns kexec_load prctl setxattr io_uring_setup cgroup \
	container_start container_exit scan_finding; do
	grep -q "^### \`$t\`" docs/events.md || fail "event type $t not documented in docs/events.md"
done
pass "docs/events.md documents every event type"
