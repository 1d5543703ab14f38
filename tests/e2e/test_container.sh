#!/bin/bash
# A real OCI container (runc + busybox-static): events carry the container
# id and runtime, paths as seen inside it, and ancestry that crosses from
# the container's processes to the host's runc. The container also reaches
# the host's files through the host's /proc bound at /hostproc (a real
# escape path): those opens and execs are flagged outside_root.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"

ID=vgl-e2e-$$
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" \
	"$BUNDLE/rootfs/sys" "$BUNDLE/rootfs/etc" "$BUNDLE/rootfs/hostproc"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for app in sh cp sleep true cat; do ln -s busybox "$BUNDLE/rootfs/bin/$app"; done
echo vgl-container >"$BUNDLE/rootfs/etc/hostname"
# This shell's root is the host's, seen from the container through /hostproc
# (reading /proc/PID/root needs ptrace access: CAP_SYS_PTRACE).
HOSTROOT=/hostproc/$$/root
OPS=$(realpath "$HELPERS/file_ops")
[ -x "$OPS" ] || fail "missing $OPS: run make build/helpers/file_ops"
CMD="cp /bin/busybox /tmp/busybox && /tmp/busybox true in-container"
CMD="$CMD && cat $HOSTROOT/etc/hostname && cat /etc/hostname"
CMD="$CMD && $HOSTROOT$OPS open /etc/hostname && sleep 0.2"
(cd "$BUNDLE" && runc spec)
jq --arg cmd "$CMD" '.process.terminal=false
    | .process.args=["/bin/sh","-c",$cmd]
    | .process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])
    | .mounts += [{"destination":"/hostproc","type":"bind","source":"/proc",
                   "options":["rbind","ro","nosuid","nodev","noexec"]}]
    | .root.readonly=false' "$BUNDLE/config.json" >"$BUNDLE/config.new"
mv "$BUNDLE/config.new" "$BUNDLE/config.json"

vigil_start -e exec,fork,exit,open
(cd "$BUNDLE" && runc run "$ID" </dev/null >"$WORK/ctr.out") || fail "runc run failed"
vigil_stop
runc delete -f "$ID" 2>/dev/null
[ "$(head -n 1 "$WORK/ctr.out")" = "$(cat /etc/hostname)" ] ||
	fail "the container did not read the host's /etc/hostname: $(cat "$WORK/ctr.out")"

ev=$(expect_event '.type=="exec" and (.exec.args|join(" "))=="/tmp/busybox true in-container"' "exec in the container")
expect_field "$ev" .container.id "$ID" "container id"
expect_field "$ev" .container.runtime runc "container runtime"
expect_field "$ev" .exec.path /tmp/busybox "path as seen in the container"
expect_field "$ev" .exec.in_tmp_dir true "dropped in the container's /tmp"
expect_field "$ev" .exec.written_after_start true "written after the container started"
[ "$(printf '%s' "$ev" | jq .proc.pidns)" != "$(stat -L -c %i /proc/self/ns/pid)" ] ||
	fail "container process reports the host pid namespace"
expect_field "$ev" '.ancestors[0].exe' /bin/busybox "ancestor 1: the container's sh"
# ancestry continues past the container's init into the host's runc
printf '%s' "$ev" | jq -e '[.ancestors[].exe] | index("'"$(readlink -f "$(command -v runc)")"'") != null' >/dev/null ||
	fail "ancestry does not reach the host's runc: $(printf '%s' "$ev" | jq -c '[.ancestors[].exe]')"
pass "exec in a runc container: id, runtime, in-container path, flags, ancestry"

# the image's own binary, run before anything was written, is not "written"
ev=$(expect_event '.type=="exec" and .container.id=="'"$ID"'" and .exec.path=="/bin/busybox" and (.exec.args[0]=="/bin/sh")' "container init exec")
expect_field "$ev" .exec.written_after_start false "image binary"
pass "image binaries are not flagged as written"

ev=$(expect_event '.type=="exec" and .container.id=="host" and (.exec.args|join(" "))=="runc run '"$ID"'"' "runc on the host")
pass "host processes are attributed to the host"

# ---- outside the root ----
# the host's /etc/hostname, opened in the container through /hostproc/PID/root:
# the kernel resolved it to the host's file, whose path is "/etc/hostname"
ev=$(expect_event '.type=="open" and .container.id=="'"$ID"'" and .proc.comm=="cat" and .file.ino=='"$(stat -c %i /etc/hostname)" "container opens the host's /etc/hostname")
expect_field "$ev" .file.path /etc/hostname "host file seen from the container"
expect_field "$ev" .file.outside_root true "host file opened from the container"
expect_field "$ev" .file.path_source kernel "host file opened from the container"
# the container's own /etc/hostname, by the same name
ev=$(expect_event '.type=="open" and .container.id=="'"$ID"'" and .proc.comm=="cat" and .file.ino=='"$(stat -c %i "$BUNDLE/rootfs/etc/hostname")" "container opens its own /etc/hostname")
expect_field "$ev" .file.path /etc/hostname "container's own file"
expect_field "$ev" .file.outside_root false "container's own file"
pass "open: a host file reached from a container is outside_root, its own file is not"

# a host binary executed from the container through /hostproc/PID/root
ev=$(expect_event '.type=="exec" and .container.id=="'"$ID"'" and .exec.args[0]=="'"$HOSTROOT$OPS"'"' "container execs a host binary")
expect_field "$ev" .exec.path "$OPS" "host binary's path (up to the host's root)"
expect_field "$ev" .exec.outside_root true "host binary executed from the container"
expect_field "$ev" .exec.ino "$(stat -c %i "$OPS")" "host binary inode"
# ... which then opens the container's /etc/hostname, inside its root
ev=$(expect_event '.type=="open" and .container.id=="'"$ID"'" and .proc.comm=="file_ops"' "host binary opens /etc/hostname")
expect_field "$ev" .file.path /etc/hostname "open by the host binary"
expect_field "$ev" .file.outside_root false "open by the host binary"
ev=$(expect_event '.type=="exec" and (.exec.args|join(" "))=="/tmp/busybox true in-container"' "exec in the container")
expect_field "$ev" .exec.outside_root false "the container's own binary"
pass "exec: a host binary run from a container is outside_root, the container's are not"

# A container that exits at once: runc removes its state directory at the
# exit, possibly before vigil reads the container's events; the id runc was
# started with still attributes them.
ID2=vgl-e2e-short-$$
jq '.process.args=["/bin/true"]' "$BUNDLE/config.json" >"$BUNDLE/config.new"
mv "$BUNDLE/config.new" "$BUNDLE/config.json"
vigil_start -e exec,fork,exit
for i in 1 2 3; do
	(cd "$BUNDLE" && runc run "$ID2-$i" </dev/null) || fail "runc run failed"
done
vigil_stop
for i in 1 2 3; do
	ev=$(expect_event ".type==\"exec\" and .exec.path==\"/bin/busybox\" and .container.id==\"$ID2-$i\"" \
		"exec in short-lived container $i")
	expect_field "$ev" .container.runtime runc "short-lived container runtime"
done
pass "short-lived containers are attributed even after runc removed their state"
