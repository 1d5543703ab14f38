#!/bin/bash
# Kubernetes pods without a cluster: real runc containers whose cgroups sit
# exactly where the kubelet puts them (systemd driver: kubepods.slice/...,
# cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>) and whose bundles carry
# the annotations containerd and CRI-O write, in state directories laid out
# like theirs under a host root (--host-root). Events and alerts must name
# the pod, namespace, container and image; rules scope by them; host
# processes say host; container_start/container_exit bracket each container.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null || fail "runc is not installed (scripts/deps.sh installs it)"
[ -x /bin/busybox ] || fail "busybox-static is not installed"

HR=$WORK/host			# what vigil sees as the host's filesystem
RUNC_ROOT=$HR/run/runc
TASKS=$HR/run/containerd/io.containerd.runtime.v2.task/k8s.io
CRIO=$HR/run/containers/storage/overlay-containers
mkdir -p "$RUNC_ROOT" "$TASKS" "$CRIO"

hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
uuid() { cat /proc/sys/kernel/random/uuid; }

ID_A=$(hex64) ID_B=$(hex64) ID_C=$(hex64) SBX_C=$(hex64)
UID_A=$(uuid) UID_B=$(uuid) UID_C=$(uuid)
# systemd writes a pod UID's dashes as underscores in unit names
UA_=${UID_A//-/_} UC_=${UID_C//-/_}

# Where each container's cgroup goes. With systemd as init, runc's systemd
# driver takes the kubelet's "slice:prefix:name" form and systemd builds the
# kubepods.slice/... tree; without it, the same tree as a plain path.
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	SYSTEMD_FLAG=--systemd-cgroup
	CG_A="kubepods-besteffort-pod$UA_.slice:cri-containerd:$ID_A"
	CG_C="kubepods-burstable-pod$UC_.slice:crio:$ID_C"
else
	SYSTEMD_FLAG=
	CG_A=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$UA_.slice/cri-containerd-$ID_A.scope
	CG_C=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$UC_.slice/crio-$ID_C.scope
fi
# the cgroupfs driver names no runtime: only containerd's state says whose it is
CG_B=/kubepods/burstable/pod$UID_B/$ID_B

# make_rootfs DIR: a busybox root filesystem
make_rootfs() {
	mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" "$1/etc"
	cp /bin/busybox "$1/bin/busybox"
	for app in sh cat sleep true; do ln -sf busybox "$1/bin/$app"; done
	echo k8s-e2e >"$1/etc/hostname"
}

# make_bundle DIR ROOTFS CGROUPS_PATH ANNOTATIONS_JSON CMD: config.json in DIR
make_bundle() {
	mkdir -p "$1"
	(cd "$1" && runc spec) || fail "runc spec failed"
	jq --arg root "$2" --arg cg "$3" --argjson ann "$4" --arg cmd "$5" \
		'.process.terminal=false | .process.args=["/bin/sh","-c",$cmd]
		 | .root={"path":$root,"readonly":false} | .linux.cgroupsPath=$cg
		 | .annotations=$ann' "$1/config.json" >"$1/config.new" || fail "jq failed"
	mv "$1/config.new" "$1/config.json"
}

# full paths: busybox sh runs bare applet names through /proc/self/exe (comm "exe")
CMD='/bin/sleep 0.2; /bin/cat /etc/hostname; /bin/sleep 0.2'

# A: containerd (CRI), systemd driver, namespace prod
make_rootfs "$TASKS/$ID_A/rootfs"
make_bundle "$TASKS/$ID_A" "$TASKS/$ID_A/rootfs" "$CG_A" "$(jq -n --arg uid "$UID_A" '{
	"io.kubernetes.cri.container-type": "container",
	"io.kubernetes.cri.sandbox-id": "0123",
	"io.kubernetes.cri.sandbox-name": "web-1",
	"io.kubernetes.cri.sandbox-namespace": "prod",
	"io.kubernetes.cri.sandbox-uid": $uid,
	"io.kubernetes.cri.container-name": "nginx",
	"io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25"}')" "$CMD"
# B: containerd (CRI), cgroupfs driver, namespace dev
make_rootfs "$TASKS/$ID_B/rootfs"
make_bundle "$TASKS/$ID_B" "$TASKS/$ID_B/rootfs" "$CG_B" "$(jq -n --arg uid "$UID_B" '{
	"io.kubernetes.cri.container-type": "container",
	"io.kubernetes.cri.sandbox-name": "api-7",
	"io.kubernetes.cri.sandbox-namespace": "dev",
	"io.kubernetes.cri.sandbox-uid": $uid,
	"io.kubernetes.cri.container-name": "api",
	"io.kubernetes.cri.image-name": "registry.example/api:2"}')" "$CMD"
