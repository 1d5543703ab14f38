#!/bin/bash
# File events: open (kernel path of the returned fd, failed opens named by
# their argument), unlink, rename, link, symlink, chmod, chown, truncate,
# utimes. Each call is made by build/helpers/file_ops, which makes exactly
# one syscall and prints its pid and result; the event must carry that
# process, that result and the exact fields.
. "$(dirname "$0")/lib.sh"

F=$HELPERS/file_ops
[ -x "$F" ] || fail "missing $F: run make build/helpers/file_ops"

# Fields of "pid=N ret=R" printed by file_ops.
pid_of() { local p=${1#pid=}; echo "${p%% *}"; }
ret_of() { echo "${1##*ret=}"; }

# Kernel dev_t (12-bit major, 20-bit minor) of a path, as vigil prints it.
kdev() { stat -c '%Hd:%Ld' "$1"; }

# The event of type $1 made by pid $2 (and matching the extra condition $3).
ev_of() {
	expect_event ".type==\"$1\" and .proc.pid==$2 ${3:+and $3}" "$1 by pid $2 ${3:-}"
}

# Header: the event belongs to the helper that made the call.
expect_proc() {
	expect_field "$1" .proc.pid "$2" "$3 pid"
	expect_field "$1" .proc.comm "${4:-file_ops}" "$3 comm"
}

REAL=$(realpath "$WORK")/real	# mktemp's /tmp may itself be a symlink
mkdir "$REAL" "$REAL/sub"
ln -s "$REAL" "$WORK/link"
# Written before vigil starts: only the chmod below can put it in the map.
PRE=$REAL/pre.bin
cp /bin/true "$PRE"

vigil_start -e file

# 1. Create through a relative name from a cwd that is a symlink.
out=$(cd "$WORK/link" && "$F" open-creat ./f.txt)
P_CREAT=$(pid_of "$out"); FD_CREAT=$(ret_of "$out")
# 2. Failed opens: denied to an unprivileged user, and a missing name.
setpriv --reuid=65534 --regid=65534 --clear-groups cat /etc/shadow 2>/dev/null &
P_SHADOW=$!
wait $P_SHADOW
out=$(cd "$WORK/link/sub" && "$F" open ../missing.txt); P_MISSING=$(pid_of "$out")
out=$("$F" openat2 /etc/hostname); P_OPENAT2=$(pid_of "$out")
out=$("$F" creat "$REAL/c.txt"); P_CREAT2=$(pid_of "$out")
# 3. Name changes.
out=$("$F" link "$REAL/f.txt" "$REAL/hard"); P_LINK=$(pid_of "$out")
out=$("$F" rename "$REAL/hard" "$REAL/moved"); P_RENAME=$(pid_of "$out")
out=$("$F" rename-dirfd "$REAL/moved" "$REAL/sub" moved2); P_RENAME2=$(pid_of "$out")
out=$(cd "$WORK/link" && "$F" symlink /etc/passwd sl); P_SYMLINK=$(pid_of "$out")
# 4. Attribute and content changes.
out=$("$F" chmod "$REAL/f.txt" 0755); P_CHMOD=$(pid_of "$out")
out=$("$F" chmod "$PRE" 0755); P_CHMOD_PRE=$(pid_of "$out")
out=$("$F" fchmod "$REAL/c.txt" 0700); P_FCHMOD=$(pid_of "$out")
out=$("$F" chown "$REAL/f.txt" 65534 65533); P_CHOWN=$(pid_of "$out")
out=$("$F" truncate "$REAL/f.txt" 1234); P_TRUNC=$(pid_of "$out")
out=$("$F" ftruncate "$REAL/c.txt" 99); P_FTRUNC=$(pid_of "$out")
out=$("$F" utimensat "$REAL/f.txt"); P_UTIME=$(pid_of "$out")
out=$("$F" futimens "$REAL/c.txt"); P_FUTIME=$(pid_of "$out")
# Requested mtimes, one per layout (2001-01-01 00:00:00 UTC = 978307200).
U=$HELPERS/sensor_utimes
[ -x "$U" ] || fail "missing $U: run make build/helpers/sensor_utimes"
declare -A P_UT
for call in utime utimes futimesat utimensat utimensat-now utimensat-omit; do
	out=$("$U" "$call" "$REAL/c.txt" 978307200); P_UT[$call]=$(pid_of "$out")
done
touch -d '2001-01-01 00:00:00 UTC' "$REAL/touched"
touch "$REAL/touched-now"
# The map entry must be looked at while vigil (and so the map) is alive.
MAP=$(bpftool map dump name written_inodes -j 2>/dev/null)
# 5. Removal (the inode of sub/moved2 is f.txt's: keep the numbers first).
INO_F=$(stat -c %i "$REAL/f.txt"); DEV_F=$(kdev "$REAL/f.txt")
INO_PRE=$(stat -c %i "$PRE"); DEV_PRE=$(stat -c '%Hd %Ld' "$PRE")
out=$("$F" unlink "$REAL/sub/moved2"); P_UNLINK=$(pid_of "$out")
out=$(cd "$REAL" && "$F" rmdir-at sub); P_RMDIR=$(pid_of "$out")
VIGIL_SELF=$VIGIL_PID

vigil_stop

# ---- open ----
ev=$(ev_of open "$P_CREAT")
expect_proc "$ev" "$P_CREAT" "relative create"
expect_field "$ev" .ret "$FD_CREAT" "relative create ret"
[ "$FD_CREAT" -ge 0 ] || fail "relative create failed: ret $FD_CREAT"
expect_field "$ev" .file.syscall openat "relative create"
expect_field "$ev" .file.path "$REAL/f.txt" "relative create through a symlinked cwd"
expect_field "$ev" .file.path_source kernel "relative create"
expect_field "$ev" .file.path_truncated false "relative create"
expect_field "$ev" .file.deleted false "relative create"
expect_field "$ev" '.file.flags|join(",")' O_WRONLY,O_CREAT,O_TRUNC "relative create flags"
expect_field "$ev" .file.flags_raw $((01 | 0100 | 01000)) "relative create raw flags"
expect_field "$ev" .file.mode 0640 "relative create mode"
expect_field "$ev" .file.fd "$FD_CREAT" "relative create fd"
expect_field "$ev" .file.ino "$INO_F" "relative create inode"
expect_field "$ev" .file.dev "$DEV_F" "relative create dev"
case "$(printf '%s' "$ev" | jq -r .file.path)" in *link*) fail "path kept the symlink" ;; esac
pass "open: a relative create through a symlinked cwd has the resolved kernel path"

ev=$(ev_of open "$P_SHADOW" '.file.path=="/etc/shadow"')
expect_proc "$ev" "$P_SHADOW" "denied open" cat
expect_field "$ev" .ret -13 "denied open"
expect_field "$ev" .error EACCES "denied open"
expect_field "$ev" .proc.uid 65534 "denied open uid"
expect_field "$ev" .file.path_source user "denied open"
expect_field "$ev" '.file.flags[0]' O_RDONLY "denied open flags"
expect_field "$ev" '.file|has("fd")' false "denied open has no fd"
pass "open: /etc/shadow denied to nobody is an event with EACCES"

ev=$(ev_of open "$P_MISSING")
expect_field "$ev" .ret -2 "missing open"
expect_field "$ev" .error ENOENT "missing open"
expect_field "$ev" .file.syscall open "missing open"
expect_field "$ev" .file.path "$REAL/sub/../missing.txt" "missing open path made absolute"
expect_field "$ev" .file.path_source user "missing open"
expect_field "$ev" .file.outside_root false "missing open"
pass "open: a failed relative open is named from the cwd"

ev=$(ev_of open "$P_OPENAT2" '.file.path=="/etc/hostname"')
expect_field "$ev" .file.syscall openat2 "openat2"
expect_field "$ev" '.file.flags|join(",")' O_RDONLY,O_CLOEXEC "openat2 flags from struct open_how"
expect_field "$ev" .file.file_type file "openat2"
expect_field "$ev" .file.inode_mode "$(stat -c %04a /etc/hostname)" "openat2 inode mode"
expect_field "$ev" .file.ino "$(stat -c %i /etc/hostname)" "openat2 inode"
expect_field "$ev" .file.outside_root false "host open of /etc/hostname"
pass "open: openat2 flags and the opened inode, inside the root"

ev=$(ev_of open "$P_CREAT2")
expect_field "$ev" .file.syscall creat "creat"
expect_field "$ev" .file.path "$REAL/c.txt" "creat"
expect_field "$ev" '.file.flags|join(",")' O_WRONLY,O_CREAT,O_TRUNC "creat flags"
expect_field "$ev" .file.mode 0600 "creat mode"
pass "open: creat"

# ---- link, rename, symlink ----
ev=$(ev_of link "$P_LINK")
expect_proc "$ev" "$P_LINK" link
expect_field "$ev" .ret 0 link
expect_field "$ev" .file.syscall linkat link
expect_field "$ev" .file.path "$REAL/f.txt" "link existing"
expect_field "$ev" .file.new_path "$REAL/hard" "link new"
expect_field "$ev" .file.ino "$INO_F" "link inode"
pass "link: existing and new names, inode"

ev=$(ev_of rename "$P_RENAME")
expect_proc "$ev" "$P_RENAME" rename
expect_field "$ev" .ret 0 rename
expect_field "$ev" .file.syscall renameat2 rename
expect_field "$ev" .file.path "$REAL/hard" "rename old"
expect_field "$ev" .file.new_path "$REAL/moved" "rename new"
expect_field "$ev" .file.new_outside_root false "rename new"
expect_field "$ev" '.file.flags|join(",")' RENAME_NOREPLACE "rename flags"
expect_field "$ev" .file.ino "$INO_F" "rename inode"
expect_field "$ev" .file.dev "$DEV_F" "rename dev"
ev=$(ev_of rename "$P_RENAME2")
expect_field "$ev" .file.syscall renameat "rename into a dirfd"
expect_field "$ev" .file.new_path "$REAL/sub/moved2" "rename into a dirfd"
expect_field "$ev" .file.ino "$INO_F" "rename into a dirfd inode"
pass "rename: old and new names, flags, inode"

ev=$(ev_of symlink "$P_SYMLINK")
expect_proc "$ev" "$P_SYMLINK" symlink
expect_field "$ev" .ret 0 symlink
expect_field "$ev" .file.syscall symlinkat symlink
expect_field "$ev" .file.path "$REAL/sl" "symlink path from a symlinked cwd"
expect_field "$ev" .file.target /etc/passwd "symlink target"
pass "symlink: link path resolved with the cwd, target as given"

# ---- chmod, chown, truncate, utimes ----
ev=$(ev_of chmod "$P_CHMOD")
expect_proc "$ev" "$P_CHMOD" chmod
expect_field "$ev" .ret 0 chmod
expect_field "$ev" .file.syscall fchmodat chmod
expect_field "$ev" .file.path "$REAL/f.txt" chmod
expect_field "$ev" .file.mode 0755 "chmod mode"
expect_field "$ev" .file.ino "$INO_F" "chmod inode"
ev=$(ev_of chmod "$P_FCHMOD")
expect_field "$ev" .file.syscall fchmod fchmod
expect_field "$ev" .file.path "$REAL/c.txt" "fchmod path from the fd"
expect_field "$ev" .file.path_source kernel fchmod
expect_field "$ev" .file.mode 0700 "fchmod mode"
[ "$(printf '%s' "$ev" | jq .file.fd)" -ge 0 ] || fail "fchmod has no fd"
pass "chmod: mode, inode; fchmod named from its fd"

# chmod of a file written before vigil started put it in written_inodes.
read -r MAJ MIN <<<"$DEV_PRE"
n=$(printf '%s' "$MAP" | jq "[.. | objects | select(has(\"formatted\")) | select(.formatted.key.ino==$INO_PRE and
	.formatted.key.dev==($MAJ*1048576+$MIN) and .formatted.value.pid==$P_CHMOD_PRE)] | length")
