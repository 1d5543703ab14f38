#!/bin/bash
# test_memory.sh - memfd_create and mmap_exec: a memfd with its name and
# flags, anonymous RWX memory, RW memory turned RX; neither a read-only file
# mapping made executable nor the library loading of `ls` may be reported.
. "$(dirname "$0")/lib.sh"

MEM=$HELPERS/mem_ops
[ -x "$MEM" ] || fail "missing $MEM (run: make build/helpers/mem_ops)"

vigil_start -e memfd_create,mmap_exec

"$MEM" >"$WORK/mem.out" || fail "mem_ops failed"
for _ in 1 2 3; do
	ls -l / /usr/lib >/dev/null || fail "ls failed"
done

vigil_stop

out=$WORK/mem.out
pid=$(val "$out" pid)
[ -n "$pid" ] || fail "helper output incomplete: $(cat "$out")"

ev=$(expect_event ".type == \"memfd_create\" and .proc.pid == $pid" "memfd_create") || exit 1
expect_field "$ev" .ret "$(val "$out" memfd)" "memfd_create"
expect_field "$ev" .category memory "memfd_create"
expect_field "$ev" .mem.syscall memfd_create "memfd_create"
expect_field "$ev" .mem.name vgl-test "memfd_create"
expect_field "$ev" '.mem.flags | join(",")' MFD_CLOEXEC "memfd_create"
expect_field "$ev" .mem.fd "$(val "$out" memfd)" "memfd_create"
pass "memfd_create: name 'vgl-test', flags MFD_CLOEXEC, fd"

addr=$(val "$out" rwx_addr)
ev=$(expect_event ".type == \"mmap_exec\" and .mem.addr == \"$addr\"" "anonymous RWX mmap") || exit 1
expect_field "$ev" .proc.pid "$pid" "rwx mmap"
expect_field "$ev" .ret 0 "rwx mmap"
expect_field "$ev" .mem.syscall mmap "rwx mmap"
expect_field "$ev" .mem.len 8192 "rwx mmap"
expect_field "$ev" '.mem.prot | join(",")' PROT_READ,PROT_WRITE,PROT_EXEC "rwx mmap"
expect_field "$ev" '.mem.flags | join(",")' MAP_PRIVATE,MAP_ANONYMOUS "rwx mmap"
expect_field "$ev" .mem.anonymous true "rwx mmap"
expect_field "$ev" .mem.was_writable true "rwx mmap"
expect_field "$ev" .mem.fd -1 "rwx mmap"
pass "anonymous RWX mmap reported at $addr"

addr=$(val "$out" rx_addr)
ev=$(expect_event ".type == \"mmap_exec\" and .mem.addr == \"$addr\"" "RW -> RX mprotect") || exit 1
expect_field "$ev" .proc.pid "$pid" "rx mprotect"
expect_field "$ev" .ret 0 "rx mprotect"
expect_field "$ev" .mem.syscall mprotect "rx mprotect"
expect_field "$ev" .mem.len 8192 "rx mprotect"
expect_field "$ev" '.mem.prot | join(",")' PROT_READ,PROT_EXEC "rx mprotect"
expect_field "$ev" .mem.anonymous true "rx mprotect"
expect_field "$ev" .mem.was_writable true "rx mprotect"
expect_field "$ev" .mem.was_executable false "rx mprotect"
expect_field "$ev" .mem.mapping_known true "rx mprotect"
pass "anonymous RW -> RX mprotect reported at $addr with was_writable"

addr=$(val "$out" ro_addr)
no_event ".type == \"mmap_exec\" and .mem.addr == \"$addr\"" "read-only file mapping made RX"
n=$(jq -c "select(.type == \"mmap_exec\" and .proc.pid == $pid)" "$EVENTS" | wc -l)
[ "$n" -eq 2 ] || fail "mem_ops produced $n mmap_exec events, expected 2"
pass "read-only file mapping made executable is not reported"

no_event '.type == "mmap_exec" and .proc.comm == "ls"' "library loading by ls"
pass "ls (library loading) produced no mmap_exec event"
