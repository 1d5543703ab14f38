#!/bin/bash
# Credential access rules (policy/20-credential-access.yaml) under the full
# default policy: real reads of /etc/shadow (as root and as nobody), of an
# SSH private key, of cloud and kubeconfig files, of a service account token
# inside a real runc container, and real find/grep searches. Each trigger has
# a benign neighbour that must not alert, and --events proves the neighbour's
# open really happened.
#
# Everything created outside $WORK (/root/.ssh/id_vgltest_*, /root/.aws when
# absent) is removed on exit; nothing that existed before is modified.
. "$(dirname "$0")/lib.sh"

OPEN=$HELPERS/cred_open
[ -x "$OPEN" ] || fail "$OPEN missing: run make build/helpers/cred_open"
command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
for tool in setpriv ssh-keygen passwd; do
	command -v "$tool" >/dev/null || fail "$tool is not installed"
done

# ---- what this test adds outside $WORK, undone on exit ----
SSH_DIR=/root/.ssh
KEY=$SSH_DIR/id_vgltest_$$
MADE_SSH_DIR=
AWS_DIR=/root/.aws
MADE_AWS_DIR=
MADE_AWS_CRED=
CTR_IDS=()

restore() {
	local id
	rm -f "$KEY" "$KEY.pub"
	[ -n "$MADE_SSH_DIR" ] && rmdir "$SSH_DIR"
	[ -n "$MADE_AWS_CRED" ] && rm -f "$AWS_DIR/credentials"
	[ -n "$MADE_AWS_DIR" ] && rmdir "$AWS_DIR"
	for id in "${CTR_IDS[@]}"; do
		runc delete -f "$id" 2>/dev/null
	done
	cleanup
}
trap restore EXIT

# ---- fixtures ----
if [ ! -e "$SSH_DIR" ]; then
	mkdir -m 700 "$SSH_DIR" || fail "mkdir $SSH_DIR"
	MADE_SSH_DIR=1
fi
ssh-keygen -q -t ed25519 -N '' -C vgl-e2e -f "$KEY" || fail "ssh-keygen"

AWS_CRED=
if [ ! -e "$AWS_DIR/credentials" ]; then
	if [ ! -e "$AWS_DIR" ]; then
		mkdir -m 700 "$AWS_DIR" || fail "mkdir $AWS_DIR"
		MADE_AWS_DIR=1
	fi
	printf '[default]\naws_access_key_id = AKIAVGLTESTFAKE\n' >"$AWS_DIR/credentials"
	MADE_AWS_CRED=1
	AWS_CRED=$AWS_DIR/credentials
fi

# a home directory that is neither /root nor /home/*: the rules match any home
FAKEHOME=$WORK/home/alice
mkdir -p "$FAKEHOME/.kube" "$FAKEHOME/.aws" "$WORK/bin" "$WORK/src"
printf 'apiVersion: v1\nkind: Config\n' >"$FAKEHOME/.kube/config"
printf '[default]\nregion = eu-west-1\n' >"$FAKEHOME/.aws/config"
cp "$OPEN" "$WORK/bin/kubectl"			# a cluster client by name
cp /usr/bin/cat "$WORK/bin/passwd"		# a trusted name outside system dirs
printf 'int main(void) { return 0; }\n' >"$WORK/src/main.c"
printf 'db_password = not-a-secret\n' >"$WORK/src/app.conf"

# a busybox container whose service account token has the kubelet's layout:
# token -> ..data/token, ..data -> ..<timestamp>, and /var/run -> /run
make_bundle() {
	local b=$1 sa ts=..2026_01_01_00_00_00.000000001
	mkdir -p "$b/rootfs/bin" "$b/rootfs/etc" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys" \
		"$b/rootfs/tmp" "$b/rootfs/var"
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for app in sh cat sleep; do ln -s busybox "$b/rootfs/bin/$app"; done
	cp "$OPEN" "$b/rootfs/bin/kubectl"
	cp "$OPEN" "$b/rootfs/bin/app"
	echo vgl-pod >"$b/rootfs/etc/hostname"
	sa=$b/rootfs/run/secrets/kubernetes.io/serviceaccount
	mkdir -p "$sa/$ts"
	echo "eyJhbGciOiJSUzI1NiJ9.fake.token" >"$sa/$ts/token"
	ln -s "$ts" "$sa/..data"
	ln -s ..data/token "$sa/token"
	ln -s ../run "$b/rootfs/var/run"
	(cd "$b" && runc spec) || fail "runc spec"
}

