#!/bin/bash
# Privilege and kernel events: ptrace, setuid, capset, process_vm_writev,
# module and kexec syscalls (served by the raw sys_exit fallback when the
# kernel has no tracepoint for them), bpf(), mount/umount, unshare, setns,
# prctl(PR_SET_NAME), security.capability xattrs, io_uring_setup.
# Real syscalls from build/helpers/priv_ops and real tools.
. "$(dirname "$0")/lib.sh"

OPS=$HELPERS/priv_ops
[ -x "$OPS" ] || fail "$OPS missing: run make build/helpers/priv_ops"
command -v setcap >/dev/null || fail "setcap missing (package libcap2-bin)"

# op NAME ARGS... : run priv_ops, keep its output in $WORK/NAME.out
op() {
	local name=$1
	shift
	"$OPS" "$@" >"$WORK/$name.out" 2>&1
}

has_tracepoint() {
	[ -e "/sys/kernel/tracing/events/syscalls/sys_exit_$1" ]
}

vigil_start -e privilege,kernel
SELF=$VIGIL_PID

op ptrace ptrace
op setuid setuid
op capset capset
op vm_writev vm_writev
printf 'not a module\n' >"$WORK/fake.ko"
op finit finit_module "$WORK/fake.ko"
op init init_module
op delete delete_module vgl_fake_mod
# kexec_load(0 segments) unloads a staged kexec image: only where kexec is absent
[ -e /sys/kernel/kexec_loaded ] || op kexec kexec_load
op bpf bpf_map
op prctl_set prctl_set vgl-renamed
op prctl_get prctl_get
op uring io_uring
op setns setns

mkdir -p "$WORK/mnt"
mount -t tmpfs -o size=1m vgltmp "$WORK/mnt" || fail "mount tmpfs"
umount "$WORK/mnt" || fail "umount tmpfs"

unshare -m sh -c "echo \$\$ >'$WORK/unshare.pid'"
unshare -U -m sh -c "echo \$\$ >'$WORK/unshare_user.pid'"

: >"$WORK/capfile"
setcap cap_net_raw+ep "$WORK/capfile" || fail "setcap"
# the fd form (fsetxattr): CAP_SYS_ADMIN, effective bit clear
: >"$WORK/capfile_fd"
python3 -c "
import os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.setxattr(fd, 'security.capability', struct.pack('<5I', 0x02000000, 1 << 21, 0, 0, 0))
" "$WORK/capfile_fd" || fail "fsetxattr security.capability"
# an ordinary xattr is filtered in the kernel
python3 -c "import os, sys; os.setxattr(sys.argv[1], 'user.vgl', b'1')" "$WORK/capfile" ||
	fail "setxattr user.vgl"

vigil_stop

# ---- ptrace: attach to a sleep, then a same-value POKEDATA
PID=$(val "$WORK/ptrace.out" pid)
CHILD=$(val "$WORK/ptrace.out" child)
ev=$(expect_event ".type==\"ptrace\" and .proc.pid==$PID and .syscall.request==\"PTRACE_ATTACH\"" \
	"ptrace attach")
expect_field "$ev" .category privilege "ptrace attach"
expect_field "$ev" .syscall.name ptrace "ptrace attach"
expect_field "$ev" .syscall.request_nr 16 "ptrace attach"
expect_field "$ev" .syscall.target_pid "$CHILD" "ptrace attach"
expect_field "$ev" .ret 0 "ptrace attach"
ev=$(expect_event ".type==\"ptrace\" and .proc.pid==$PID and .syscall.request==\"PTRACE_POKEDATA\"" \
	"ptrace poke")
expect_field "$ev" .syscall.target_pid "$CHILD" "ptrace poke"
pass "ptrace"

# ---- setuid(65534) as root succeeds; setuid(0) afterwards fails
PID=$(val "$WORK/setuid.out" pid)
ev=$(expect_event ".type==\"setuid\" and .proc.pid==$PID and .syscall.uid==65534" "setuid(65534)")
expect_field "$ev" .syscall.name setuid "setuid(65534)"
expect_field "$ev" .ret 0 "setuid(65534)"
expect_field "$ev" .syscall.creds_after.uid 65534 "setuid(65534)"
expect_field "$ev" .syscall.creds_after.euid 65534 "setuid(65534)"
expect_field "$ev" .syscall.creds_after.suid 65534 "setuid(65534)"
expect_field "$ev" .proc.euid 65534 "setuid(65534) header"
ev=$(expect_event ".type==\"setuid\" and .proc.pid==$PID and .syscall.uid==0" "setuid(0) unprivileged")
expect_field "$ev" .ret -1 "setuid(0) unprivileged"
expect_field "$ev" .error EPERM "setuid(0) unprivileged"
expect_field "$ev" .syscall.creds_after.euid 65534 "setuid(0) unprivileged"
pass "setuid"

