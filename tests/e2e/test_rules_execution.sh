#!/bin/bash
# Execution rules (policy/10-execution.yaml) under the full default policy:
# real memfd, deleted-file and /proc/self/fd execs, programs run from /tmp,
# /dev/shm, a dropped file on the host and in a real runc container, a shell
# whose stdin is a TCP connection on loopback, curl | sh, miners and attack
# tools by name, LD_PRELOAD and an empty argv. Each trigger has a benign
# neighbour that must not alert, and --events proves the neighbour ran.
#
# Outside $WORK this test creates /root/vgl-exec.* and /dev/shm/vgl-shm-*,
# both removed on exit.
. "$(dirname "$0")/lib.sh"

EXEC=$HELPERS/exec_ops
for h in exec_ops memfd_exec stdio_socket; do
	[ -x "$HELPERS/$h" ] || fail "$HELPERS/$h missing: run make build/helpers/$h"
done
command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
for tool in curl gcc make python3 stdbuf fakeroot; do
	command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# ---- what this test adds outside $WORK, undone on exit ----
D=$(mktemp -d /root/vgl-exec.XXXXXX)	# not a temporary directory: VGL-0105 alone
SHM=/dev/shm/vgl-shm-$$
CTR=vgl-exec-$$
restore() {
	runc delete -f "$CTR" 2>/dev/null
	rm -rf "$D" "$SHM"
	cleanup
}
trap restore EXIT

# ---- fixtures ----
for f in del fdx tmpbin kept xmrig xmrig-docs worker chisel chisel-docs nmap nmap-report; do
	cp /usr/bin/true "$WORK/$f"
done
printf '#!/bin/sh\ntrue\n' >"$WORK/linpeas.sh"
printf '#!/bin/sh\ntrue\n' >"$WORK/inventory.sh"
printf 'pool = stratum+tcp://127.0.0.1:3333\n' >"$WORK/pool.txt"
printf 'echo vgl-downloaded >/dev/null\n' >"$WORK/payload.sh"
printf 'echo vgl-catted >/dev/null\n' >"$WORK/payload-cat.sh"
printf 'int vgl_hook;\n' | gcc -shared -fPIC -x c - -o "$WORK/hook.so" || fail "gcc -shared"
cp /usr/bin/true "$D/prebuilt"		# written before vigil starts
mkdir -p "$WORK/mk" "$D/proj"
printf 'check:\n\tcp /usr/bin/true built\n\t./built vgl-made\n' >"$WORK/mk/Makefile"
cp "$WORK/mk/Makefile" "$D/proj/Makefile"

BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" \
	"$BUNDLE/rootfs/sys"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for app in sh cp ls sleep true; do ln -s busybox "$BUNDLE/rootfs/bin/$app"; done
(cd "$BUNDLE" && runc spec)
# The sleep gives vigil time to see runc's state.json: a plain runc
# container's first events can be attributed to the host before it exists.
CMD='sleep 0.5; ls / >/dev/null; mkdir -p /opt/drop && cp /bin/busybox /opt/drop/busybox'
CMD="$CMD && /opt/drop/busybox true vgl-drift"
jq --arg cmd "$CMD" '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh", "-c", $cmd]' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"

# one connection on 127.0.0.1: send "exit" to whatever shell answers
listener() {
	python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(10)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c, _ = s.accept()
c.sendall(b"exit\n")
c.settimeout(5)
try:
    c.recv(100)
except OSError:
    pass
c.close()
' "$1"
}

# ---- triggers and neighbours, under the whole default policy ----
vigil_run_start --events

# fileless, deleted, by descriptor
"$HELPERS/memfd_exec" "vgl-mfd-$$" /usr/bin/true vgl-memfd
"$EXEC" deleted "$WORK/del" del vgl-deleted || fail "exec of a deleted file"
"$EXEC" fdexec "$WORK/fdx" fdx vgl-fdexec || fail "exec through /proc/self/fd"
"$WORK/fdx" vgl-byname
"$WORK/kept" vgl-kept

# temporary directories
"$WORK/tmpbin" vgl-tmp
cp /usr/bin/true "$SHM" && "$SHM" vgl-shm || fail "exec from /dev/shm"
/usr/bin/true vgl-usr
make -s -C "$WORK/mk" check || fail "make check in /tmp"

# dropped on the host
cp /usr/bin/true "$D/dropped" && "$D/dropped" vgl-dropped
"$D/prebuilt" vgl-prebuilt
make -s -C "$D/proj" check || fail "make check in $D"