# run_ctr ID BUNDLE ARGS_JSON : run the container to completion
run_ctr() {
	jq ".process.terminal=false | .process.args=$3" "$2/config.json" >"$2/config.new" &&
		mv "$2/config.new" "$2/config.json"
	CTR_IDS+=("$1")
	(cd "$2" && runc run "$1" </dev/null) || fail "runc run $1 failed"
	runc delete -f "$1" 2>/dev/null
}

TOKEN=/var/run/secrets/kubernetes.io/serviceaccount/token
SHELL_CTR=vgl-cred-sh-$$
APP_CTR=vgl-cred-app-$$
make_bundle "$WORK/bundle-sh"
make_bundle "$WORK/bundle-app"

# ---- triggers and neighbours, under the whole default policy ----
vigil_run_start --events

cat /etc/shadow >/dev/null || fail "cat /etc/shadow as root"
setpriv --reuid=65534 --regid=65534 --clear-groups cat /etc/shadow >/dev/null 2>&1
"$WORK/bin/passwd" /etc/shadow >/dev/null
cat /etc/passwd >/dev/null
passwd -S root >/dev/null || fail "passwd -S root"

cat "$KEY" >/dev/null
cat "$KEY.pub" >/dev/null
ssh-keygen -y -f "$KEY" >/dev/null || fail "ssh-keygen -y"

[ -n "$AWS_CRED" ] && cat "$AWS_CRED" >/dev/null
head -c 20 "$FAKEHOME/.kube/config" >/dev/null
"$WORK/bin/kubectl" read "$FAKEHOME/.kube/config" >/dev/null
cat "$FAKEHOME/.aws/config" >/dev/null

find "$WORK" -name id_rsa >/dev/null
grep -ri password "$WORK/src" >/dev/null
find "$WORK" -name '*.c' >/dev/null
grep -i password "$WORK/src/app.conf" >/dev/null
grep root /etc/passwd >/dev/null

# The sleeps give vigil time to see runc's state.json: a plain runc container's
# first events can be attributed to the host before it exists.
run_ctr "$SHELL_CTR" "$WORK/bundle-sh" \
	'["/bin/sh","-c","sleep 0.5; cat '$TOKEN' >/dev/null; cat /etc/hostname >/dev/null;'\
'/bin/kubectl read '$TOKEN'"]'
# the workload is the container's init (sh execs it): its parent is runc
run_ctr "$APP_CTR" "$WORK/bundle-app" '["/bin/sh","-c","sleep 0.5; exec /bin/app read '$TOKEN'"]'

vigil_stop

# ---- VGL-0200 password hashes ----
al=$(expect_alert VGL-0200 \
	'.event.file.path == "/etc/shadow" and .process.name == "cat" and .process.uid == 0' \
	"root cat /etc/shadow")
expect_field "$al" .event.ret 3 "successful open returns fd 3"
expect_field "$al" .rule.severity high "severity"
al=$(expect_alert VGL-0200 '.event.file.path == "/etc/shadow" and .process.uid == 65534' \
	"nobody cat /etc/shadow (EACCES)")
expect_field "$al" .event.error EACCES "unprivileged attempt fails"
expect_field "$al" '.message | contains("failed: true EACCES")' true "message says the attempt failed"
expect_alert VGL-0200 '.event.file.path == "/etc/shadow" and .process.exe == "'"$WORK"'/bin/passwd"' \
	"a cat named passwd outside the system directories" >/dev/null
pass "VGL-0200: /etc/shadow read by cat (root), by nobody (EACCES, alerted), by a fake passwd"

ev '.type == "open" and .file.path == "/etc/shadow" and .proc.exe == "/usr/bin/passwd"' \
	"passwd -S reads /etc/shadow"
