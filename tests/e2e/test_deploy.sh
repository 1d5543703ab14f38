#!/bin/bash
# Deployment files: the Kubernetes manifests, the Helm chart (rendered by a
# small renderer, helm is not in Debian), the Dockerfile and the systemd unit
# are checked structurally against docs/deployment.md; the unit passes
# `systemd-analyze verify`; and vigil really runs with only the capabilities
# the docs list, with the configuration and policy the ConfigMap ships.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

PY="/usr/bin/python3 -B"	# Debian's, with python3-yaml (scripts/deps.sh)
CHECK="$PY tests/deploy/check_manifests.py $ROOT"

# 1. manifests, chart, Dockerfile, unit: structure and privileges
$CHECK || fail "deployment files do not pass tests/deploy/check_manifests.py"

# 2. the unit as systemd reads it. verify also checks that ExecStart exists,
# so the copy points it at this build; any message is a failure.
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (package systemd, scripts/deps.sh)"
sed "s|^ExecStart=/usr/local/bin/vigil |ExecStart=$VIGIL |" deploy/systemd/vigil.service \
	>"$WORK/vigil.service"
grep -q "^ExecStart=$VIGIL run" "$WORK/vigil.service" || fail "ExecStart not rewritten for verify"
out=$(systemd-analyze verify "$WORK/vigil.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify complains: $out"
pass "systemd-analyze verify deploy/systemd/vigil.service"

# 3. the shipped configuration and policy load
$CHECK policy >"$WORK/local.yaml" || fail "cannot extract local.yaml from the ConfigMap"
"$VIGIL" rules check "$WORK/local.yaml" | grep -q "^ok: " ||
	fail "the ConfigMap's local.yaml is not a valid policy"
$PY - "$ROOT/deploy/kubernetes/configmap.yaml" >"$WORK/vigil.yaml" <<'EOF' ||
import sys, yaml
sys.stdout.write(yaml.safe_load(open(sys.argv[1]))["data"]["vigil.yaml"])
EOF
	fail "cannot extract vigil.yaml from the ConfigMap"
pass "the ConfigMap's policy passes vigil rules check"

# 4. vigil run with exactly the documented capabilities (as root, like the
# pod: the bounding set is all a root process gets): it loads every hook,
# including the cgroup socket hooks, and raises an alert.
caps=$($CHECK caps) || fail "cannot read the capabilities from docs/deployment.md"
bounding=-all
for c in $caps; do
	c=${c#CAP_}
	bounding="$bounding,+${c,,}"
done
cat >"$WORK/vigil-caps" <<EOF
#!/bin/sh
exec setpriv --bounding-set $bounding --inh-caps=-all -- $ROOT/build/vigil "\$@"
EOF
chmod +x "$WORK/vigil-caps"

MARK=vgl-deploy-$$
cp /usr/bin/true "$WORK/$MARK"
cat >"$WORK/marker.yaml" <<YAML
- id: E2E-DEPLOY
  name: marker exec
  description: the test's marker binary ran
  severity: low
  condition: evt.type = exec and proc.exe_name = $MARK
  output: "marker %proc.exepath ran"
YAML
# the DaemonSet's probes: the same flag, under the same capabilities
PORT=$((20000 + $$ % 20000))
metrics_args=(--metrics-addr "127.0.0.1:$PORT")
REAL_VIGIL=$VIGIL
VIGIL=$WORK/vigil-caps
vigil_run_start --config "$WORK/vigil.yaml" --policy "$WORK/local.yaml" \
	--policy "$WORK/marker.yaml" "${metrics_args[@]}"
VIGIL=$REAL_VIGIL

# decode_caps HEX: capability names, one per line, upper case, sorted
decode_caps() {
	capsh --decode="$1" | sed 's/.*=//' | tr ',' '\n' | tr '[:lower:]' '[:upper:]' | sort
}
# a capability this test's own bounding set lacks cannot be granted: say so
ours=$(decode_caps "$(awk '/^CapBnd:/ {print $2}' /proc/self/status)")
want=$(tr ' ' '\n' <<<"$caps" | sort | grep -Fxf <(printf '%s\n' "$ours") | tr '\n' ' ')
lacking=$(tr ' ' '\n' <<<"$caps" | sort | grep -vFxf <(printf '%s\n' "$ours") | tr '\n' ' ')
[ -z "$lacking" ] || echo "note: this environment cannot grant $lacking(not in the test's bounding set)"
got=$(decode_caps "$(awk '/^CapEff:/ {print $2}' "/proc/$VIGIL_PID/status")" | tr '\n' ' ')
[ "$got" = "$want" ] || fail "vigil's effective capabilities are '$got', expected '$want'"
grep -q "cgroup/connect4 yes" "$WORK/vigil.err" ||
	fail "the cgroup socket hooks do not load with the documented capabilities"
"$WORK/$MARK"
sleep 0.5
expect_alert E2E-DEPLOY "marker exec under the documented capabilities" >/dev/null
pass "vigil run with only the documented capabilities: hooks attached, alert raised"

for p in healthz readyz; do
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$p")
	[ "$code" = 200 ] || fail "/$p answers $code under the documented capabilities"
done
curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^# TYPE ' || fail "/metrics is not Prometheus text"
pass "probes and metrics answer (--metrics-addr)"
vigil_stop
