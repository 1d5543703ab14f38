#!/bin/bash
# Persistence rules (policy/30-persistence.yaml) under the full default
# policy: real writes, renames, hard links and symlinks into cron, systemd,
# sudoers, linker and shell startup locations, and opens for writing of
# /etc/passwd, /etc/ld.so.preload, root's .bashrc and authorized_keys that
# write nothing. Each trigger has a benign neighbour that must not alert;
# --events proves the neighbour really happened.
#
# The machine is left as it was: every file or directory this test creates
# (all named vgl-test-<pid>*) is removed on exit, files that existed are only
# opened with O_APPEND and zero bytes written, and their size, mtime, mode,
# owner and content are compared before and after.
. "$(dirname "$0")/lib.sh"

OPEN=$HELPERS/cred_open
[ -x "$OPEN" ] || fail "$OPEN missing: run make build/helpers/cred_open"
command -v getent >/dev/null || fail "getent is not installed"
command -v systemctl >/dev/null || fail "systemctl is not installed (scripts/deps.sh installs it)"

TAG=vgl-test-$$
CREATED=()	# files, symlinks and directories to remove, in creation order

# undo : remove what the test created, newest first
undo() {
	local i
	for ((i = ${#CREATED[@]} - 1; i >= 0; i--)); do
		if [ -d "${CREATED[i]}" ] && [ ! -L "${CREATED[i]}" ]; then
			rmdir "${CREATED[i]}"
		else
			rm -f "${CREATED[i]}"
		fi
	done
	CREATED=()
}
trap 'undo; cleanup' EXIT

# created PATH : PATH did not exist before this test; remove it on exit
created() {
	CREATED+=("$1")
}

# mkdir_once DIR : create DIR (mode 0755) if it is missing, remove it on exit
mkdir_once() {
	[ -d "$1" ] && return 0
	mkdir -m "${2:-755}" "$1" || fail "mkdir $1"
	created "$1"
}

# touch_nothing PATH : open PATH for writing without changing it. An existing
# file is opened O_WRONLY|O_APPEND and nothing is written; a missing one is
# created empty (by bash's >>, O_CREAT) and removed on exit.
touch_nothing() {
	if [ -e "$1" ]; then
		"$OPEN" append "$1" >/dev/null
	else
		created "$1"
		: >>"$1"
	fi
}

# state PATH : what must not change about an existing file
state() {
	[ -e "$1" ] || { echo absent; return; }
	stat -c '%s %Y %a %u %g' "$1"
	sha256sum <"$1"
}

WATCHED=(/etc/passwd /etc/group /root/.bashrc /etc/ld.so.preload /root/.ssh/authorized_keys)
declare -A BEFORE
for f in "${WATCHED[@]}"; do
	BEFORE[$f]=$(state "$f")
done

# ---- fixtures in $WORK ----
mkdir -p "$WORK/bin"
cp /bin/bash "$WORK/bin/dpkg"			# stands in for dpkg running a maintainer script
cp "$OPEN" "$WORK/bin/useradd"			# a trusted name outside the system directories
cp "$OPEN" "$WORK/bin/reader"
printf '# vigil e2e test: never runs\n' >"$WORK/cron-staged"
printf '# vigil e2e test: grants nothing\n' >"$WORK/sudoers-staged"

CRON=/etc/cron.d/$TAG
UNIT=/etc/systemd/system/$TAG.service
WANTS=/etc/systemd/system/multi-user.target.wants
SUDO=/etc/sudoers.d/$TAG
LDCONF=/etc/ld.so.conf.d/$TAG.conf
AUTHKEYS=/root/.ssh/authorized_keys

vigil_run_start --events

# cron: a write, a rename into /etc/cron.d, a maintainer-script-like write
mkdir_once /etc/cron.d
created "$CRON"
printf '# vigil e2e test: never runs\n' >"$CRON"
cat "$CRON" >/dev/null
created "$CRON-mv"
mv "$WORK/cron-staged" "$CRON-mv"
created "$CRON-pkg"
"$WORK/bin/dpkg" -c "/bin/sh -c 'printf \"# vigil e2e test\\n\" >$CRON-pkg'; true"

# systemd: a unit written by hand and enabled with ln -s; the same unit
# enabled by systemctl (no alert); a unit outside the unit directories linked
# in by systemctl. systemd is not running here, so nothing starts.
mkdir_once /etc/systemd
mkdir_once /etc/systemd/system
mkdir_once "$WANTS"
created "$UNIT"
printf '%s\n' '[Unit]' 'Description=vigil e2e test, never started' '[Service]' \
	'ExecStart=/bin/true' '[Install]' 'WantedBy=multi-user.target' >"$UNIT"
created "$WANTS/$TAG-ln.service"
ln -s "$UNIT" "$WANTS/$TAG-ln.service"
cat "$UNIT" >/dev/null
ls "$WANTS" >/dev/null
created "$WANTS/$TAG.service"
systemctl enable "$TAG.service" >/dev/null 2>&1 || fail "systemctl enable $TAG.service"
[ -L "$WANTS/$TAG.service" ] || fail "systemctl enable made no symlink"
cp "$UNIT" "$WORK/$TAG-linked.service"
created "/etc/systemd/system/$TAG-linked.service"
systemctl link "$WORK/$TAG-linked.service" >/dev/null 2>&1 || fail "systemctl link"

# authorized_keys
mkdir_once /root/.ssh 700
touch_nothing "$AUTHKEYS"
cat "$AUTHKEYS" >/dev/null

# /etc/ld.so.preload: opened for append (or created empty and removed at once:
# an empty preload file changes nothing), then only read
if [ -e /etc/ld.so.preload ]; then
	"$OPEN" append /etc/ld.so.preload >/dev/null
else
	created /etc/ld.so.preload
	: >>/etc/ld.so.preload
	rm -f /etc/ld.so.preload
fi
"$WORK/bin/reader" read /etc/ld.so.preload >/dev/null

# linker search path
mkdir_once /etc/ld.so.conf.d
created "$LDCONF"
printf '# vigil e2e test: adds no directory\n' >"$LDCONF"
cat /etc/ld.so.conf >/dev/null

# sudoers: a write (a comment only) and a hard link into /etc/sudoers.d
mkdir_once /etc/sudoers.d
created "$SUDO"
printf '# vigil e2e test: grants nothing\n' >"$SUDO"
created "$SUDO-ln"
ln "$WORK/sudoers-staged" "$SUDO-ln"
cat "$SUDO" >/dev/null

# account databases: opened for append, nothing written
"$OPEN" append /etc/passwd >/dev/null
"$WORK/bin/useradd" append /etc/group >/dev/null
getent passwd root >/dev/null || fail "getent passwd root"

# root's shell startup file
touch_nothing /root/.bashrc
cat /root/.bashrc >/dev/null

vigil_stop

# the machine is as it was: created files gone, existing ones untouched
undo
for f in "${WATCHED[@]}"; do
	[ "$(state "$f")" = "${BEFORE[$f]}" ] || fail "$f changed: was '${BEFORE[$f]}', now '$(state "$f")'"
done

# ---- VGL-0300 cron ----
al=$(expect_alert VGL-0300 '.event.type == "open" and .event.file.path == "'"$CRON"'"' \
	"write of /etc/cron.d file")
expect_field "$al" .process.name bash "writer"
expect_field "$al" '.event.file.flags | index("O_CREAT") != null' true "created"
al=$(expect_alert VGL-0300 '.event.type == "rename" and .event.file.new_path == "'"$CRON-mv"'"' \
	"mv into /etc/cron.d")
expect_field "$al" .process.name mv "renamer"
expect_field "$al" '.message | contains("'"$WORK/cron-staged $CRON-mv"'")' true "message has both names"
ev '.type == "open" and .file.path == "'"$CRON-pkg"'" and .proc.comm == "sh"' "maintainer-script-like write"
no_alert VGL-0300 '.event.file.path == "'"$CRON-pkg"'"' "write by a script under dpkg"
ev '.type == "open" and .file.path == "'"$CRON"'" and .proc.comm == "cat"' "cat of the cron file"
no_alert VGL-0300 '.process.name == "cat"' "reading a cron file"
pass "VGL-0300: cron file written or moved in alerts; under dpkg or read does not"

# ---- VGL-0301 systemd ----
al=$(expect_alert VGL-0301 '.event.type == "open" and .event.file.path == "'"$UNIT"'"' "unit file written")
expect_field "$al" .rule.severity medium "severity"
al=$(expect_alert VGL-0301 '.event.type == "symlink" and .event.file.path == "'"$WANTS/$TAG-ln.service"'"' \
	"enabled by ln -s")
expect_field "$al" .event.file.target "$UNIT" "symlink target"
expect_field "$al" .process.name ln "linker"
al=$(expect_alert VGL-0301 '.process.name == "systemctl"' "systemctl link of a unit in \$WORK")
expect_field "$al" .event.file.target "$WORK/$TAG-linked.service" "points outside the unit directories"
ev '.type == "symlink" and .proc.comm == "systemctl" and .file.path == "'"$WANTS/$TAG.service"'"' \
	"systemctl enable"
no_alert VGL-0301 '.process.name == "systemctl" and .event.file.path == "'"$WANTS/$TAG.service"'"' \
	"systemctl enable of a unit in /etc/systemd/system"
pass "VGL-0301: systemctl link of a unit in /tmp alerts; systemctl enable does not"
no_alert VGL-0301 '.process.name == "cat"' "reading a unit"
ev '.type == "open" and .file.path == "'"$WANTS"'" and .proc.comm == "ls"' "ls of a .wants directory"
no_alert VGL-0301 '.process.name == "ls"' "listing a unit directory (O_RDONLY|O_DIRECTORY)"
pass "VGL-0301: unit written and symlinked into .wants alerts; reading it or listing the directory does not"

# ---- VGL-0302 authorized_keys ----
al=$(expect_alert VGL-0302 '.event.file.path == "'"$AUTHKEYS"'"' "authorized_keys opened for writing")
expect_field "$al" '.event.file.flags | index("O_APPEND") != null' true "append"
expect_field "$al" .rule.severity high "severity"
ev '.type == "open" and .file.path == "'"$AUTHKEYS"'" and .proc.comm == "cat"' "cat of authorized_keys"
no_alert VGL-0302 '.process.name == "cat"' "reading authorized_keys"
pass "VGL-0302: authorized_keys opened for append alerts; reading it does not"

# ---- VGL-0303 ld.so.preload ----
al=$(expect_alert VGL-0303 '.event.file.path == "/etc/ld.so.preload"' "ld.so.preload opened for writing")
expect_field "$al" .rule.severity critical "severity"
ev '.type == "open" and .file.path == "/etc/ld.so.preload" and .proc.comm == "reader"' \
	"read of ld.so.preload"
no_alert VGL-0303 '.process.name == "reader"' "reading ld.so.preload"
pass "VGL-0303: /etc/ld.so.preload opened for writing alerts (critical); reading it does not"

# ---- VGL-0307 ld.so.conf.d ----
expect_alert VGL-0307 '.event.file.path == "'"$LDCONF"'"' "ld.so.conf.d file written" >/dev/null
ev '.type == "open" and .file.path == "/etc/ld.so.conf" and .proc.comm == "cat"' "cat /etc/ld.so.conf"
no_alert VGL-0307 '.process.name == "cat"' "reading /etc/ld.so.conf"
pass "VGL-0307: /etc/ld.so.conf.d file written alerts; reading /etc/ld.so.conf does not"

# ---- VGL-0304 sudoers ----
expect_alert VGL-0304 '.event.type == "open" and .event.file.path == "'"$SUDO"'"' \
	"sudoers.d file written" >/dev/null
al=$(expect_alert VGL-0304 '.event.type == "link" and .event.file.new_path == "'"$SUDO-ln"'"' \
	"hard link into sudoers.d")
expect_field "$al" .process.name ln "linker"
ev '.type == "open" and .file.path == "'"$SUDO"'" and .proc.comm == "cat"' "cat of the sudoers file"
no_alert VGL-0304 '.process.name == "cat"' "reading sudoers"
pass "VGL-0304: sudoers.d written or hard-linked into alerts; reading it does not"

# ---- VGL-0305 account databases ----
al=$(expect_alert VGL-0305 '.event.file.path == "/etc/passwd"' "/etc/passwd opened for append")
expect_field "$al" .process.exe "$OPEN" "writer"
expect_field "$al" '.event.file.flags | index("O_APPEND") != null' true "append"
al=$(expect_alert VGL-0305 '.event.file.path == "/etc/group"' "a fake useradd opens /etc/group")
expect_field "$al" .process.name useradd "trusted name outside the system directories"
ev '.type == "open" and .file.path == "/etc/passwd" and .proc.comm == "getent"' "getent reads /etc/passwd"
no_alert VGL-0305 '.process.name == "getent"' "getent passwd root"
pass "VGL-0305: /etc/passwd and /etc/group opened for writing alert (a fake useradd too); getent does not"

# ---- VGL-0306 shell startup files ----
al=$(expect_alert VGL-0306 '.event.file.path == "/root/.bashrc"' "root's .bashrc opened for writing")
expect_field "$al" .rule.severity medium "severity"
ev '.type == "open" and .file.path == "/root/.bashrc" and .proc.comm == "cat"' "cat of .bashrc"
no_alert VGL-0306 '.process.name == "cat"' "reading .bashrc"
pass "VGL-0306: root's .bashrc opened for writing alerts; reading it does not"