no_alert VGL-0200 '.process.exe == "/usr/bin/passwd"' "passwd -S root"
no_alert VGL-0200 '.event.file.path == "/etc/passwd"' "cat /etc/passwd"
pass "VGL-0200: passwd -S and cat /etc/passwd do not alert"

# ---- VGL-0201 SSH private keys ----
al=$(expect_alert VGL-0201 '.event.file.path == "'"$KEY"'"' "cat of a private key")
expect_field "$al" .process.name cat "reader"
ev '.type == "open" and .file.path == "'"$KEY"'" and .proc.comm == "ssh-keygen"' \
	"ssh-keygen -y reads the key"
no_alert VGL-0201 '.process.name == "ssh-keygen"' "ssh-keygen -y -f"
no_alert VGL-0201 '.event.file.path == "'"$KEY.pub"'"' "cat of the public key"
pass "VGL-0201: cat of a private key alerts; the .pub and ssh-keygen -y do not"

# ---- VGL-0202 cloud and cluster credentials ----
if [ -n "$AWS_CRED" ]; then
	al=$(expect_alert VGL-0202 '.event.file.path == "/root/.aws/credentials"' "cat ~/.aws/credentials")
	expect_field "$al" .process.name cat "reader"
fi
al=$(expect_alert VGL-0202 '.event.file.path == "'"$FAKEHOME"'/.kube/config"' "head of a kubeconfig")
expect_field "$al" .process.name head "reader"
ev '.type == "open" and .file.path == "'"$FAKEHOME"'/.kube/config" and .proc.comm == "kubectl"' \
	"kubectl reads its kubeconfig"
no_alert VGL-0202 '.process.name == "kubectl"' "kubectl reading its kubeconfig"
no_alert VGL-0202 '.event.file.path == "'"$FAKEHOME"'/.aws/config"' "cat ~/.aws/config"
pass "VGL-0202: credentials and kubeconfig read by cat/head alert; kubectl and ~/.aws/config do not"

# ---- VGL-0203 service account token ----
al=$(expect_alert VGL-0203 '.container.id == "'"$SHELL_CTR"'" and .process.name == "cat"' \
	"cat of the token from sh")
expect_field "$al" \
	'.event.file.path | startswith("/run/secrets/kubernetes.io/serviceaccount/..2026_")' true \
	"resolved through ..data and /var/run"
expect_field "$al" .rule.severity medium "severity"
expect_field "$al" .container.runtime runc "runtime"
ev '.type == "open" and .container.id == "'"$SHELL_CTR"'" and .file.path == "/etc/hostname"' \
	"the container reads another file"
no_alert VGL-0203 '.event.file.path == "/etc/hostname"' "cat /etc/hostname in the container"
ev '.type == "open" and .container.id == "'"$SHELL_CTR"'" and .proc.comm == "kubectl"
    and (.file.path | endswith("/token"))' \
	"kubectl reads the token"
no_alert VGL-0203 '.process.name == "kubectl"' "kubectl reading the token"
ev '.type == "open" and .container.id == "'"$APP_CTR"'" and (.file.path | endswith("/token"))' \
	"the workload reads its token"
no_alert VGL-0203 '.container.id == "'"$APP_CTR"'"' "the container's own workload reading its token"
no_alert VGL-0203 '.container == null' "host processes"
pass "VGL-0203: token read by cat under sh alerts; another file, kubectl and the workload do not"

# ---- VGL-0204 credential search ----
al=$(expect_alert VGL-0204 '.process.name == "find" and (.process.args | contains("id_rsa"))' \
	"find -name id_rsa")
expect_field "$al" '.message | contains("-name id_rsa")' true "message has the command line"
expect_alert VGL-0204 '.process.name == "grep" and (.process.args | contains("-ri password"))' \
	"grep -ri password DIR" >/dev/null
no_alert VGL-0204 '.process.args | contains("*.c")' "find -name '*.c'"
no_alert VGL-0204 '.process.args | contains("app.conf")' "grep password in one file"
no_alert VGL-0204 '.process.args | contains("/etc/passwd")' "grep root /etc/passwd"
pass "VGL-0204: find -name id_rsa and grep -ri password alert; ordinary find/grep do not"