[ "${n:-0}" -ge 1 ] || fail "chmod did not record the inode in written_inodes"
pass "chmod records the inode in written_inodes for exec"

ev=$(ev_of chown "$P_CHOWN")
expect_proc "$ev" "$P_CHOWN" chown
expect_field "$ev" .ret 0 chown
expect_field "$ev" .file.syscall fchownat chown
expect_field "$ev" .file.path "$REAL/f.txt" chown
expect_field "$ev" .file.uid 65534 "chown uid"
expect_field "$ev" .file.gid 65533 "chown gid"
expect_field "$ev" .file.ino "$INO_F" "chown inode"
pass "chown: uid and gid"

ev=$(ev_of truncate "$P_TRUNC")
expect_proc "$ev" "$P_TRUNC" truncate
expect_field "$ev" .ret 0 truncate
expect_field "$ev" .file.syscall truncate truncate
expect_field "$ev" .file.path "$REAL/f.txt" truncate
expect_field "$ev" .file.length 1234 "truncate length"
ev=$(ev_of truncate "$P_FTRUNC")
expect_field "$ev" .file.syscall ftruncate ftruncate
expect_field "$ev" .file.path "$REAL/c.txt" "ftruncate path from the fd"
expect_field "$ev" .file.length 99 "ftruncate length"
pass "truncate and ftruncate: length"

