#!/usr/bin/python3
"""Structural checks of vigil's deployment files (tests/e2e/test_deploy.sh).

  check_manifests.py ROOT            run every check, one "ok: ..." line each;
                                     exit 1 with "FAIL: ..." lines on problems
  check_manifests.py ROOT caps       print the documented capabilities (for setpriv)
  check_manifests.py ROOT policy     print the ConfigMap's local.yaml

ROOT is the top of the tree. Everything is compared with docs/deployment.md's
"Privileges" table, so the manifests, the unit and the docs cannot drift apart.
"""
import os
import re
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helm_render  # noqa: E402

NAMESPACED = {"ServiceAccount", "ConfigMap", "DaemonSet"}
RBAC_KINDS = {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}
PROBE_PATHS = {"livenessProbe": "/healthz", "readinessProbe": "/readyz",
               "startupProbe": "/healthz"}


class Checker:
    def __init__(self, root):
        self.root = root
        self.failures = []

    def path(self, *p):
        return os.path.join(self.root, *p)

    def fail(self, msg):
        self.failures.append(msg)

    def expect(self, cond, msg):
        if not cond:
            self.fail(msg)
        return cond

    def ok(self, what):
        if not self.failures:
            print(f"ok: {what}")


# ---- docs/deployment.md: the privilege table ----

