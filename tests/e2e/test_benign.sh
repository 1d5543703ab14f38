#!/bin/bash
# The default policy stays quiet on ordinary work: compiling C with make,
# git, package queries, a python web server and its client, log writing,
# tar/gzip, and a busybox container doing ordinary things. Any alert fails.
. "$(dirname "$0")/lib.sh"

# outside /tmp: running things from /tmp is itself suspicious
B=$(mktemp -d /root/vgl-benign.XXXXXX)
trap 'rm -rf "$B"; cleanup' EXIT

command -v git >/dev/null || fail "git is not installed (scripts/deps.sh installs it)"
vigil_run_start

# C project built with make -j2
mkdir -p "$B/proj"
for i in 1 2 3 4; do
	printf 'int f%d(int x) { return x * %d; }\n' "$i" "$i" >"$B/proj/f$i.c"
done
printf 'int f1(int);int f2(int);int f3(int);int f4(int);\nint main(void){return f1(1)+f2(2)+f3(3)+f4(4)-30;}\n' \
	>"$B/proj/main.c"
printf 'OBJS=main.o f1.o f2.o f3.o f4.o\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n' >"$B/proj/Makefile"
make -s -C "$B/proj" -j2 >/dev/null || fail "benign build failed"

# git
git -C "$B/proj" init -q
git -C "$B/proj" -c user.email=t@t -c user.name=t add -A
git -C "$B/proj" -c user.email=t@t -c user.name=t commit -qm init
git -C "$B/proj" log --oneline >/dev/null
git -C "$B/proj" status --short >/dev/null

# package queries
dpkg -l >/dev/null
dpkg -S /bin/ls >/dev/null
apt-cache policy bash >/dev/null

# a web server and a client on loopback
mkdir -p "$B/www" && echo hello >"$B/www/index.html"
PORT=$((30000 + RANDOM % 20000))
(cd "$B/www" && exec python3 -m http.server "$PORT" --bind 127.0.0.1) >/dev/null 2>&1 &
WEB=$!
for _ in $(seq 50); do
	python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/').read()" \
		2>/dev/null && break
	sleep 0.1
done
kill $WEB; wait $WEB 2>/dev/null

# logs, archives
for i in $(seq 20); do echo "line $i" >>"$B/app.log"; done
tar -czf "$B/a.tgz" -C "$B" proj app.log
mkdir -p "$B/x" && tar -xzf "$B/a.tgz" -C "$B/x"
gzip -k "$B/app.log" && gunzip -c "$B/app.log.gz" >/dev/null

# a container doing ordinary work
ID=vgl-benign-$$
BUNDLE=$B/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/etc" "$BUNDLE/rootfs/proc" \
	"$BUNDLE/rootfs/dev" "$BUNDLE/rootfs/sys"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for app in sh ls cat echo wc sleep grep; do ln -s busybox "$BUNDLE/rootfs/bin/$app"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$BUNDLE/rootfs/etc/passwd"
(cd "$BUNDLE" && runc spec)
jq '.process.terminal=false | .root.readonly=false
    | .process.args=["/bin/sh","-c","ls / >/dev/null; echo hi > /tmp/out; cat /tmp/out; wc -l /etc/passwd; grep root /etc/passwd; sleep 0.2"]' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json" && mv "$BUNDLE/c.json" "$BUNDLE/config.json"
(cd "$BUNDLE" && runc run "$ID" </dev/null >/dev/null) || fail "benign container failed"
runc delete -f "$ID" 2>/dev/null

# control: vigil is watching (one real detection, which is then set aside)
"$HELPERS/memfd_exec" vgl-control /usr/bin/true &
CONTROL=$!
wait $CONTROL
sleep 0.5
vigil_stop
expect_alert VGL-0001 "the control detection" >/dev/null
# the control's own alerts are set aside by its pid (wherever the checkout
# lives: a helper run from a clone under /tmp is itself an exec from /tmp),
# and so is the integrity scan at start: it judges the host as it was before
# the test (test_scan.sh covers it)
SEL="select(.kind == \"alert\" and .process.pid != $CONTROL and .event.type != \"scan_finding\")"
n=$(jq -s "map($SEL) | length" "$ALERTS")
if [ "$n" != 0 ]; then
	jq -c "$SEL | {rule: .rule.id, message}" "$ALERTS" >&2
	fail "$n alerts on benign workloads"
fi
pass "no alert on ordinary work (make, git, dpkg, http, logs, tar, a container)"