ev=$(ev_of utimes "$P_UTIME")
expect_proc "$ev" "$P_UTIME" utimensat
expect_field "$ev" .ret 0 utimensat
expect_field "$ev" .file.syscall utimensat utimensat
expect_field "$ev" .file.path "$REAL/f.txt" utimensat
expect_field "$ev" .file.path_source user utimensat
expect_field "$ev" .file.mtime now "utimensat(NULL times)"
ev=$(ev_of utimes "$P_FUTIME")
expect_field "$ev" .file.path "$REAL/c.txt" "utimensat(fd, NULL) names the fd"
expect_field "$ev" .file.path_source kernel "utimensat(fd, NULL)"
expect_field "$ev" .file.mtime now "utimensat(fd, NULL)"
pass "utimes: by name and by fd"

for call in utime utimes futimesat utimensat; do
	ev=$(ev_of utimes "${P_UT[$call]}")
	expect_field "$ev" .ret 0 "$call"
	expect_field "$ev" .file.syscall "$call" "$call"
	expect_field "$ev" .file.path "$REAL/c.txt" "$call path"
	expect_field "$ev" .file.mtime 978307200 "$call requested mtime"
done
ev=$(ev_of utimes "${P_UT[utimensat-now]}")
expect_field "$ev" .file.mtime now "utimensat UTIME_NOW"
ev=$(ev_of utimes "${P_UT[utimensat-omit]}")
expect_field "$ev" .file.mtime now "utimensat UTIME_OMIT (reported as now)"
ev=$(expect_event ".type==\"utimes\" and .proc.comm==\"touch\" and .file.path==\"$REAL/touched\"" "touch -d")
expect_field "$ev" .file.mtime 978307200 "touch -d '2001-01-01 00:00:00 UTC'"
ev=$(expect_event ".type==\"utimes\" and .proc.comm==\"touch\" and .file.path==\"$REAL/touched-now\"" "touch")
expect_field "$ev" .file.mtime now "plain touch"
pass "utimes: requested mtime from utime, utimes, futimesat, utimensat; now, UTIME_NOW, UTIME_OMIT; touch"

