#!/bin/bash
# Rules of policy/50-privilege-escalation.yaml under the default policy: ptrace
# attach, pokes and PTRACE_TRACEME, /proc/PID/mem and process_vm_writev
# writes, setuid/setgid chmod, setcap, W+X memory. Each rule meets its real
# trigger and its closest legitimate neighbour (debuggers tracing what they
# started or attaching on purpose, a package manager's setcap, pcre2's JIT).
. "$(dirname "$0")/lib.sh"

INJ=$HELPERS/rule_inject
OPS=$HELPERS/priv_ops
MEM=$HELPERS/mem_ops
for h in "$INJ" "$OPS" "$MEM"; do
	[ -x "$h" ] || fail "$h missing: run make e2e"
done
command -v setcap >/dev/null || fail "setcap missing (package libcap2-bin)"
command -v gdb >/dev/null || fail "gdb is not installed (scripts/deps.sh installs it)"
command -v strace >/dev/null || fail "strace is not installed (scripts/deps.sh installs it)"

sleep 60 &
SLEEPER=$!
trap 'kill $SLEEPER 2>/dev/null; cleanup' EXIT

# a fake maintainer-script context: dpkg with a private, empty database runs
# its --pre-invoke hook under itself and changes nothing on the system
mkdir -p "$WORK/dpkg/updates" "$WORK/dpkg/info"
: >"$WORK/dpkg/status"
under_dpkg() {
	dpkg --admindir="$WORK/dpkg" --log=/dev/null --force-not-root --pre-invoke="$1" \
		--configure -a || fail "dpkg hook '$1' failed"
}

# a command run under a launcher named NAME (a script's command name is its file name)
under_name() {
	local name=$1
	shift
	mkdir -p "$WORK/bin"
	printf '#!/bin/sh\n"$@"\n' >"$WORK/bin/$name"
	chmod 755 "$WORK/bin/$name"
	"$WORK/bin/$name" "$@"
}

vigil_run_start

# ---- ptrace
"$INJ" attach "$SLEEPER" >"$WORK/attach.out"
"$INJ" seize "$SLEEPER" >"$WORK/seize.out"
"$OPS" ptrace >"$WORK/ptrace_child.out"		# attach to its own child, then POKEDATA
"$INJ" traceme >"$WORK/traceme.out"
strace -f -o /dev/null true || fail "strace true"
gdb -q -batch -p "$SLEEPER" >/dev/null 2>&1 || fail "gdb -p"
gdb -q -batch -ex run --args /bin/true >/dev/null 2>&1 || fail "gdb run"

# ---- memory of another process
"$INJ" procmem "$SLEEPER" >"$WORK/procmem.out"
exec 3</proc/$SLEEPER/mem	# read-only: not an injection
exec 3<&-
"$OPS" vm_writev >"$WORK/vm_writev.out"
under_name mpirun "$OPS" vm_writev >"$WORK/vm_writev_mpi.out"

# ---- setuid, setgid, capabilities
cp /usr/bin/true "$WORK/suid"
chmod u+s "$WORK/suid"
cp /usr/bin/true "$WORK/plain"
chmod 755 "$WORK/plain"
mkdir "$WORK/shared"
chmod g+s "$WORK/shared"
cp /usr/bin/true "$WORK/pkg_suid"
under_dpkg "chmod 4755 '$WORK/pkg_suid'"
cp /usr/bin/true "$WORK/cap"
setcap cap_net_raw+ep "$WORK/cap" || fail "setcap"
cp /usr/bin/true "$WORK/pkg_cap"
under_dpkg "setcap cap_net_raw+ep '$WORK/pkg_cap'"

# ---- W+X memory
"$MEM" >"$WORK/mem.out" || fail "mem_ops"
echo 'vigil' | grep -qP 'v.g[i]l' || fail "grep -P"	# pcre2 JIT maps RWX memory
python3 -c 'import ctypes, os
cb = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)	# a libffi closure
print("pid=%d" % os.getpid()); assert cb(1) == 2' >"$WORK/ctypes.out" || fail "ctypes callback"

sleep 0.5
vigil_stop

# ---- VGL-0501: attach/seize to a process the caller did not start
PID=$(val "$WORK/attach.out" pid)
al=$(expect_alert VGL-0501 ".process.pid == $PID" "PTRACE_ATTACH of the sleeper")
expect_field "$al" .event.syscall.request PTRACE_ATTACH "attach"
expect_field "$al" .event.syscall.target_pid "$SLEEPER" "attach"
expect_field "$al" .process.exe "$INJ" "attach"
expect_field "$al" .rule.severity high "attach"
PID=$(val "$WORK/seize.out" pid)
al=$(expect_alert VGL-0501 ".process.pid == $PID" "PTRACE_SEIZE of the sleeper")
expect_field "$al" .event.syscall.request PTRACE_SEIZE "seize"
PID=$(val "$WORK/ptrace_child.out" pid)
no_alert VGL-0501 ".process.pid == $PID" "attach to its own child"
no_alert VGL-0501 '.process.exe == "/usr/bin/strace" or .process.exe == "/usr/bin/gdb"' \
	"debuggers (VGL-0502's business)"
pass "VGL-0501 ptrace attach to a running process (own child and debuggers excepted)"