# ---- capset: CAP_NET_RAW (bit 13) dropped from the effective set
PID=$(val "$WORK/capset.out" pid)
ev=$(expect_event ".type==\"capset\" and .proc.pid==$PID" "capset")
expect_field "$ev" .ret 0 "capset"
expect_field "$ev" .syscall.version 0x20080522 "capset"
expect_field "$ev" .syscall.target_pid 0 "capset"
eff=$(printf '%s' "$ev" | jq -r .syscall.effective)
after=$(printf '%s' "$ev" | jq -r .syscall.effective_after)
[ $((eff & (1 << 13))) -eq 0 ] || fail "capset: effective $eff still has CAP_NET_RAW"
[ $((eff & (1 << 21))) -ne 0 ] || fail "capset: effective $eff lacks CAP_SYS_ADMIN"
[ "$eff" = "$after" ] || fail "capset: effective_after $after differs from the request $eff"
pass "capset"

# ---- process_vm_writev into a child
PID=$(val "$WORK/vm_writev.out" pid)
ev=$(expect_event ".type==\"process_vm_writev\" and .proc.pid==$PID" "process_vm_writev")
expect_field "$ev" .syscall.target_pid "$(val "$WORK/vm_writev.out" child)" "process_vm_writev"
expect_field "$ev" .syscall.bytes_written 20 "process_vm_writev"
expect_field "$ev" .ret 20 "process_vm_writev"
expect_field "$ev" .syscall.local_iovcnt 1 "process_vm_writev"
expect_field "$ev" .syscall.remote_iovcnt 1 "process_vm_writev"
expect_field "$ev" .syscall.remote_addr "$(val "$WORK/vm_writev.out" remote)" "process_vm_writev"
pass "process_vm_writev"

# ---- modules: no module support here means ENOSYS, still an event
PID=$(val "$WORK/finit.out" pid)
ev=$(expect_event ".type==\"module\" and .proc.pid==$PID" "finit_module")
expect_field "$ev" .category kernel "finit_module"
expect_field "$ev" .syscall.name finit_module "finit_module"
expect_field "$ev" .syscall.path "$WORK/fake.ko" "finit_module"
expect_field "$ev" .syscall.params vgl_param=2 "finit_module"
has_tracepoint finit_module || expect_field "$ev" .error ENOSYS "finit_module"
[ "$(printf '%s' "$ev" | jq .ret)" -lt 0 ] || fail "finit_module of a text file succeeded?"
PID=$(val "$WORK/init.out" pid)
ev=$(expect_event ".type==\"module\" and .proc.pid==$PID" "init_module")
expect_field "$ev" .syscall.name init_module "init_module"
expect_field "$ev" .syscall.image_len 64 "init_module"
expect_field "$ev" .syscall.params vgl_param=1 "init_module"
has_tracepoint init_module || expect_field "$ev" .error ENOSYS "init_module"
PID=$(val "$WORK/delete.out" pid)
ev=$(expect_event ".type==\"module\" and .proc.pid==$PID" "delete_module")
expect_field "$ev" .syscall.name delete_module "delete_module"
expect_field "$ev" .syscall.module vgl_fake_mod "delete_module"
expect_field "$ev" '.syscall.flag_names|join(",")' O_NONBLOCK "delete_module"
has_tracepoint delete_module || expect_field "$ev" .error ENOSYS "delete_module"
if [ -s "$WORK/kexec.out" ]; then
	ev=$(expect_event ".type==\"kexec_load\" and .proc.pid==$(val "$WORK/kexec.out" pid)" "kexec_load")
	expect_field "$ev" .syscall.name kexec_load "kexec_load"
	expect_field "$ev" .syscall.nr_segments 0 "kexec_load"
fi
pass "module, kexec"

# ---- bpf(BPF_MAP_CREATE)
PID=$(val "$WORK/bpf.out" pid)
ev=$(expect_event ".type==\"bpf\" and .proc.pid==$PID" "bpf map create")
expect_field "$ev" .syscall.command BPF_MAP_CREATE "bpf map create"
expect_field "$ev" .syscall.map_type array "bpf map create"
expect_field "$ev" .syscall.map_name vgl_test_map "bpf map create"
[ "$(printf '%s' "$ev" | jq .ret)" -ge 0 ] || fail "bpf map create: ret $(printf '%s' "$ev" | jq .ret)"
no_event ".type==\"bpf\" and .proc.comm==\"vigil\" and .proc.pid==$SELF" "vigil's own bpf()"
pass "bpf"

