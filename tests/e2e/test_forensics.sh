#!/bin/bash
# Forensics, end to end: incident bundles written by `vigil run --incidents-dir`.
#  1. a fileless payload, downloaded over loopback inside a runc container and
#     run from a memfd, exits right after: the bundle holds the payload bytes
#     (right sha256), the timeline shows the download connection, the
#     memfd_create and the exec in that order, and the process tree;
#  2. a dropped script appends to an authorized_keys file (in a temporary
#     HOME): the written file is captured with its writer;
#  3. a flood of alerts with distinct payloads: the directory stays within
#     forensics.max_total_mb and vigil keeps running.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"
command -v zstd >/dev/null || fail "zstd is not installed (scripts/deps.sh installs it)"
MEMFD=$(realpath "$HELPERS/memfd_exec")
[ -x "$MEMFD" ] || fail "missing $MEMFD: run make build/helpers/memfd_exec"

ID=vgl-forensics-$$
SERVER_PID=
trap 'runc delete -f $ID >/dev/null 2>&1; [ -n "$SERVER_PID" ] && kill $SERVER_PID 2>/dev/null; cleanup' EXIT
INC=$WORK/incidents

# incident_of RULE_ID : the incident id the first alert of RULE_ID carries
incident_of() {
	local al
	al=$(expect_alert "$1" "alert $1") || exit 1
	printf '%s' "$al" | jq -r '.incident_id // empty'
}

# ---- 1. fileless payload in a runc container ----------------------------
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/tmp" "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/dev" \
	"$BUNDLE/rootfs/sys"
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for app in sh nc sleep; do ln -s busybox "$BUNDLE/rootfs/bin/$app"; done
cp "$MEMFD" "$BUNDLE/rootfs/bin/memfd_exec"
# the payload: busybox with a unique tail, so its sha256 is its own; run as
# `sleep` it exits 0.3 s after it starts
cp /bin/busybox "$WORK/payload"
head -c 64 /dev/urandom >>"$WORK/payload"
PAYLOAD_SHA=$(sha256sum "$WORK/payload" | cut -d' ' -f1)
PORT=$((20000 + $$ % 20000))
python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); c.sendall(open(sys.argv[2], "rb").read()); c.close()' "$PORT" "$WORK/payload" &
SERVER_PID=$!
CMD="nc 127.0.0.1 $PORT >/tmp/sleep && /bin/memfd_exec pay /tmp/sleep 0.3"
(cd "$BUNDLE" && runc spec)
# the host's network namespace: the container reaches the loopback listener
jq --arg cmd "$CMD" '.process.terminal=false | .process.args=["/bin/sh","-c",$cmd]
    | .linux.namespaces |= map(select(.type != "network")) | .root.readonly=false' \
	"$BUNDLE/config.json" >"$BUNDLE/config.new"
mv "$BUNDLE/config.new" "$BUNDLE/config.json"

vigil_run_start --incidents-dir "$INC"
(cd "$BUNDLE" && runc run "$ID" </dev/null >"$WORK/ctr.out" 2>&1) || fail "runc run failed: $(cat "$WORK/ctr.out")"
wait "$SERVER_PID"
SERVER_PID=
vigil_stop
runc delete -f "$ID" >/dev/null 2>&1

al=$(expect_alert VGL-0001 '.container.id == "'"$ID"'"' "memfd exec in the container")
inc=$(printf '%s' "$al" | jq -r '.incident_id // empty')
[ -n "$inc" ] || fail "the alert carries no incident_id: $al"
expect_field "$al" .incident_path "$INC/$inc" "the alert links its bundle"
B=$INC/$inc
[ -f "$B/incident.json" ] || fail "no $B/incident.json"
[ "$(stat -c %a "$B")" = 700 ] || fail "bundle directory mode $(stat -c %a "$B"), expected 700"
for f in incident.json timeline.jsonl; do
	[ "$(stat -c %a "$B/$f")" = 600 ] || fail "$f mode $(stat -c %a "$B/$f"), expected 600"