# C: CRI-O, namespace prod; the pod's labels are in its sandbox's config
make_rootfs "$WORK/rootfs-c"
mkdir -p "$CRIO/$SBX_C/userdata"
jq -n --arg uid "$UID_C" '{annotations: {
	"io.kubernetes.cri-o.ContainerType": "sandbox",
	"io.kubernetes.cri-o.Labels": ({"app": "shop", "tier": "front",
		"io.kubernetes.pod.name": "shop-0", "io.kubernetes.pod.namespace": "prod",
		"io.kubernetes.pod.uid": $uid} | tojson)}}' >"$CRIO/$SBX_C/userdata/config.json"
make_bundle "$CRIO/$ID_C/userdata" "$WORK/rootfs-c" "$CG_C" "$(jq -n --arg uid "$UID_C" \
	--arg sbx "$SBX_C" --arg id "$ID_C" '{
	"io.kubernetes.cri-o.ContainerType": "container",
	"io.kubernetes.cri-o.ContainerID": $id,
	"io.kubernetes.cri-o.SandboxID": $sbx,
	"io.kubernetes.cri-o.ImageName": "quay.io/shop/cart:3",
	"io.kubernetes.cri-o.Labels": ({"io.kubernetes.container.name": "cart",
		"io.kubernetes.pod.name": "shop-0", "io.kubernetes.pod.namespace": "prod",
		"io.kubernetes.pod.uid": $uid} | tojson)}')" "$CMD"

# run_pod ID BUNDLE: as containerd and CRI-O drive runc: create (the cgroup
# and the runtime state exist, the process waits), start, wait, delete.
run_pod() {
	local id=$1 bundle=$2 st
	# shellcheck disable=SC2086
	runc --root "$RUNC_ROOT" $SYSTEMD_FLAG create --bundle "$bundle" "$id" \
		</dev/null >"$WORK/$id.out" 2>"$WORK/$id.err" || fail "runc create $id: $(cat "$WORK/$id.err")"
	runc --root "$RUNC_ROOT" start "$id" || fail "runc start $id failed"
	for _ in $(seq 1 50); do
		st=$(runc --root "$RUNC_ROOT" state "$id" 2>/dev/null | jq -r .status)
		[ "$st" = stopped ] && break
		sleep 0.1
	done
	[ "$st" = stopped ] || fail "container $id did not stop"
	runc --root "$RUNC_ROOT" delete "$id" || fail "runc delete $id failed"
}

run_all_pods() {
	run_pod "$ID_A" "$TASKS/$ID_A"
	run_pod "$ID_B" "$TASKS/$ID_B"
	run_pod "$ID_C" "$CRIO/$ID_C/userdata"
	cat /etc/hostname >/dev/null	# the host's own cat
}

cleanup_pods() {
	for id in "$ID_A" "$ID_B" "$ID_C"; do
		runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1
	done
}
trap 'cleanup_pods; cleanup' EXIT

# ---- 1. alerts: metadata, and rules scoped by namespace, image and labels ----
cat >"$WORK/k8s.yaml" <<'YAML'
- id: K8S-1
  name: cat in namespace prod
  description: a rule scoped to one namespace, with an image exception
  severity: medium
  mitre: [T1059]
  condition: evt.type = exec and proc.name = cat and k8s.ns.name = prod
  exceptions:
    - name: the shop's images may
      condition: container.image glob "quay.io/shop/*"
  output: cat in %k8s.ns.name/%k8s.pod.name (%container.name, %container.image)
- id: K8S-2
  name: any cat
  description: everywhere
  severity: info
  mitre: [T1059]
  condition: evt.type = exec and proc.name = cat
  output: cat by %container.name
- id: K8S-3
  name: cat in pods labelled app shop
  description: labels
  severity: info
  mitre: [T1059]
  condition: evt.type = exec and proc.name = cat and k8s.pod.labels contains "app:shop"
  output: cat in %k8s.pod.name labelled %k8s.pod.labels
- id: K8S-4
  name: container started in dev
  description: lifecycle events reach the rules
  severity: info
  mitre: [T1610]
  condition: evt.type = container_start and k8s.ns.name = dev
  output: started %container.name in %k8s.pod.name
YAML
"$VIGIL" rules check "$WORK/k8s.yaml" >/dev/null || fail "the test policy does not compile"
vigil_run_start --no-default-policy --policy "$WORK/k8s.yaml" --host-root "$HR" --events
run_all_pods
vigil_stop

al=$(expect_alert K8S-1 '.container.id == "'"$ID_A"'"' "cat in container A (prod)")
expect_field "$al" .container.pod web-1 "pod"
expect_field "$al" .container.namespace prod "namespace"
expect_field "$al" .container.name nginx "container name"
expect_field "$al" .container.image docker.io/library/nginx:1.25 "image"
expect_field "$al" .container.runtime containerd "runtime"
expect_field "$al" .container.pod_uid "$UID_A" "pod uid"
expect_field "$al" .message "cat in prod/web-1 (nginx, docker.io/library/nginx:1.25)" "message"
pass "systemd-driver containerd pod: pod, namespace, container name, image in the alert"