# reverse shell to a loopback listener; the same shell on a pipe, and with
# only stdout on a socket (what systemd gives services: the journal socket)
listener "$WORK/port" &
LISTENER=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || fail "listener did not start"
"$HELPERS/stdio_socket" "$(cat "$WORK/port")" /bin/sh -s "vgl-sock-$$" ||
	fail "shell over the socket"
wait "$LISTENER"
echo exit | /bin/sh -s "vgl-pipe-$$"
python3 -c 'import socket, subprocess, sys
a, b = socket.socketpair()
subprocess.run(["/bin/sh", "-c", "true", "vgl-journal"], stdin=subprocess.DEVNULL, stdout=a)'

# curl | sh, ten times: the shell is matched only when curl's exec is seen
# before its own (40% to 100% of runs depending on load, 85% typical; see
# VGL-0107's false_positives)
for _ in $(seq 10); do
	curl -s "file://$WORK/payload.sh" | sh
done
cat "$WORK/payload-cat.sh" | sh
curl -s -o "$WORK/saved.sh" "file://$WORK/payload.sh" || fail "curl -o"

# names
"$WORK/xmrig" vgl-miner
"$WORK/worker" -o stratum+tcp://127.0.0.1:3333 -u vgl
"$WORK/xmrig-docs" vgl-docs
grep -q stratum+tcp:// "$WORK/pool.txt" || fail "grep of the pool file"
"$WORK/chisel" vgl-chisel
sh "$WORK/linpeas.sh" vgl-linpeas
"$WORK/chisel-docs" vgl-docs
sh "$WORK/inventory.sh" vgl-inventory
"$WORK/nmap" vgl-nmap
"$WORK/nmap-report" vgl-nmap-report

# LD_PRELOAD
LD_PRELOAD=$WORK/hook.so /usr/bin/true vgl-preload
stdbuf -oL /usr/bin/true vgl-stdbuf
fakeroot /usr/bin/true vgl-fakeroot

# empty argv
"$EXEC" noargv /usr/bin/true || fail "exec with an empty argv"
/usr/bin/true vgl-argv

# a dropped binary in a real container
(cd "$BUNDLE" && runc run "$CTR" </dev/null >/dev/null) || fail "runc run failed"

vigil_stop

# an exec event whose argv contains MARK
exec_of() {
	ev '.type == "exec" and ((.exec.args // []) | index("'"$1"'") != null)' "$2"
}

# ---- VGL-0001 fileless ----
al=$(expect_alert VGL-0001 '.event.exec.path == "/memfd:vgl-mfd-'$$'"' "exec from a memfd")
expect_field "$al" .event.exec.is_memfd true "memfd flag"
expect_field "$al" .rule.severity critical "severity"
no_alert VGL-0101 '.event.exec.is_memfd' "memfd execs belong to VGL-0001 alone"
no_alert VGL-0100 '.event.exec.is_memfd' "memfd execs belong to VGL-0001 alone"
no_alert VGL-0001 '.event.exec.path == "/usr/bin/true"' "ordinary exec"
pass "VGL-0001: memfd exec alerts (and not as deleted or by-descriptor)"

# ---- VGL-0100 deleted file ----
al=$(expect_alert VGL-0100 "$(args_has vgl-deleted)" "fexecve of an unlinked file")
expect_field "$al" .event.exec.path "$WORK/del" "the file as it was named"
expect_field "$al" .event.exec.is_deleted true "deleted flag"
exec_of vgl-kept "the kept file ran"
no_alert VGL-0100 "$(args_has vgl-kept)" "exec of a file that still exists"
pass "VGL-0100: exec of an unlinked file alerts, of an existing one does not"

# ---- VGL-0101 by descriptor ----
al=$(expect_alert VGL-0101 "$(args_has vgl-fdexec)" "exec of /proc/self/fd/N")
expect_field "$al" '.event.exec.filename | test("^/proc/self/fd/[0-9]+$")' true "filename"
expect_field "$al" .event.exec.path "$WORK/fdx" "resolved file"
al=$(expect_alert VGL-0101 "$(args_has vgl-deleted)" "fexecve (execveat AT_EMPTY_PATH)")
expect_field "$al" '.event.exec.filename | startswith("/dev/fd/")' true "fexecve filename"
exec_of vgl-byname "the same file by name"
no_alert VGL-0101 "$(args_has vgl-byname)" "the same file executed by name"
pass "VGL-0101: /proc/self/fd/N and fexecve alert; the same file by name does not"