# ---- unlink ----
ev=$(ev_of unlink "$P_UNLINK")
expect_proc "$ev" "$P_UNLINK" unlink
expect_field "$ev" .ret 0 unlink
expect_field "$ev" .file.syscall unlink unlink
expect_field "$ev" .file.path "$REAL/sub/moved2" unlink
expect_field "$ev" .file.dir false unlink
ev=$(ev_of unlink "$P_RMDIR")
expect_field "$ev" .file.syscall unlinkat rmdir
expect_field "$ev" .file.path "$REAL/sub" "rmdir relative to the cwd"
expect_field "$ev" .file.dir true rmdir
expect_field "$ev" '.file.flags|join(",")' AT_REMOVEDIR "rmdir flags"
pass "unlink and unlinkat(AT_REMOVEDIR)"

no_event ".proc.pid==$VIGIL_SELF" "vigil reports its own file activity"
pass "vigil does not report itself"

# Selecting exec only must not attach the open hooks.
vigil_start -e exec
out=$("$F" open-creat "$REAL/exec-only.txt"); P_EXEC_ONLY=$(pid_of "$out")
vigil_stop
expect_event ".type==\"exec\" and .proc.pid==$P_EXEC_ONLY" "exec of file_ops" >/dev/null
no_event '.type=="open"' "open event with only exec selected"
pass "-e exec produces no open events"