# ---- prctl: PR_SET_NAME reported, PR_GET_NAME filtered in the kernel
PID=$(val "$WORK/prctl_set.out" pid)
ev=$(expect_event ".type==\"prctl\" and .proc.pid==$PID" "prctl PR_SET_NAME")
expect_field "$ev" .syscall.option PR_SET_NAME "prctl PR_SET_NAME"
expect_field "$ev" .syscall.new_name vgl-renamed "prctl PR_SET_NAME"
expect_field "$ev" .proc.comm vgl-renamed "prctl PR_SET_NAME"
expect_field "$ev" .ret 0 "prctl PR_SET_NAME"
no_event ".type==\"prctl\" and .proc.pid==$(val "$WORK/prctl_get.out" pid)" "prctl PR_GET_NAME"
no_event ".type==\"prctl\" and .syscall.option!=\"PR_SET_NAME\"" "prctl other than PR_SET_NAME"
pass "prctl"

# ---- io_uring_setup
PID=$(val "$WORK/uring.out" pid)
ev=$(expect_event ".type==\"io_uring_setup\" and .proc.pid==$PID" "io_uring_setup")
expect_field "$ev" .syscall.entries 8 "io_uring_setup"
expect_field "$ev" .syscall.sq_entries 8 "io_uring_setup"
expect_field "$ev" .syscall.fd "$(val "$WORK/uring.out" ret)" "io_uring_setup"
expect_field "$ev" .ret "$(val "$WORK/uring.out" ret)" "io_uring_setup"
pass "io_uring_setup"

# ---- setns into the helper's own network namespace
PID=$(val "$WORK/setns.out" pid)
NETNS=$(readlink /proc/self/ns/net)
ev=$(expect_event ".type==\"setns\" and .proc.pid==$PID" "setns")
expect_field "$ev" .syscall.nstype CLONE_NEWNET "setns"
expect_field "$ev" .syscall.ns "$NETNS" "setns"
expect_field "$ev" .ret 0 "setns"
pass "setns"

# ---- mount / umount of a tmpfs
ev=$(expect_event ".type==\"mount\" and .syscall.target==\"$WORK/mnt\"" "mount tmpfs")
expect_field "$ev" .syscall.source vgltmp "mount tmpfs"
expect_field "$ev" .syscall.fstype tmpfs "mount tmpfs"
expect_field "$ev" .proc.comm mount "mount tmpfs"
expect_field "$ev" .ret 0 "mount tmpfs"
ev=$(expect_event ".type==\"umount\" and .syscall.target==\"$WORK/mnt\"" "umount tmpfs")
expect_field "$ev" .syscall.name umount2 "umount tmpfs"
expect_field "$ev" .ret 0 "umount tmpfs"
pass "mount, umount"

# ---- unshare
PID=$(cat "$WORK/unshare.pid")
ev=$(expect_event ".type==\"unshare\" and .proc.pid==$PID" "unshare -m")
expect_field "$ev" '.syscall.flag_names|join(",")' CLONE_NEWNS "unshare -m"
expect_field "$ev" .syscall.flags 131072 "unshare -m"
PID=$(cat "$WORK/unshare_user.pid")
ev=$(expect_event ".type==\"unshare\" and .proc.pid==$PID" "unshare -U -m")
expect_field "$ev" '.syscall.flag_names|sort|join(",")' CLONE_NEWNS,CLONE_NEWUSER "unshare -U -m"
pass "unshare"

# ---- setcap: security.capability xattr; other xattrs filtered
ev=$(expect_event ".type==\"setxattr\" and .syscall.path==\"$WORK/capfile\"" "setcap")
expect_field "$ev" .syscall.attr security.capability "setcap"
expect_field "$ev" .proc.comm setcap "setcap"
expect_field "$ev" .ret 0 "setcap"
expect_field "$ev" '.syscall.cap_permitted_names|join(",")' CAP_NET_RAW "setcap"
expect_field "$ev" .syscall.cap_effective true "setcap"
ev=$(expect_event ".type==\"setxattr\" and .syscall.name==\"fsetxattr\" and .syscall.path==\"$WORK/capfile_fd\"" \
	"fsetxattr")
expect_field "$ev" '.syscall.path_flags|length' 0 "fsetxattr path from the fd"
expect_field "$ev" '.syscall.cap_permitted_names|join(",")' CAP_SYS_ADMIN "fsetxattr"
expect_field "$ev" .syscall.cap_effective false "fsetxattr"
expect_field "$ev" .syscall.cap_version 2 "fsetxattr"
no_event ".type==\"setxattr\" and .syscall.attr!=\"security.capability\"" "ordinary xattr"
pass "setxattr"
