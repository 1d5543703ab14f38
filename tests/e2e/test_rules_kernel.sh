#!/bin/bash
# Rules of policy/70-kernel.yaml under the default policy: module load and
# unload attempts (host and container), kexec, BPF program loads, raw kernel
# memory and kallsyms opens, and an empty directory bound over /proc/PID.
# Module and kexec calls are made with fake images (ENOSYS or EINVAL here);
# kexec only where no kexec image could be staged.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
INJ=$HELPERS/rule_inject
OPS=$HELPERS/priv_ops
for h in "$INJ" "$OPS"; do
	[ -x "$h" ] || fail "$h missing: run make e2e"
done

# a command run under a launcher named NAME (a script's command name is its file name)
under_name() {
	local name=$1
	shift
	mkdir -p "$WORK/bin"
	printf '#!/bin/sh\n"$@"\n' >"$WORK/bin/$name"
	chmod 755 "$WORK/bin/$name"
	"$WORK/bin/$name" "$@"
}

sleep 60 &
SLEEPER=$!
ID=vgl-kernel-$$
trap 'umount /proc/$SLEEPER 2>/dev/null; kill $SLEEPER 2>/dev/null; runc delete -f $ID >/dev/null 2>&1; cleanup' EXIT

# a container that tries to load a module
BUNDLE=$WORK/bundle
R=$BUNDLE/rootfs
mkdir -p "$R/bin" "$R/tmp" "$R/proc" "$R/dev" "$R/sys"
cp /bin/busybox "$R/bin/busybox"
for app in sh sleep; do ln -s busybox "$R/bin/$app"; done
cp "$OPS" "$R/bin/priv_ops"
(cd "$BUNDLE" && runc spec) || fail "runc spec"
jq '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh","-c","priv_ops init_module >/tmp/init.out; sleep 1.5"]' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"

# module calls have no tracepoint on a kernel without modules: the raw
# sys_exit fallback sees them, on when the configuration asks for it
printf 'syscall_fallback: true\n' >"$WORK/vigil.yaml"
vigil_run_start --config "$WORK/vigil.yaml"

# ---- modules
printf 'not a module\n' >"$WORK/fake.ko"
"$OPS" finit_module "$WORK/fake.ko" >"$WORK/finit.out"
"$OPS" init_module >"$WORK/init.out"
"$OPS" delete_module vgl_fake_mod >"$WORK/delete.out"
lsmod >/dev/null 2>&1	# reads /proc/modules: no module call
(cd "$BUNDLE" && runc run "$ID" </dev/null >/dev/null 2>&1) || fail "runc run failed"

# ---- kexec: kexec_load with no segments unloads a staged image, so only
# where the kernel has no kexec at all
if [ ! -e /sys/kernel/kexec_loaded ]; then
	"$OPS" kexec_load >"$WORK/kexec.out"
	under_name kdump-config "$OPS" kexec_load >"$WORK/kexec_kdump.out"
fi

# ---- BPF
"$INJ" bpf_prog >"$WORK/bpf_prog.out"
"$OPS" bpf_map >"$WORK/bpf_map.out"
timeout -s INT 2 "$VIGIL" trace -e exec -o /dev/null 2>/dev/null	# another vigil

# ---- kernel memory and symbols (where a file is absent, the failed open counts)
head -c 16 /proc/kcore >/dev/null 2>&1
head -c 16 /dev/mem >/dev/null 2>&1
head -c 16 /proc/version >/dev/null
grep -m 1 ' _text$' /proc/kallsyms >/dev/null
cat /proc/sys/kernel/kptr_restrict >/dev/null

# ---- an empty directory over /proc/$SLEEPER, then a tmpfs elsewhere
mkdir -p "$WORK/empty" "$WORK/mnt"
mount --bind "$WORK/empty" "/proc/$SLEEPER" || fail "bind mount over /proc/$SLEEPER"
[ -z "$(ls "/proc/$SLEEPER")" ] || fail "/proc/$SLEEPER is not hidden"
umount "/proc/$SLEEPER" || fail "umount /proc/$SLEEPER"
[ -e "/proc/$SLEEPER/status" ] || fail "/proc/$SLEEPER still hidden"
mount -t tmpfs -o size=1m vgl-kernel-tmpfs "$WORK/mnt" || fail "mount tmpfs"
umount "$WORK/mnt"

sleep 0.5
vigil_stop