# ---- VGL-0102 / VGL-0103 temporary directories ----
al=$(expect_alert VGL-0102 "$(args_has vgl-tmp)" "exec from /tmp")
expect_field "$al" .event.exec.path "$WORK/tmpbin" "path"
expect_field "$al" .event.exec.in_tmp_dir true "in_tmp_dir"
al=$(expect_alert VGL-0103 "$(args_has vgl-shm)" "exec from /dev/shm")
expect_field "$al" .event.exec.path "$SHM" "path"
expect_field "$al" .rule.severity high "severity"
no_alert VGL-0102 "$(args_has vgl-shm)" "/dev/shm is VGL-0103's"
no_alert VGL-0103 "$(args_has vgl-tmp)" "/tmp is not /dev/shm"
exec_of vgl-usr "/usr/bin/true ran"
no_alert VGL-0102 "$(args_has vgl-usr)" "exec of /usr/bin/true"
ev '.type == "exec" and .exec.path == "'"$WORK"'/mk/built"' "make check ran its program in /tmp"
no_alert VGL-0102 '.event.exec.path == "'"$WORK"'/mk/built"' "make check in /tmp"
pass "VGL-0102/0103: /tmp and /dev/shm execs alert; /usr/bin and make check in /tmp do not"

# ---- VGL-0105 dropped on the host ----
al=$(expect_alert VGL-0105 "$(args_has vgl-dropped)" "binary copied after start, then run")
expect_field "$al" .event.exec.path "$D/dropped" "path"
expect_field "$al" .event.exec.written_after_start true "written flag"
expect_field "$al" .container null "on the host"
exec_of vgl-prebuilt "the prebuilt binary ran"
no_alert VGL-0105 "$(args_has vgl-prebuilt)" "binary written before vigil started"
ev '.type == "exec" and .exec.path == "'"$D"'/proj/built" and .exec.written_after_start' \
	"make check ran a freshly written program"
no_alert VGL-0105 '.event.exec.path == "'"$D"'/proj/built"' "make check"
no_alert VGL-0105 "$(args_has vgl-usr)" "/usr/bin/true"
pass "VGL-0105: a dropped binary alerts; one written before start and make check do not"

# ---- VGL-0104 drift in a container ----
al=$(expect_alert VGL-0104 '.container.id == "'"$CTR"'" and '"$(args_has vgl-drift)" \
	"binary copied in the container, then run")
expect_field "$al" .event.exec.path /opt/drop/busybox "path inside the container"
expect_field "$al" .container.runtime runc "runtime"
ev '.type == "exec" and .container.id == "'"$CTR"'" and .exec.path == "/bin/busybox"' \
	"the image's busybox ran"
no_alert VGL-0104 '.event.exec.path == "/bin/busybox"' "image binaries"
no_alert VGL-0105 '.container.id == "'"$CTR"'"' "VGL-0105 is for the host"
no_alert VGL-0104 "$(args_has vgl-dropped)" "VGL-0104 is for containers"
pass "VGL-0104: drift in a runc container alerts; the image's binaries do not"