done
jq -e '.container.id == "'"$ID"'" and .scope == "container"' "$B/incident.json" >/dev/null ||
	fail "incident.json does not name the container: $(jq -c .container "$B/incident.json")"

# the payload bytes, captured from the memfd, with the right sha256
jq -e --arg s "$PAYLOAD_SHA" '[.captures[] | select(.kind == "executed" and .sha256 == $s
	and (.status == "stored" or .status == "deduplicated"))] | length == 1' "$B/incident.json" \
	>/dev/null || fail "payload not captured: $(jq -c .captures "$B/incident.json")"
CAP=$B/captures/$PAYLOAD_SHA.zst
[ -f "$CAP" ] || fail "no capture file $CAP"
[ "$(stat -c %a "$CAP")" = 600 ] || fail "capture mode $(stat -c %a "$CAP"), expected 600"
[ "$(zstd -dc "$CAP" | sha256sum | cut -d' ' -f1)" = "$PAYLOAD_SHA" ] ||
	fail "the capture does not decompress to the payload"
pass "memfd payload captured: sha256 $PAYLOAD_SHA, mode 0600, zstd"

# the timeline, in order: download connection, memfd_create, the memfd exec
line_of() { jq -c "$1" "$B/timeline.jsonl" | grep -n true | head -n 1 | cut -d: -f1; }
l_conn=$(line_of '.type == "connect" and .net.dport == '"$PORT"' and .net.daddr == "127.0.0.1"')
l_memfd=$(line_of '.type == "memfd_create"')
l_exec=$(line_of '.type == "exec" and .exec.is_memfd == true')
[ -n "$l_conn" ] || fail "timeline: no connection to 127.0.0.1:$PORT"
[ -n "$l_memfd" ] || fail "timeline: no memfd_create"
[ -n "$l_exec" ] || fail "timeline: no memfd exec"
[ "$l_conn" -lt "$l_memfd" ] && [ "$l_memfd" -lt "$l_exec" ] ||
	fail "timeline out of order: connect $l_conn, memfd_create $l_memfd, exec $l_exec"
[ -s "$B/network.jsonl" ] && jq -c 'select(.type == "connect" and .net.dport == '"$PORT"')' \
	"$B/network.jsonl" | grep -q . || fail "network.jsonl does not show the download"
pass "timeline: connect (line $l_conn) < memfd_create ($l_memfd) < exec ($l_exec)"

# the process tree: the downloader and the payload, with their parent shell
pid=$(printf '%s' "$al" | jq -r .process.pid)
jq -e --argjson p "$pid" '.processes | (map(select(.pid == $p and (.ancestry | length) > 0))
	| length > 0) and (map(.args) | any(contains("nc 127.0.0.1")))' "$B/incident.json" \
	>/dev/null || fail "process tree lacks the payload or the downloader: $(jq -c .processes "$B/incident.json")"
# runc's container process is the shell, which exec'd memfd_exec, which
# exec'd the payload: one pid, three images, all in the timeline
jq -c --argjson p "$pid" 'select(.type == "exec" and .proc.pid == $p and .exec.path == "/bin/busybox")' \
	"$B/timeline.jsonl" | grep -q . || fail "the payload's shell (same pid, earlier image) is not in the timeline"
pass "process tree: payload $pid (its shell and loader before it), downloader present"

# the CLI
"$VIGIL" incidents --dir "$INC" | grep -q "^$inc .*VGL-0001" || fail "incidents list lacks $inc"
"$VIGIL" incidents show "$inc" --dir "$INC" >"$WORK/show.txt" || fail "incidents show failed"
grep -q "process tree:" "$WORK/show.txt" && grep -q "memfd_create" "$WORK/show.txt" ||
	fail "incidents show: $(head -c 2000 "$WORK/show.txt")"
"$VIGIL" incidents show "$inc" --dir "$INC" --format json | jq -e '.incident.id and (.timeline | length > 0)' \
	>/dev/null || fail "incidents show --format json is not JSON with a timeline"