# ---- VGL-0701: module loads on the host
al=$(expect_alert VGL-0701 ".process.pid == $(val "$WORK/finit.out" pid)" "finit_module")
expect_field "$al" .event.syscall.name finit_module "finit_module"
expect_field "$al" .event.syscall.path "$WORK/fake.ko" "finit_module"
[ "$(printf '%s' "$al" | jq .event.ret)" -lt 0 ] || fail "finit_module of a text file succeeded?"
al=$(expect_alert VGL-0701 ".process.pid == $(val "$WORK/init.out" pid)" "init_module")
expect_field "$al" .event.syscall.image_len 64 "init_module"
no_alert VGL-0701 ".process.pid == $(val "$WORK/delete.out" pid)" "an unload is VGL-0703's"
no_alert VGL-0701 ".container != null" "container loads are VGL-0702's"
pass "VGL-0701 kernel module load attempts on the host"

# ---- VGL-0702: from the container
al=$(expect_alert VGL-0702 ".container.id == \"$ID\"" "init_module in a container")
expect_field "$al" .process.exe /bin/priv_ops "container init_module"
expect_field "$al" .event.syscall.name init_module "container init_module"
expect_field "$al" .rule.severity critical "container init_module"
no_alert VGL-0702 ".container == null" "host loads are VGL-0701's"
pass "VGL-0702 kernel module load attempt from a container"

# ---- VGL-0703: unload
al=$(expect_alert VGL-0703 ".process.pid == $(val "$WORK/delete.out" pid)" "delete_module")
expect_field "$al" .event.syscall.module vgl_fake_mod "delete_module"
no_alert VGL-0703 ".event.syscall.name != \"delete_module\"" "loads"
pass "VGL-0703 kernel module unload attempt"

# ---- VGL-0704: kexec
if [ -s "$WORK/kexec.out" ]; then
	al=$(expect_alert VGL-0704 ".process.pid == $(val "$WORK/kexec.out" pid)" "kexec_load")
	expect_field "$al" .event.syscall.name kexec_load "kexec_load"
	no_alert VGL-0704 ".process.pid == $(val "$WORK/kexec_kdump.out" pid)" "kexec under kdump-config"
	pass "VGL-0704 kexec_load (the crash-dump service excepted)"
else
	echo "skip: VGL-0704 (this kernel has kexec; kexec_load(0) would unload a staged image)"
fi

# ---- VGL-0705: BPF program load
al=$(expect_alert VGL-0705 ".process.pid == $(val "$WORK/bpf_prog.out" pid)" "BPF_PROG_LOAD")
expect_field "$al" .event.syscall.command BPF_PROG_LOAD "bpf prog"
expect_field "$al" .event.syscall.prog_name vgl_test_prog "bpf prog"
expect_field "$al" .event.syscall.prog_type socket_filter "bpf prog"
no_alert VGL-0705 ".process.pid == $(val "$WORK/bpf_map.out" pid)" "BPF_MAP_CREATE"
no_alert VGL-0705 '.process.name == "vigil"' "another vigil's programs"
pass "VGL-0705 BPF program load (maps and BPF agents quiet)"

# ---- VGL-0706 / VGL-0707: kernel memory and symbols
al=$(expect_alert VGL-0706 '.event.file.path == "/proc/kcore"' "/proc/kcore")
expect_field "$al" .process.name head "kcore"
expect_alert VGL-0706 '.event.file.path == "/dev/mem"' "/dev/mem" >/dev/null
no_alert VGL-0706 '.event.file.path == "/proc/version"' "/proc/version"
al=$(expect_alert VGL-0707 '.event.file.path == "/proc/kallsyms"' "kallsyms")
expect_field "$al" .process.name grep "kallsyms"
no_alert VGL-0707 '.event.file.path == "/proc/sys/kernel/kptr_restrict"' "kptr_restrict"
pass "VGL-0706 raw kernel memory, VGL-0707 kallsyms (neighbouring /proc files quiet)"

# ---- VGL-0708: mount over /proc/PID
al=$(expect_alert VGL-0708 ".event.syscall.target == \"/proc/$SLEEPER\"" "bind over /proc/PID")
expect_field "$al" .event.syscall.source "$WORK/empty" "bind over /proc/PID"
expect_field "$al" .process.name mount "bind over /proc/PID"
no_alert VGL-0708 ".event.syscall.target == \"$WORK/mnt\"" "a tmpfs elsewhere"
no_alert VGL-0708 '.process.name|startswith("runc:")' "runc's /proc mounts"
pass "VGL-0708 mount over /proc/PID (other mounts quiet)"