def read_privileges(doc_path):
    """{'caps': set, 'not_granted': set, 'pod': set, 'mounts': {path: 'ro'|'rw'}}"""
    with open(doc_path) as f:
        text = f.read()
    m = re.search(r"^## Privileges\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        raise SystemExit(f"FAIL: {doc_path}: no '## Privileges' section")
    out = {"caps": set(), "not_granted": set(), "pod": set(), "mounts": {}}
    rows = 0
    for n, line in enumerate(m.group(1).splitlines()):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or cells[0] in ("privilege", "---"):
            continue
        name = cells[0].strip("`")
        kind = cells[1]
        rows += 1
        if kind == "capability":
            out["caps"].add(name)
        elif kind == "not granted":
            out["not_granted"].add(name)
        elif kind == "pod":
            out["pod"].add(name)
        elif kind in ("mount, ro", "mount, rw"):
            out["mounts"][name] = kind[-2:]
        else:
            raise SystemExit(f"FAIL: {doc_path}: privilege row '{name}': unknown kind '{kind}'")
    if rows == 0 or not out["caps"]:
        raise SystemExit(f"FAIL: {doc_path}: the Privileges table has no capability rows")
    return out


# ---- Kubernetes objects ----

def load_docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def kube_objects(c):
    kdir = c.path("deploy", "kubernetes")
    with open(os.path.join(kdir, "kustomization.yaml")) as f:
        kust = yaml.safe_load(f)
    files = sorted(f for f in os.listdir(kdir) if f.endswith(".yaml") and f != "kustomization.yaml")
    c.expect(sorted(kust.get("resources", [])) == files,
             f"kustomization.yaml resources {kust.get('resources')} != files {files}")
    objs = []
    for fname in files:
        for d in load_docs(os.path.join(kdir, fname)):
            objs.append((fname, d))
    return objs


def quantity(q):
    """Kubernetes quantity -> float (cpu cores or bytes)."""
    q = str(q)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for u, mult in units.items():
        if q.endswith(u):
            return float(q[:-len(u)]) * mult
    return float(q)


def check_object_basics(c, where, o):
    for key in ("apiVersion", "kind"):
        c.expect(isinstance(o.get(key), str) and o[key], f"{where}: no {key}")
    meta = o.get("metadata") or {}
    c.expect(meta.get("name"), f"{where}: no metadata.name")
    if o.get("kind") in NAMESPACED:
        c.expect(meta.get("namespace") == "vigil", f"{where}: metadata.namespace is not vigil")
    c.expect(o.get("kind") not in RBAC_KINDS, f"{where}: vigil needs no {o.get('kind')}")


def check_daemonset(c, where, ds, objs, priv):
    spec = ds["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    sel = spec["selector"]["matchLabels"]
    c.expect(sel and all(labels.get(k) == v for k, v in sel.items()),
             f"{where}: selector {sel} does not match the template labels {labels}")
    c.expect(spec.get("updateStrategy", {}).get("type") == "RollingUpdate",
             f"{where}: updateStrategy is not RollingUpdate")
    c.expect(pod.get("priorityClassName") == "system-node-critical",
             f"{where}: priorityClassName is not system-node-critical")
    c.expect({"operator": "Exists"} in pod.get("tolerations", []),
             f"{where}: no toleration of every taint (operator: Exists)")
    c.expect(pod.get("automountServiceAccountToken") is False,
             f"{where}: the pod mounts a ServiceAccount token")
    grace = pod.get("terminationGracePeriodSeconds", 30)
    c.expect(10 <= grace <= 120, f"{where}: terminationGracePeriodSeconds {grace}")
    by_kind = {(o["kind"], o["metadata"]["name"]): o for _, o in objs}
    c.expect(("ServiceAccount", pod.get("serviceAccountName")) in by_kind,
             f"{where}: serviceAccountName {pod.get('serviceAccountName')} is not defined")
    # pod-level privileges: exactly the documented ones
    c.expect((pod.get("hostPID") is True) == ("hostPID" in priv["pod"]),
             f"{where}: hostPID and the docs disagree")
    for flag in ("hostNetwork", "hostIPC"):
        c.expect(not pod.get(flag), f"{where}: {flag} is set")
    c.expect("hostNetwork" in priv["not_granted"], "docs: hostNetwork not documented")

    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    c.expect(len(volumes) == len(pod.get("volumes", [])), f"{where}: duplicate volume names")
    mounted = set()
    containers = pod.get("containers", [])
    c.expect(len(containers) == 1, f"{where}: expected one container")
    for ct in containers:
        cw = f"{where}: container {ct.get('name')}"
        c.expect(ct.get("image"), f"{cw}: no image")
        ports = {p.get("name"): p for p in ct.get("ports", [])}
        for probe, path in PROBE_PATHS.items():
            hg = (ct.get(probe) or {}).get("httpGet")
            if not c.expect(hg, f"{cw}: no {probe} httpGet"):
                continue
            c.expect(hg.get("path") == path, f"{cw}: {probe} path {hg.get('path')} != {path}")
            c.expect(hg.get("port") in ports, f"{cw}: {probe} port {hg.get('port')} is not a named port")
        check_args(c, cw, ct, ports, volumes, by_kind)
        check_resources(c, cw, ct.get("resources", {}))
        check_security(c, cw, ct.get("securityContext", {}), priv)
        for vm in ct.get("volumeMounts", []):
            c.expect(vm["name"] in volumes, f"{cw}: volumeMount {vm['name']} has no volume")
            mounted.add(vm["name"])
            c.expect(vm.get("mountPropagation") != "Bidirectional",
                     f"{cw}: Bidirectional propagation needs a privileged container")
        host = {}
        for vm in ct.get("volumeMounts", []):
            v = volumes.get(vm["name"], {})
            if "hostPath" in v:
                host[v["hostPath"]["path"]] = "ro" if vm.get("readOnly") else "rw"
        c.expect(host == priv["mounts"],
                 f"{cw}: host mounts {sorted(host.items())} != docs {sorted(priv['mounts'].items())}")
    c.expect(mounted == set(volumes), f"{where}: volumes never mounted: {set(volumes) - mounted}")
    for name, v in volumes.items():
        if "configMap" in v:
            c.expect(("ConfigMap", v["configMap"]["name"]) in by_kind,
                     f"{where}: volume {name}: ConfigMap {v['configMap']['name']} is not defined")


def arg_value(args, flag):
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


def check_args(c, cw, ct, ports, volumes, by_kind):
    args = [str(a) for a in ct.get("args", [])]
    c.expect(args[:1] == ["run"], f"{cw}: args do not start with 'run': {args}")
    addr = arg_value(args, "--metrics-addr") or ""
    port = ports.get("metrics", {}).get("containerPort")
    c.expect(addr.rsplit(":", 1)[-1] == str(port),
             f"{cw}: --metrics-addr {addr!r} is not the metrics port {port}")
    c.expect(arg_value(args, "--host-root") == "/host", f"{cw}: --host-root is not /host")
    # every file vigil is told to read is a key of the mounted ConfigMap
    for flag in ("--config", "--policy"):
        path = arg_value(args, flag)
        if not c.expect(path, f"{cw}: no {flag}"):
            continue
        mount = next((m for m in ct.get("volumeMounts", []) if path.startswith(m["mountPath"] + "/")), None)
        if not c.expect(mount, f"{cw}: {flag} {path} is on no volume"):
            continue
        cm_name = volumes[mount["name"]].get("configMap", {}).get("name")
        cm = by_kind.get(("ConfigMap", cm_name), {})
        key = path[len(mount["mountPath"]) + 1:]
        c.expect(key in cm.get("data", {}), f"{cw}: {flag} {path}: no key {key} in ConfigMap {cm_name}")


def check_resources(c, cw, res):
    for kind in ("cpu", "memory"):
        req = res.get("requests", {}).get(kind)
        lim = res.get("limits", {}).get(kind)
        if c.expect(req is not None and lim is not None, f"{cw}: {kind} request and limit"):
            c.expect(quantity(req) <= quantity(lim), f"{cw}: {kind} request {req} > limit {lim}")


def check_security(c, cw, sc, priv):
    c.expect(sc.get("privileged") is False, f"{cw}: privileged is not false")
    c.expect("privileged" in priv["not_granted"], "docs: privileged not documented")
    caps = sc.get("capabilities", {})
    c.expect(caps.get("drop") == ["ALL"], f"{cw}: capabilities.drop is not [ALL]")
    added = {"CAP_" + a for a in caps.get("add", [])}
    c.expect(added == priv["caps"], f"{cw}: capabilities {sorted(added)} != docs {sorted(priv['caps'])}")
    c.expect(not added & priv["not_granted"], f"{cw}: grants what docs say is not granted")
    c.expect(sc.get("readOnlyRootFilesystem") is True, f"{cw}: root filesystem is writable")
    c.expect(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
             f"{cw}: seccompProfile is not RuntimeDefault")


def check_kubernetes(c, priv):
    objs = kube_objects(c)
    kinds = {}
    for fname, o in objs:
        check_object_basics(c, f"deploy/kubernetes/{fname}", o)
        kinds.setdefault(o.get("kind"), []).append((fname, o))
    for k in ("Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"):
        c.expect(len(kinds.get(k, [])) == 1, f"deploy/kubernetes: expected one {k}")
    for fname, sa in kinds.get("ServiceAccount", []):
        c.expect(sa.get("automountServiceAccountToken") is False,
                 f"{fname}: automountServiceAccountToken is not false")
    for fname, cm in kinds.get("ConfigMap", []):
        data = cm.get("data", {})
        c.expect(isinstance(yaml.safe_load(data.get("vigil.yaml", "")), dict),
                 f"{fname}: vigil.yaml is not a YAML mapping")
        c.expect(isinstance(yaml.safe_load(data.get("local.yaml", "")), list),
                 f"{fname}: local.yaml is not a YAML list (a policy)")
    for fname, ds in kinds.get("DaemonSet", []):
        check_daemonset(c, f"deploy/kubernetes/{fname}", ds, objs, priv)
    c.ok("deploy/kubernetes: objects parse, required fields, selector, probes, volumes, "
         "ServiceAccount without token or RBAC, privileges and mounts match the docs")
    return [o for _, o in objs]


# ---- Helm ----

def render_chart(c, values_override=None):
    chart = c.path("deploy", "helm", "vigil")
    with open(os.path.join(chart, "values.yaml")) as f:
        values = yaml.safe_load(f)
    for path, v in (values_override or {}).items():
        node = values
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = v
    r = helm_render.Renderer(chart, values)
    out = r.render_all()
    objs = []
    for name, text in out.items():
        if name.endswith(".yaml"):
            objs += [d for d in yaml.safe_load_all(text) if d is not None]
    return r, values, out, objs


def keyed(objs):
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def check_helm(c, kube):
    chart = c.path("deploy", "helm", "vigil")
    with open(os.path.join(chart, "Chart.yaml")) as f:
        meta = yaml.safe_load(f)
    c.expect(meta.get("apiVersion") == "v2", "Chart.yaml: apiVersion is not v2")
    c.expect(meta.get("name") == "vigil", "Chart.yaml: name is not vigil")
    c.expect(re.fullmatch(r"\d+\.\d+\.\d+", str(meta.get("version", ""))), "Chart.yaml: version is not semver")
    c.expect(meta.get("appVersion"), "Chart.yaml: no appVersion")
    try:
        r, values, out, objs = render_chart(c)
        _, _, _, objs_ns = render_chart(c, {("namespace", "create"): True})
    except helm_render.TemplateError as e:
        c.fail(f"helm chart: {e}")
        return
    want = keyed(kube)
    without_ns = {k: v for k, v in want.items() if k[0] != "Namespace"}
    got = keyed(objs)
    c.expect(len(got) == len(objs), "helm: two objects share a kind and name")
    for k in sorted(set(without_ns) | set(got)):
        c.expect(got.get(k) == without_ns.get(k),
                 f"helm (default values) and deploy/kubernetes differ on {k[0]}/{k[1]}")
    c.expect(keyed(objs_ns) == want, "helm with namespace.create=true differs from deploy/kubernetes")
    for o in objs:
        c.expect(o["kind"] not in RBAC_KINDS, f"helm: renders a {o['kind']}")
    unused = helm_render.unused_values(values, r.used)
    c.expect(not unused, f"helm: values no template reads: {['.'.join(p) for p in unused]}")
    c.expect("NOTES.txt" in out and "rollout status" in out["NOTES.txt"], "helm: NOTES.txt does not render")
    # a non-default value really reaches the output
    try:
        _, _, _, objs_x = render_chart(c, {("extraArgs",): ["--enforce"], ("metrics", "port"): 9999})
    except helm_render.TemplateError as e:
        c.fail(f"helm chart with extraArgs: {e}")
        return
    ct = keyed(objs_x)[("DaemonSet", "vigil")]["spec"]["template"]["spec"]["containers"][0]
    c.expect(ct["args"][-1] == "--enforce" and arg_value(ct["args"], "--metrics-addr") == ":9999"
             and ct["ports"][0]["containerPort"] == 9999,
             "helm: extraArgs / metrics.port do not reach the DaemonSet")
    c.ok("helm chart: renders the objects of deploy/kubernetes with default values; "
         "every value used; values reach the output")


# ---- Dockerfile ----

def dockerfile_instructions(path):
    """[(INSTRUCTION, args)] with continuations joined and comments dropped."""
    out, cur = [], ""
    with open(path) as f:
        for line in f:
            s = line.rstrip("\n")
            if not cur and (not s.strip() or s.lstrip().startswith("#")):
                continue
            if s.lstrip().startswith("#"):
                continue
            if s.endswith("\\"):
                cur += s[:-1] + " "
                continue
            cur += s
            word, _, rest = cur.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            cur = ""
    if cur:
        raise SystemExit(f"FAIL: {path}: ends inside a continued line")
    return out


def needed_packages(binary):
    """Debian packages providing the shared libraries binary links directly."""
    dyn = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", dyn)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    pkgs = {}
    for lib in needed:
        real = os.path.realpath(where[lib])
        q = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True)
        if q.returncode:
            q = subprocess.run(["dpkg", "-S", where[lib]], capture_output=True, text=True)
        pkgs[lib] = q.stdout.split(":")[0].strip()
    return pkgs


def check_dockerfile(c, binary):
    path = c.path("Dockerfile")
    ins = dockerfile_instructions(path)
    stages, cur = [], None
    for word, rest in ins:
        if word == "FROM":
            cur = {"from": rest, "ins": []}
            stages.append(cur)
        elif cur is None:
            c.expect(word == "ARG", f"Dockerfile: {word} before the first FROM")
        else:
            cur["ins"].append((word, rest))
    if not c.expect(len(stages) >= 2, "Dockerfile: not multi-stage"):
        return
    for s in stages:
        c.expect(re.match(r"debian:bookworm(-slim)?\b", s["from"]), f"Dockerfile: FROM {s['from']} is not Debian 12")
    build, final = stages[0], stages[-1]
    name = re.search(r"\bAS\s+(\S+)", build["from"], re.I)
    runs = " ".join(r for w, r in build["ins"] if w == "RUN")
    c.expect("scripts/deps.sh" in runs, "Dockerfile: the build stage does not run scripts/deps.sh")
    c.expect(re.search(r"\bmake\b", runs), "Dockerfile: the build stage does not run make")
    copies = [r for w, r in final["ins"] if w == "COPY"]
    c.expect(name and copies == [f"--from={name.group(1)} /src/build/vigil /usr/bin/vigil"],
             f"Dockerfile: the final stage copies {copies}, not just build/vigil from the build stage")
    final_runs = " ".join(r for w, r in final["ins"] if w == "RUN")
    c.expect(not re.search(r"\b(make|gcc|clang|deps\.sh)\b", final_runs),
             "Dockerfile: the final stage builds things")
    m = re.search(r"apt-get install\s+(.*?)(&&|$)", final_runs)
    installed = set(m.group(1).split()) if m else set()
    ep = [r for w, r in final["ins"] if w == "ENTRYPOINT"]
    cmd = [r for w, r in final["ins"] if w == "CMD"]
    try:
        argv = (yaml.safe_load(ep[-1]) if ep else []) + (yaml.safe_load(cmd[-1]) if cmd else [])
    except yaml.YAMLError:
        argv = []
    c.expect(len(argv) >= 2 and os.path.basename(argv[0]) == "vigil" and argv[1] == "run",
             f"Dockerfile: the image does not run 'vigil run' (exec form): {argv}")
    with open(c.path(".dockerignore")) as f:
        ignored = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    c.expect({"build", ".git"} <= ignored, ".dockerignore: build/ and .git are not ignored")
    missing = {lib: p for lib, p in needed_packages(binary).items()
               if p != "libc6" and p not in installed}
    c.expect(not missing, f"Dockerfile: the runtime stage lacks packages for {missing}")
    c.ok("Dockerfile: Debian 12 stages, build runs deps.sh and make, the runtime stage has only "
         "build/vigil and the packages of every library it links, ENTRYPOINT vigil run")


# ---- systemd ----

def unit_settings(path):
    settings, section = {}, None
    with open(path) as f:
        for line in f:
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.startswith("["):
                section = s.strip("[]")
                continue
            k, _, v = s.partition("=")
            settings.setdefault((section, k.strip()), []).append(v.strip())
    return settings


def check_systemd(c, priv):
    u = unit_settings(c.path("deploy", "systemd", "vigil.service"))

    def one(key):
        v = u.get(("Service", key), [])
        return v[-1] if v else None
    exec_start = (one("ExecStart") or "").split()
    c.expect(exec_start[:2] == ["/usr/local/bin/vigil", "run"], f"vigil.service: ExecStart {exec_start}")
    expected = {"Restart": "on-failure", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
                "PrivateTmp": "no", "LimitMEMLOCK": "infinity", "User": "root"}
    for k, v in expected.items():
        c.expect(one(k) == v, f"vigil.service: {k}={one(k)}, expected {v}")
    caps = set((one("CapabilityBoundingSet") or "").split())
    c.expect(caps == priv["caps"], f"vigil.service: CapabilityBoundingSet {sorted(caps)} != docs {sorted(priv['caps'])}")
    c.expect(not one("AmbientCapabilities"), "vigil.service: AmbientCapabilities (root needs none)")
    rw = set((one("ReadWritePaths") or "").split())
    doc_rw = {p for p, mode in priv["mounts"].items() if mode == "rw"}
    c.expect(rw == doc_rw, f"vigil.service: ReadWritePaths {sorted(rw)} != the docs' rw mounts {sorted(doc_rw)}")
    c.ok("vigil.service: ExecStart, restart policy, hardening; capabilities and writable paths "
         "match the docs")


def main():
    root = sys.argv[1]
    c = Checker(root)
    priv = read_privileges(c.path("docs", "deployment.md"))
    if len(sys.argv) > 2 and sys.argv[2] == "caps":
        print(" ".join(sorted(priv["caps"])))
        return 0
    if len(sys.argv) > 2 and sys.argv[2] == "policy":
        cm = keyed(o for _, o in kube_objects(c))[("ConfigMap", "vigil")]
        sys.stdout.write(cm["data"]["local.yaml"])
        return 0
    kube = check_kubernetes(c, priv)
    check_helm(c, kube)
    check_dockerfile(c, os.path.join(root, "build", "vigil"))
    check_systemd(c, priv)
    for f in c.failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