# ---- VGL-0502: debugger attached to a running process (low)
al=$(expect_alert VGL-0502 '.process.exe == "/usr/bin/gdb"' "gdb -p")
expect_field "$al" .event.syscall.target_pid "$SLEEPER" "gdb -p"
expect_field "$al" .rule.severity low "gdb -p"
no_alert VGL-0502 '.process.exe == "/usr/bin/strace"' "strace of a command it started"
no_alert VGL-0502 ".process.pid == $PID" "priv_ops is no debugger"
pass "VGL-0502 debugger attached (gdb -p), not strace CMD"

# ---- VGL-0503: POKEDATA into the traced child
al=$(expect_alert VGL-0503 ".process.pid == $PID" "POKEDATA")
expect_field "$al" .event.syscall.request PTRACE_POKEDATA "poke"
expect_field "$al" .event.syscall.target_pid "$(val "$WORK/ptrace_child.out" child)" "poke"
no_alert VGL-0503 '.process.exe == "/usr/bin/gdb"' "gdb's breakpoints and SETREGS"
pass "VGL-0503 code injection with ptrace"

# ---- VGL-0504: PTRACE_TRACEME
PID=$(val "$WORK/traceme.out" pid)
al=$(expect_alert VGL-0504 ".process.pid == $PID" "PTRACE_TRACEME")
expect_field "$al" .event.syscall.request PTRACE_TRACEME "traceme"
no_alert VGL-0504 '.process.exe == "/usr/bin/strace" or .process.exe == "/usr/bin/gdb"' \
	"debuggers' own children"
pass "VGL-0504 anti-debugging (debuggers' TRACEME children excepted)"

# ---- VGL-0505: /proc/PID/mem opened for writing
PID=$(val "$WORK/procmem.out" pid)
al=$(expect_alert VGL-0505 ".process.pid == $PID" "/proc/PID/mem write open")
expect_field "$al" .event.file.path "/proc/$SLEEPER/mem" "procmem"
expect_field "$al" '.event.file.flags[0]' O_WRONLY "procmem"
no_alert VGL-0505 ".event.file.path == \"/proc/$SLEEPER/mem\" and .process.pid != $PID" \
	"read-only open of the same file (and gdb's writes)"
pass "VGL-0505 /proc/PID/mem written (read-only opens and gdb excepted)"

# ---- VGL-0506: process_vm_writev
PID=$(val "$WORK/vm_writev.out" pid)
al=$(expect_alert VGL-0506 ".process.pid == $PID" "process_vm_writev")
expect_field "$al" .event.syscall.target_pid "$(val "$WORK/vm_writev.out" child)" "vm_writev"
expect_field "$al" .event.syscall.bytes_written 20 "vm_writev"
PID=$(val "$WORK/vm_writev_mpi.out" pid)
[ -n "$PID" ] || fail "vm_writev under mpirun did not run"
no_alert VGL-0506 ".process.pid == $PID" "an MPI rank's cross-memory attach"
pass "VGL-0506 process_vm_writev (MPI excepted)"

# ---- VGL-0507 / VGL-0508: setuid and setgid
al=$(expect_alert VGL-0507 ".event.file.path == \"$WORK/suid\"" "chmod u+s")
expect_field "$al" .event.file.mode 4755 "chmod u+s"
expect_field "$al" .process.name chmod "chmod u+s"
no_alert VGL-0507 ".event.file.path == \"$WORK/plain\"" "chmod 755"
no_alert VGL-0508 ".event.file.path == \"$WORK/plain\"" "chmod 755"
no_alert VGL-0507 ".event.file.path == \"$WORK/pkg_suid\"" "chmod 4755 by a dpkg hook"
no_alert VGL-0507 ".event.file.path == \"$WORK/shared\"" "chmod g+s is not setuid"
al=$(expect_alert VGL-0508 ".event.file.path == \"$WORK/shared\"" "chmod g+s")
expect_field "$al" .rule.severity low "chmod g+s"
no_alert VGL-0508 ".event.file.path == \"$WORK/suid\"" "setuid is VGL-0507's"
pass "VGL-0507 setuid bit, VGL-0508 setgid bit (chmod 755 and dpkg excepted)"

# ---- VGL-0509: file capabilities
al=$(expect_alert VGL-0509 ".event.syscall.path == \"$WORK/cap\"" "setcap")
expect_field "$al" .process.name setcap "setcap"
expect_field "$al" '.event.syscall.cap_permitted_names|join(",")' CAP_NET_RAW "setcap"
no_alert VGL-0509 ".event.syscall.path == \"$WORK/pkg_cap\"" "setcap by a dpkg hook"
[ -n "$(getcap "$WORK/pkg_cap")" ] || fail "the dpkg hook did not run setcap"
pass "VGL-0509 file capabilities granted (package installation excepted)"

# ---- VGL-0510: W+X memory
PID=$(val "$WORK/mem.out" pid)
al=$(expect_alert VGL-0510 ".process.pid == $PID and .event.mem.syscall == \"mmap\"" "RWX mmap")
expect_field "$al" .event.mem.anonymous true "RWX mmap"
expect_field "$al" '.event.mem.prot|join(",")' PROT_READ,PROT_WRITE,PROT_EXEC "RWX mmap"
al=$(expect_alert VGL-0510 ".process.pid == $PID and .event.mem.syscall == \"mprotect\"" "RW->RX")
expect_field "$al" .event.mem.was_writable true "RW->RX"
no_alert VGL-0510 '.process.exe == "/usr/bin/grep"' "grep -P's pcre2 JIT"
no_alert VGL-0510 ".process.pid == $(val "$WORK/ctypes.out" pid)" "a ctypes callback"
pass "VGL-0510 W+X memory outside a JIT (pcre2 JIT, libffi closures in Python excepted)"
