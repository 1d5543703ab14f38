#!/bin/bash
# A real OCI container (runc + busybox-static): events carry the container
# id and runtime, paths as seen inside it, and ancestry that crosses from
# the container's processes to the host's runc.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"

ID=vgl-e2e-$$
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" \
	"$BUNDLE/rootfs/sys"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for app in sh cp sleep true; do ln -s busybox "$BUNDLE/rootfs/bin/$app"; done
(cd "$BUNDLE" && runc spec)
jq '.process.terminal=false
    | .process.args=["/bin/sh","-c","cp /bin/busybox /tmp/busybox && /tmp/busybox true in-container && sleep 0.2"]
    | .root.readonly=false' "$BUNDLE/config.json" >"$BUNDLE/config.new"
mv "$BUNDLE/config.new" "$BUNDLE/config.json"

vigil_start -e exec,fork,exit
(cd "$BUNDLE" && runc run "$ID" </dev/null) || fail "runc run failed"
vigil_stop
runc delete -f "$ID" 2>/dev/null

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