# ---- VGL-0106 reverse shell ----
al=$(expect_alert VGL-0106 "$(args_has vgl-sock-$$)" "sh with stdio on a TCP socket")
expect_field "$al" '.event.exec.stdio[0]' socket "stdin"
expect_field "$al" '.event.exec.stdio[1]' socket "stdout"
expect_field "$al" .process.name sh "shell"
expect_field "$al" .rule.severity critical "severity"
exec_of "vgl-pipe-$$" "the shell on a pipe ran"
no_alert VGL-0106 "$(args_has vgl-pipe-$$)" "sh reading a pipe"
ev '.type == "exec" and .exec.stdio[0] == "char" and .exec.stdio[1] == "socket"
    and ((.exec.args // []) | index("vgl-journal") != null)' "a shell with only stdout on a socket ran"
no_alert VGL-0106 "$(args_has vgl-journal)" "stdout alone on a socket (journald)"
pass "VGL-0106: sh on a loopback TCP connection alerts; on a pipe or with stdout-only socket not"

# ---- VGL-0107 downloader | shell ----
n=$(jq -s '[.[] | select(.kind == "alert" and (.rule.id == "VGL-0107" or .rule.id == "VGL-0113")
	and (.message | contains("curl -s file://'"$WORK"'/payload.sh")))] | length' "$ALERTS")
[ "$n" -eq 10 ] || fail "curl | sh: $n alerts (VGL-0107 or VGL-0113) in 10 runs, expected 10"
n107=$(jq -s '[.[] | select(.kind == "alert" and .rule.id == "VGL-0107")] | length' "$ALERTS")
[ "$n107" -ge 1 ] || fail "no VGL-0107 (shell side) in 10 runs"
al=$(expect_alert VGL-0107 '.message | contains("curl -s file://")' "curl | sh")
expect_field "$al" '.event.exec.stdio[0]' pipe "stdin is a pipe"
expect_field "$al" .process.name sh "the shell"
ev '.type == "exec" and .exec.args == ["cat", "'"$WORK"'/payload-cat.sh"]' "cat | sh ran"
no_alert VGL-0107 '.message | contains("cat ")' "cat script | sh"
no_alert VGL-0113 '.message | contains("-o ")' "curl -o alone"
no_alert VGL-0107 '.message | contains("-o ")' "curl -o alone"
pass "VGL-0107/0113: every curl | sh alerts once, whatever the exec order; cat | sh and curl -o do not"

# ---- VGL-0108 miners ----
al=$(expect_alert VGL-0108 "$(args_has vgl-miner)" "a program named xmrig")
expect_field "$al" .process.exe "$WORK/xmrig" "exe"
expect_field "$al" .action would_kill "kill action (reported until enforcement lands)"
al=$(expect_alert VGL-0108 '.process.exe == "'"$WORK"'/worker"' "a stratum pool URL")
expect_field "$al" '.message | contains("stratum+tcp://127.0.0.1:3333")' true "message shows the pool"
exec_of vgl-docs "xmrig-docs ran"
no_alert VGL-0108 '.process.exe == "'"$WORK"'/xmrig-docs"' "a name that only starts like a miner"
ev '.type == "exec" and .proc.comm == "grep" and ((.exec.args // []) | index("stratum+tcp://") != null)' \
	"grep for a pool URL ran"
no_alert VGL-0108 '.process.name == "grep"' "grep for a pool URL"
pass "VGL-0108: xmrig and a stratum URL alert (would_kill); xmrig-docs and grep do not"

# ---- VGL-0109 / VGL-0110 attack tools and scanners ----
al=$(expect_alert VGL-0109 "$(args_has vgl-chisel)" "a program named chisel")
expect_field "$al" .process.exe "$WORK/chisel" "exe"
al=$(expect_alert VGL-0109 "$(args_has vgl-linpeas)" "sh linpeas.sh")
expect_field "$al" .process.name sh "through the shell"
no_alert VGL-0109 '.process.exe == "'"$WORK"'/chisel-docs"' "chisel-docs"
exec_of vgl-inventory "sh inventory.sh ran"
no_alert VGL-0109 "$(args_has vgl-inventory)" "sh running another script"
al=$(expect_alert VGL-0110 "$(args_has vgl-nmap)" "a program named nmap")
expect_field "$al" .rule.severity medium "severity"
exec_of vgl-nmap-report "nmap-report ran"
no_alert VGL-0110 "$(args_has vgl-nmap-report)" "nmap-report"
pass "VGL-0109/0110: chisel, sh linpeas.sh and nmap alert; look-alike names do not"

# ---- VGL-0111 LD_PRELOAD ----
al=$(expect_alert VGL-0111 "$(args_has vgl-preload)" "LD_PRELOAD of a library in /tmp")
expect_field "$al" .event.exec.ld_preload "$WORK/hook.so" "preloaded library"
ev '.type == "exec" and (.exec.ld_preload // "" | contains("libstdbuf"))
    and ((.exec.args // []) | index("vgl-stdbuf") != null)' "stdbuf preloads libstdbuf"
no_alert VGL-0111 "$(args_has vgl-stdbuf)" "stdbuf"
ev '.type == "exec" and (.exec.ld_preload // "" | contains("libfakeroot"))
    and ((.exec.args // []) | index("vgl-fakeroot") != null)' "fakeroot preloads libfakeroot"
no_alert VGL-0111 "$(args_has vgl-fakeroot)" "fakeroot"
pass "VGL-0111: LD_PRELOAD of a /tmp library alerts; stdbuf and fakeroot do not"

# ---- VGL-0112 empty argv ----
al=$(expect_alert VGL-0112 '.process.exe == "/usr/bin/true" and .event.exec.args == [""]' \
	"execve with argv {NULL}")
expect_field "$al" ".event.exec.argc <= 1" true "argc 0 (the kernel since 5.18 substitutes one empty argument)"
exec_of vgl-argv "true with an argv ran"
no_alert VGL-0112 '.event.exec.args != [""] and .event.exec.argc != 0' "ordinary argv"
pass "VGL-0112: an empty argv alerts; an ordinary one does not"