ev '.type == "exec" and .proc.comm == "cat" and .container.id == "'"$ID_B"'"' "cat in container B"
no_alert K8S-1 '.container.id == "'"$ID_B"'"' "the prod rule fired in namespace dev"
al=$(expect_alert K8S-2 '.container.id == "'"$ID_B"'"' "cat in container B (dev)")
expect_field "$al" .container.namespace dev "namespace (cgroupfs driver)"
expect_field "$al" .container.pod api-7 "pod (cgroupfs driver)"
expect_field "$al" .container.image registry.example/api:2 "image (cgroupfs driver)"
expect_field "$al" .container.runtime containerd "runtime (cgroupfs driver)"
expect_field "$al" .message "cat by api" "container.name in the message"
pass "a rule scoped to namespace prod fires there and not in dev (cgroupfs driver pod)"

ev '.type == "exec" and .proc.comm == "cat" and .container.id == "'"$ID_C"'"' "cat in container C"
no_alert K8S-1 '.container.id == "'"$ID_C"'"' "the image exception did not hold"
al=$(expect_alert K8S-3 '.container.id == "'"$ID_C"'"' "label rule in CRI-O container C")
expect_field "$al" .container.runtime cri-o "runtime"
expect_field "$al" .container.name cart "CRI-O container name (from its Labels)"
expect_field "$al" .container.pod shop-0 "CRI-O pod"
expect_field "$al" .container.namespace prod "CRI-O namespace"
expect_field "$al" .container.image quay.io/shop/cart:3 "CRI-O image"
expect_field "$al" .container.labels.app shop "pod label from the sandbox"
expect_field "$al" .container.labels.tier front "pod label from the sandbox"
no_alert K8S-3 '.container.id == "'"$ID_A"'"' "the label rule fired in an unlabelled pod"
pass "CRI-O pod: metadata and pod labels; image glob exception; label rule"

al=$(expect_alert K8S-2 '.container == null and .process.ppid == '"$$" "the host's cat")
expect_field "$al" .message "cat by host" "container.name on the host"
ev '.type == "exec" and .proc.comm == "cat" and .proc.ppid == '"$$"' and .container.id == "host" and .container.runtime == "host"' "host exec says host"
no_alert K8S-1 '.container == null' "the prod rule fired on the host"
pass "host processes say host"

al=$(expect_alert K8S-4 '.container.id == "'"$ID_B"'"' "container_start of B")
expect_field "$al" .message "started api in api-7" "lifecycle alert message"
no_alert K8S-4 '.container.id == "'"$ID_A"'"' "container_start rule fired outside dev"
pass "container_start events reach the rules with their metadata"

# ---- 2. vigil trace: lifecycle events and the pod filters ----
vigil_start -e exec,container --host-root "$HR" --namespace prod
run_all_pods
vigil_stop
for id in "$ID_A" "$ID_C"; do
	ev=$(expect_event '.type == "container_start" and .container.id == "'"$id"'"' "start of $id")
	expect_field "$ev" .lifecycle.reason created "start reason"
	expect_field "$ev" .container.namespace prod "start carries the namespace"
	ev=$(expect_event '.type == "container_exit" and .container.id == "'"$id"'"' "exit of $id")
	expect_field "$ev" .lifecycle.reason removed "exit reason"
	expect_field "$ev" .container.namespace prod "exit carries the namespace"
	s=$(jq -r 'select(.type == "container_start" and .container.id == "'"$id"'") | .ktime_ns' "$EVENTS")
	x=$(jq -r 'select(.type == "container_exit" and .container.id == "'"$id"'") | .ktime_ns' "$EVENTS")
	e=$(jq -r 'select(.type == "exec" and .proc.comm == "cat" and .container.id == "'"$id"'") | .ktime_ns' "$EVENTS")
	[ -n "$e" ] && [ "$s" -lt "$e" ] && [ "$e" -lt "$x" ] ||
		fail "container $id: start ($s), its exec ($e) and exit ($x) out of order"
done
no_event '.container.namespace == "dev"' "--namespace prod let a dev event through"
no_event '.container.id == "host"' "--namespace prod let a host event through"
pass "container_start and container_exit bracket each container; --namespace filters"

vigil_start -e exec --host-root "$HR" --pod api-7
run_all_pods
vigil_stop
expect_event '.proc.comm == "cat" and .container.pod == "api-7"' "exec in pod api-7" >/dev/null
no_event '.container.pod != "api-7"' "--pod api-7 let another pod through"
vigil_start -e exec --host-root "$HR" --container nginx
run_all_pods
vigil_stop
expect_event '.proc.comm == "cat" and .container.name == "nginx"' "exec in container nginx" >/dev/null
no_event '.container.name != "nginx"' "--container nginx let another container through"
pass "--pod and --container NAME filter the stream"