"$VIGIL" incidents export "$inc" --dir "$INC" -o "$WORK/export.tar.zst" >/dev/null || fail "export failed"
zstd -dc "$WORK/export.tar.zst" | tar -tf - | grep -qx "$inc/captures/$PAYLOAD_SHA.zst" ||
	fail "the export lacks the capture"
pass "vigil incidents: list, show (text, json), export"

# ---- 2. a dropped script modifies authorized_keys ------------------------
FAKE_HOME=$WORK/home
mkdir -p "$FAKE_HOME/.ssh"
printf 'ssh-ed25519 AAAAC3legit user@laptop\n' >"$FAKE_HOME/.ssh/authorized_keys"
cat >"$WORK/drop.sh" <<'EOF'
#!/bin/sh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIForensicsTestKey attacker@evil" >>"$HOME/.ssh/authorized_keys"
EOF
chmod +x "$WORK/drop.sh"
INC2=$WORK/incidents2
vigil_run_start --incidents-dir "$INC2"
HOME=$FAKE_HOME "$WORK/drop.sh" || fail "the dropped script failed"
vigil_stop
KEYS_SHA=$(sha256sum "$FAKE_HOME/.ssh/authorized_keys" | cut -d' ' -f1)
al=$(expect_alert VGL-0302 true "authorized_keys written")
inc=$(printf '%s' "$al" | jq -r '.incident_id // empty')
[ -n "$inc" ] || fail "the VGL-0302 alert carries no incident_id"
jq -e --arg s "$KEYS_SHA" --arg p "$FAKE_HOME/.ssh/authorized_keys" '[.captures[]
	| select(.kind == "written" and .path == $p and .sha256 == $s and .by.uid == 0)] | length >= 1' \
	"$INC2/$inc/incident.json" >/dev/null ||
	fail "authorized_keys not captured: $(jq -c .captures "$INC2/$inc/incident.json")"
jq -e --arg p "$FAKE_HOME/.ssh/authorized_keys" '.written_files | any(.path == $p
	and (.ops | contains("open_write")) and .writer.pid > 0)' "$INC2/$inc/incident.json" \
	>/dev/null || fail "written_files lacks the writer of authorized_keys"
[ "$(zstd -dc "$INC2/$inc/captures/$KEYS_SHA.zst" | sha256sum | cut -d' ' -f1)" = "$KEYS_SHA" ] ||
	fail "the authorized_keys capture does not decompress to the file"
pass "written authorized_keys captured with sha256 and writer"

# ---- 3. a flood of alerts: the disk stays capped -------------------------
INC3=$WORK/incidents3
CAP_MB=8
printf 'forensics:\n  dir: %s\n  max_total_mb: %s\n' "$INC3" "$CAP_MB" >"$WORK/flood.yaml"
vigil_run_start --config "$WORK/flood.yaml"
mkdir -p "$WORK/flood"
max=0
for i in $(seq 1 60); do
	mkdir -p "$WORK/flood/$i"
	cp /bin/busybox "$WORK/flood/$i/true"
	printf 'distinct-%s' "$i" >>"$WORK/flood/$i/true"
	"$MEMFD" "flood$i" "$WORK/flood/$i/true" >/dev/null 2>&1
	used=$(du -sb "$INC3" 2>/dev/null | cut -f1)
	[ "${used:-0}" -gt "$max" ] && max=$used
done
kill -0 "$VIGIL_PID" 2>/dev/null || fail "vigil died during the flood"
vigil_stop
used=$(du -sb "$INC3" | cut -f1)
[ "$used" -gt "$max" ] && max=$used
# a few directory entries on top of the files' bytes
limit=$((CAP_MB * 1024 * 1024 + 256 * 1024))
[ "$max" -le "$limit" ] || fail "incidents dir reached $max bytes, cap $limit"
[ "$(jq -s 'length' "$ALERTS")" -ge 60 ] || fail "fewer alerts than flood runs"
n_caps=$(find "$INC3/.store" -type f | wc -l)
[ "$n_caps" -ge 1 ] || fail "the flood stored no capture at all"
pass "flood of 60 memfd alerts (~2 MiB each): dir peaked at $max bytes (cap $limit), $n_caps captures kept"
