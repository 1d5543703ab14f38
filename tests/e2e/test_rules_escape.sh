#!/bin/bash
# Rules of policy/60-container-escape.yaml under the default policy. The
# dangerous files (release_agent, core_pattern, modprobe, binfmt_misc) are
# only opened for writing, never written: the open is the event, and the
# test checks nothing changed. Container rules meet a real runc container
# given CAP_SYS_ADMIN and CAP_SYS_PTRACE and the host's /proc at /hostproc,
# the shape of a privileged hostPID pod; the runtime's own mounts, unshare,
# setns and host-side opens are the benign neighbours.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
INJ=$HELPERS/rule_inject
NET=$HELPERS/net_ops
for h in "$INJ" "$NET"; do
	[ -x "$h" ] || fail "$h missing: run make e2e"
done

sleep 60 &
SLEEPER=$!
ID=vgl-escape-$$
HOST_SOCK=
trap 'kill $SLEEPER 2>/dev/null; runc delete -f $ID >/dev/null 2>&1; [ -n "$HOST_SOCK" ] && rm -f "$HOST_SOCK"; cleanup' EXIT

RELEASE_AGENT=
for f in /sys/fs/cgroup/*/release_agent; do
	[ -f "$f" ] && { RELEASE_AGENT=$f; break; }
done
NOTIFY=${RELEASE_AGENT%/release_agent}/notify_on_release
CORE_BEFORE=$(cat /proc/sys/kernel/core_pattern)
AGENT_BEFORE=$([ -n "$RELEASE_AGENT" ] && cat "$RELEASE_AGENT")

# ---- the container: a privileged, hostPID-like busybox
BUNDLE=$WORK/bundle
R=$BUNDLE/rootfs
mkdir -p "$R/bin" "$R/tmp" "$R/etc" "$R/proc" "$R/dev" "$R/sys" "$R/hostproc" "$R/var/run"
cp /bin/busybox "$R/bin/busybox"
for app in sh cat mkdir mount umount unshare nsenter true sleep touch; do
	ln -s busybox "$R/bin/$app"
done
cp "$INJ" "$R/bin/rule_inject"
cp "$NET" "$R/bin/net_ops"
echo vgl-container >"$R/etc/hostname"
SCRIPT="cat /etc/hostname >/tmp/own_hostname
cat /hostproc/$SLEEPER/root/etc/hostname >/tmp/host_hostname
unshare -m true
mkdir -p /tmp/m && mount -t tmpfs vgl-ctr-tmpfs /tmp/m && umount /tmp/m
nsenter --net=/hostproc/$SLEEPER/ns/net true
rule_inject wronly /sys/fs/cgroup/pids/release_agent >/tmp/release_agent.out
rule_inject wronly /proc/sys/kernel/core_pattern >/tmp/core_pattern.out
net_ops unix /var/run/docker.sock >/tmp/docker_sock.out
net_ops unix /tmp/app.sock >/tmp/app_sock.out
touch /tmp/done
sleep 3"
(cd "$BUNDLE" && runc spec) || fail "runc spec"
jq --arg s "$SCRIPT" '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh","-c",$s]
    | .process.capabilities.bounding += ["CAP_SYS_ADMIN","CAP_SYS_PTRACE"]
    | .process.capabilities.effective += ["CAP_SYS_ADMIN","CAP_SYS_PTRACE"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN","CAP_SYS_PTRACE"]
    | .mounts += [{"destination":"/hostproc","type":"bind","source":"/proc","options":["rbind","ro"]}]' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"

vigil_run_start

# ---- host: usermode helpers opened for writing, nothing written
[ -n "$RELEASE_AGENT" ] && "$INJ" wronly "$RELEASE_AGENT" >"$WORK/release_agent.out"
[ -n "$RELEASE_AGENT" ] && cat "$RELEASE_AGENT" >/dev/null
[ -f "$NOTIFY" ] && "$INJ" wronly "$NOTIFY" >"$WORK/notify.out"
[ -f "$NOTIFY" ] && cat "$NOTIFY" >/dev/null
"$INJ" wronly /proc/sys/kernel/core_pattern >"$WORK/core_pattern.out"
sysctl -n kernel.core_pattern >/dev/null
"$INJ" wronly /proc/sys/kernel/modprobe >"$WORK/modprobe.out"
"$INJ" wronly /sys/kernel/uevent_helper >"$WORK/uevent_helper.out"
"$INJ" wronly /proc/sys/kernel/hostname >"$WORK/hostname.out"	# another sysctl
"$INJ" wronly /proc/sys/fs/binfmt_misc/register >"$WORK/binfmt.out"
cat /proc/sys/fs/binfmt_misc/status >/dev/null 2>&1

# ---- host: a runtime socket, only where no runtime listens
for s in /run/docker.sock /var/run/docker.sock; do
	[ -e "$s" ] && continue
	HOST_SOCK=$s
	break
done
[ -n "$HOST_SOCK" ] && "$NET" unix "$HOST_SOCK" >"$WORK/host_sock.out"
"$NET" unix "$WORK/app.sock" >"$WORK/host_app_sock.out"

# ---- the container
(cd "$BUNDLE" && runc run -d "$ID" </dev/null >/dev/null 2>&1) || fail "runc run failed"
for _ in $(seq 100); do
	[ -e "$R/tmp/done" ] && break
	sleep 0.1
done
[ -e "$R/tmp/done" ] || fail "the container script did not finish"
runc exec "$ID" /bin/true || fail "runc exec"
sleep 1
vigil_stop
runc delete -f "$ID" >/dev/null 2>&1

[ "$(cat /proc/sys/kernel/core_pattern)" = "$CORE_BEFORE" ] || fail "core_pattern changed!"
[ -z "$RELEASE_AGENT" ] || [ "$(cat "$RELEASE_AGENT")" = "$AGENT_BEFORE" ] ||
	fail "release_agent changed!"
[ "$(cat "$R/tmp/host_hostname")" = "$(cat /etc/hostname)" ] ||
	fail "the container did not read the host's hostname"
[ "$(cat "$R/tmp/own_hostname")" = vgl-container ] || fail "the container's own hostname"

ctr=".container.id == \"$ID\""
host='.container == null'

# ---- VGL-0601 / VGL-0602: cgroup release_agent, notify_on_release
if [ -n "$RELEASE_AGENT" ]; then
	al=$(expect_alert VGL-0601 "$host and .event.file.path == \"$RELEASE_AGENT\"" \
		"host release_agent write open")
	expect_field "$al" .process.pid "$(val "$WORK/release_agent.out" pid)" "release_agent"
	expect_field "$al" '.event.file.flags[0]' O_WRONLY "release_agent"
	no_alert VGL-0601 "$host and .process.name == \"cat\"" "reading release_agent"
fi
al=$(expect_alert VGL-0601 "$ctr" "release_agent from the container")
expect_field "$al" .process.exe /bin/rule_inject "container release_agent"
expect_field "$al" .event.file.path /sys/fs/cgroup/pids/release_agent "container release_agent"
expect_field "$al" .rule.severity critical "container release_agent"
if [ -f "$NOTIFY" ]; then
	al=$(expect_alert VGL-0602 ".event.file.path == \"$NOTIFY\"" "notify_on_release")
	expect_field "$al" .process.pid "$(val "$WORK/notify.out" pid)" "notify_on_release"
	no_alert VGL-0602 '.process.name == "cat"' "reading notify_on_release"
fi
pass "VGL-0601 release_agent (host and container), VGL-0602 notify_on_release; reads are quiet"

# ---- VGL-0603: core_pattern
al=$(expect_alert VGL-0603 "$host" "host core_pattern write open")
expect_field "$al" .process.pid "$(val "$WORK/core_pattern.out" pid)" "core_pattern"
expect_field "$al" .event.file.path /proc/sys/kernel/core_pattern "core_pattern"
al=$(expect_alert VGL-0603 "$ctr" "core_pattern from the container")
expect_field "$al" .process.exe /bin/rule_inject "container core_pattern"
expect_field "$al" .event.error EROFS "container core_pattern (read-only /proc/sys)"
no_alert VGL-0603 '.process.name == "sysctl"' "sysctl -n reads"
pass "VGL-0603 core_pattern opened for writing (host, and a failed attempt in the container)"

# ---- VGL-0604: modprobe, uevent_helper
al=$(expect_alert VGL-0604 ".event.file.path == \"/proc/sys/kernel/modprobe\"" "modprobe path")
expect_field "$al" .process.pid "$(val "$WORK/modprobe.out" pid)" "modprobe"
al=$(expect_alert VGL-0604 ".event.file.path == \"/sys/kernel/uevent_helper\"" "uevent_helper")
expect_field "$al" .process.pid "$(val "$WORK/uevent_helper.out" pid)" "uevent_helper"
no_alert VGL-0604 ".event.file.path == \"/proc/sys/kernel/hostname\"" "another sysctl"
pass "VGL-0604 usermode helper paths (other sysctls quiet)"

# ---- VGL-0605: binfmt_misc
al=$(expect_alert VGL-0605 ".process.pid == $(val "$WORK/binfmt.out" pid)" "binfmt_misc register")
expect_field "$al" .event.file.path /proc/sys/fs/binfmt_misc/register "binfmt_misc"
no_alert VGL-0605 '.process.name == "cat"' "reading binfmt_misc/status"
pass "VGL-0605 binfmt_misc register"

# ---- VGL-0606 / VGL-0607 / VGL-0608: mount, unshare, setns in the container
al=$(expect_alert VGL-0606 "$ctr and .event.syscall.source == \"vgl-ctr-tmpfs\"" "tmpfs mount")
expect_field "$al" .event.syscall.target /tmp/m "mount"
expect_field "$al" .event.syscall.fstype tmpfs "mount"
no_alert VGL-0606 '.process.name|startswith("runc:")' "runc building the container"
no_alert VGL-0606 "$host" "host mounts (scope)"
al=$(expect_alert VGL-0607 "$ctr" "unshare -m")
expect_field "$al" .process.name unshare "unshare"
expect_field "$al" '.event.syscall.flag_names|join(",")' CLONE_NEWNS "unshare"
no_alert VGL-0607 '.process.name|startswith("runc:")' "runc's own unshare"
al=$(expect_alert VGL-0608 "$ctr" "nsenter into the host's network namespace")
expect_field "$al" .process.name nsenter "nsenter"
expect_field "$al" .event.syscall.ns "$(readlink /proc/$SLEEPER/ns/net)" "the host's netns"
no_alert VGL-0608 '.process.name|startswith("runc:")' "runc exec joining the container"
pass "VGL-0606 mount, VGL-0607 unshare, VGL-0608 setns from a container (runtime excepted)"

# ---- VGL-0609 / VGL-0610: runtime sockets
al=$(expect_alert VGL-0609 "$ctr" "docker.sock from the container")
expect_field "$al" .event.net.unix_path /var/run/docker.sock "container docker.sock"
expect_field "$al" .process.exe /bin/net_ops "container docker.sock"
no_alert VGL-0609 ".event.net.unix_path == \"/tmp/app.sock\"" "an application socket"
if [ -n "$HOST_SOCK" ]; then
	al=$(expect_alert VGL-0610 "$host" "docker.sock from a host process")
	expect_field "$al" .event.net.unix_path "$HOST_SOCK" "host docker.sock"
	expect_field "$al" .process.exe "$NET" "host docker.sock"
	[ -e "$HOST_SOCK" ] && fail "net_ops left $HOST_SOCK behind"
fi
no_alert VGL-0610 ".event.net.unix_path == \"$WORK/app.sock\"" "an application socket"
pass "VGL-0609/VGL-0610 runtime sockets (application sockets quiet)"

# ---- VGL-0611: host file through /hostproc/PID/root
al=$(expect_alert VGL-0611 "$ctr" "host file read from the container")
expect_field "$al" .event.file.path /etc/hostname "host path"
expect_field "$al" .event.file.outside_root true "outside root"
expect_field "$al" .process.name cat "host hostname"
no_alert VGL-0611 "$ctr and .event.file.outside_root == false" "the container's own files"
no_alert VGL-0611 '.process.name|startswith("runc:")' "runc's state fifo"
pass "VGL-0611 host file opened through a path outside the container's root"
