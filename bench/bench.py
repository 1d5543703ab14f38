#!/usr/bin/env python3
"""vigil's benchmark suite (make bench; docs/performance.md describes it).

Times every workload with no agent, with the floor (empty BPF programs on the
hooks vigil attaches), with `vigil trace` of every event, and with `vigil run`
on the default policy, detecting and enforcing. For each (workload, mode) the
agent is started once and the workload run RUNS times; vigil's CPU time, peak
RSS, BPF map memory, events delivered and lost, and the detection latency of a
marker alert fired every 50 ms during the storm are taken around those runs.

    bench/bench.py                 run the suite, write build/bench/results.json
    bench/bench.py report FILE     print the table of a results file again
    bench/bench.py report --markdown FILE   the same as a Markdown table

Environment: RUNS (5), BENCH_QUICK=1 (default sizes / 10, RUNS=1: checks the
suite works, measures nothing), OPEN_N, STAT_N, RW_N (2000000), FORK_N, SHLOOP_N
(10000), CONN_N (100000), UDP_N (500000), IDLE_S (10), BENCH_WORKLOADS and
BENCH_MODES (comma-separated subsets, in the suite's order), MARKER_MS (50),
BENCH_OUT (build/bench/results.json), BENCH_BPF_STATS=1 (also the kernel time
of the agent's BPF programs, via kernel.bpf_stats_enabled), BENCH_KEEP=1.
"""
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILT_VIGIL = os.path.join(ROOT, "build/vigil")
VIGIL = BUILT_VIGIL	# the copy the suite runs, see snapshot_vigil()
STORM = os.path.join(ROOT, "build/bench/storm")
MARKER = os.path.join(ROOT, "build/bench/marker")
FLOOR = os.path.join(ROOT, "build/bench/floor")
LATENCY_RULES = os.path.join(ROOT, "bench/latency.yaml")
MARKER_RULE = "VGL-BENCH-MARKER"

MODES = ["none", "floor", "trace", "run", "enforce"]
MODE_LABEL = {"none": "no agent", "floor": "floor", "trace": "vigil trace (all)",
              "run": "vigil run", "enforce": "vigil run --enforce"}
# A floor that adds less than this share of the no-agent time is within the
# noise: a ratio to it would mean nothing.
FLOOR_NOISE = 0.02


def fail(msg):
    sys.exit("bench: " + msg)


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        fail("%s must be an integer, not '%s'" % (name, os.environ[name]))


# ---- workloads -------------------------------------------------------------

class Workload:
    """A storm subcommand; prepare() runs untimed before each run."""

    def __init__(self, name, label, argv, prepare=None):
        self.name, self.label, self.argv, self.prepare = name, label, argv, prepare


def make_workloads(work, quick):
    scale = 10 if quick else 1

    def size(var, default):	# quick mode scales the defaults, not sizes asked for
        return env_int(var, default) if var in os.environ else max(1, default // scale)

    n = {v: size(v, d) for v, d in [("OPEN_N", 2000000), ("STAT_N", 2000000),
                                     ("RW_N", 2000000), ("FORK_N", 10000),
                                     ("SHLOOP_N", 10000), ("CONN_N", 100000),
                                     ("UDP_N", 500000), ("IDLE_S", 10)]}
    tree = os.path.join(work, "tree")
    src, out = os.path.join(work, "build-src"), os.path.join(work, "build-out")
    wl = [
        Workload("open", "%s open+close (tree)" % count(n["OPEN_N"]),
                 ["open", str(n["OPEN_N"]), tree]),
        Workload("stat", "%s stat (tree)" % count(n["STAT_N"]),
                 ["stat", str(n["STAT_N"]), tree]),
        Workload("rw", "%s pwrite+pread 64 B" % count(n["RW_N"]), ["rw", str(n["RW_N"]), work]),
        Workload("forkexec", "%s fork+exec /bin/true" % count(n["FORK_N"]),
                 ["forkexec", str(n["FORK_N"])]),
        Workload("shloop", "sh loop of %s /bin/true" % count(n["SHLOOP_N"]),
                 ["shloop", str(n["SHLOOP_N"])]),
        Workload("connect", "%s TCP connect+accept" % count(n["CONN_N"]),
                 ["connect", str(n["CONN_N"])]),
        Workload("udp", "%s UDP sendto" % count(n["UDP_N"]), ["udp", str(n["UDP_N"])]),
        Workload("build", "make -j2 of vigil (%s)" % git_head()[:7],
                 ["time", "make", "-s", "-j2", "-C", src, "BUILD=" + out, out + "/vigil"],
                 prepare=lambda: clean_build(out)),
        Workload("idle", "idle %d s (latency)" % n["IDLE_S"], ["time", "sleep", str(n["IDLE_S"])]),
    ]
    return select(wl, "BENCH_WORKLOADS", lambda w: w.name), n


def count(n):
    if n >= 1000000 and n % 100000 == 0:
        return "%gM" % (n / 1e6)
    if n >= 1000 and n % 100 == 0:
        return "%gk" % (n / 1e3)
    return str(n)


def select(items, var, name_of):
    want = os.environ.get(var)
    if not want:
        return items
    names = [w.strip() for w in want.split(",") if w.strip()]
    known = [name_of(i) for i in items]
    for w in names:
        if w not in known:
            fail("%s: unknown '%s' (known: %s)" % (var, w, ", ".join(known)))
    return [i for i in items if name_of(i) in names]


def git_head():
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def prepare_build_source(work):
    """The build workload compiles vigil's last commit (git archive HEAD: the
    working tree may be mid-edit), the whole chain: clang for the BPF objects,
    bpftool, gcc for 56 files, the link. Same source for every mode of a run."""
    src, out = os.path.join(work, "build-src"), os.path.join(work, "build-out")
    os.makedirs(src)
    archive = subprocess.Popen(["git", "-C", ROOT, "archive", "HEAD", "Makefile", "src",
                                "policy"], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", src], stdin=archive.stdout, check=True)
    if archive.wait():
        fail("git archive HEAD failed: the build workload needs vigil's git repository")
    os.makedirs(out)
    shutil.copy(os.path.join(ROOT, "build/vmlinux.h"), out)	# not part of a build


def clean_build(out):
    for entry in os.listdir(out):
        if entry != "vmlinux.h":
            path = os.path.join(out, entry)
            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)


# ---- agents ----------------------------------------------------------------

class Agent:
    """vigil or the floor, started for one (workload, mode)."""

    def __init__(self, mode, work, tag, floor_hooks):
        self.mode, self.alerts = mode, None
        self.err_path = os.path.join(work, "%s.err" % tag)
        if mode == "floor":
            argv, ready = [FLOOR] + floor_hooks, "hooks attached"
        elif mode == "trace":
            argv, ready = [VIGIL, "trace", "-o", "/dev/null", "--stats"], "tracing"
        else:
            self.alerts = os.path.join(work, "%s.alerts.json" % tag)
            argv = vigil_run_argv(work, self.alerts, mode == "enforce")
            ready = "running:"
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.err)
        self.wait_ready(ready)
        self.settle_s = self.settle()

    def settle(self):
        """Wait (at most 15 s) until the agent is quiet, under 4% of a CPU for
        half a second: what it does once at start (reading /proc, the process
        table, hashing) is not the workload's cost. Returns the seconds waited."""
        t0 = time.monotonic()
        cpu = cpu_seconds(self.proc.pid)
        while time.monotonic() - t0 < 15:
            time.sleep(0.5)
            now = cpu_seconds(self.proc.pid)
            if now - cpu <= 0.02:
                break
            cpu = now
        return time.monotonic() - t0

    def wait_ready(self, ready):
        for _ in range(300):
            if self.proc.poll() is not None:
                break
            with open(self.err_path) as f:
                if ready in f.read():
                    return
            time.sleep(0.1)
        self.proc.kill()
        with open(self.err_path) as f:
            fail("%s did not start:\n%s" % (self.mode, f.read()))

    def stop(self):
        """SIGINT, wait, return what it printed on stderr (vigil's --stats)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("%s did not stop within 60 s after SIGINT" % self.mode)
        self.err.close()
        with open(self.err_path) as f:
            text = f.read()
        if rc:
            fail("%s exited with status %d:\n%s" % (self.mode, rc, text[-2000:]))
        return text


def vigil_run_argv(work, alerts, enforce):
    argv = [VIGIL, "run", "-P", LATENCY_RULES, "-o", alerts, "--stats",
            "--incidents-dir", os.path.join(work, "incidents"),
            "--pin-dir", pin_dir()]
    return argv + (["--enforce"] if enforce else [])


def pin_dir():
    """Own pin directory: the network blocks of --enforce must not collide
    with another vigil's (or be removed by our clean-up)."""
    return "/sys/fs/bpf/vigil-bench-%d" % os.getpid()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) / 1024 if m else None


def map_memory_mib(pid):
    """memlock of every BPF map the process holds an fd of, each map once."""
    maps = {}
    for info in glob.glob("/proc/%d/fdinfo/*" % pid):
        try:
            with open(info) as f:
                text = f.read()
        except OSError:
            continue	# closed meanwhile
        mid, mem = re.search(r"^map_id:\s+(\d+)", text, re.M), \
            re.search(r"^memlock:\s+(\d+)", text, re.M)
        if mid and mem:
            maps[mid.group(1)] = int(mem.group(1))
    return sum(maps.values()) / 2**20, len(maps)


def bpf_prog_stats(pid):
    """(seconds, runs) spent so far in the BPF programs the process holds an
    fd of, each program once, from /proc/PID/fdinfo (run_time_ns counts only
    while kernel.bpf_stats_enabled=1, which BENCH_BPF_STATS=1 turns on)."""
    progs = {}
    for info in glob.glob("/proc/%d/fdinfo/*" % pid):
        try:
            with open(info) as f:
                text = f.read()
        except OSError:
            continue
        pid_m = re.search(r"^prog_id:\s+(\d+)", text, re.M)
        ns, cnt = re.search(r"^run_time_ns:\s+(\d+)", text, re.M), \
            re.search(r"^run_cnt:\s+(\d+)", text, re.M)
        if pid_m and ns and cnt and "link_type" not in text:
            progs[pid_m.group(1)] = (int(ns.group(1)), int(cnt.group(1)))
    return sum(p[0] for p in progs.values()) / 1e9, sum(p[1] for p in progs.values())


class BpfStats:
    """kernel.bpf_stats_enabled on for the suite, the old value back after.
    It costs two clock reads per program run, so it is opt-in."""
    PATH = "/proc/sys/kernel/bpf_stats_enabled"

    def __init__(self, on):
        self.on, self.old = on, None

    def __enter__(self):
        if self.on:
            with open(self.PATH) as f:
                self.old = f.read().strip()
            with open(self.PATH, "w") as f:
                f.write("1")
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(self.old)


def tracefs_category(name):
    for base in ("/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"):
        hits = glob.glob(os.path.join(base, "*", name))
        if hits:
            return os.path.basename(os.path.dirname(hits[0]))
    fail("tracepoint '%s' not found in tracefs" % name)


def discover_floor_hooks(work):
    """The hooks `vigil run` attaches (detect mode, the suite's policy), as
    floor arguments: start it, ask bpftool, stop it."""
    agent = Agent("run", work, "discover", [])
    out = subprocess.run(["bpftool", "perf", "show", "-j"], capture_output=True, text=True)
    agent.stop()
    if out.returncode:
        fail("bpftool perf show failed: %s" % out.stderr.strip())
    hooks = []
    for p in json.loads(out.stdout or "[]"):
        if p.get("pid") != agent.proc.pid:
            continue
        if p["fd_type"] == "raw_tracepoint":
            hooks.append("raw:" + p["tracepoint"])
        elif p["fd_type"] == "tracepoint":
            hooks.append("tp:%s/%s" % (tracefs_category(p["tracepoint"]), p["tracepoint"]))
        else:	# kprobes and the like: the floor has no program for them yet
            fail("vigil attached a %s hook the floor cannot mirror: %s" % (p["fd_type"], p))
    if not hooks:
        fail("found no hooks of vigil run (pid %d) in bpftool perf show" % agent.proc.pid)
    return sorted(set(hooks))


# ---- vigil's counters and alerts ----------------------------------------------

def parse_stats(text):
    """--stats of vigil: events received (all types) and lost in the kernel."""
    k = re.search(r"^kernel: submitted (\d+), lost \(ring buffer full\) (\d+), "
                  r"lost \(nested\) (\d+)", text, re.M)
    if not k:
        fail("no kernel counters in vigil's --stats output:\n" + text[-2000:])
    per_type = {}
    for m in re.finditer(r"^\s+(\S+)\s+submitted (\d+), lost (\d+), received (\d+), "
                         r"output (\d+)", text, re.M):
        per_type[m.group(1)] = {"submitted": int(m.group(2)), "lost": int(m.group(3)),
                                "received": int(m.group(4))}
    return {"submitted": int(k.group(1)), "lost": int(k.group(2)) + int(k.group(3)),
            "received": sum(t["received"] for t in per_type.values()),
            "lost_by_type": {n: t["lost"] for n, t in per_type.items() if t["lost"]}}


def marker_latencies_us(path):
    lat = []
    with open(path) as f:
        for line in f:
            try:
                a = json.loads(line)
            except ValueError:
                continue
            rule = a.get("rule")
            rid = rule.get("id") if isinstance(rule, dict) else rule
            if rid == MARKER_RULE and "detect_latency_us" in a:
                lat.append(a["detect_latency_us"])
    return lat


def percentile(values, p):
    """Nearest rank: the smallest value with at least p% of values at or below it."""
    v = sorted(values)
    return v[max(0, -(-len(v) * p // 100) - 1)]


# ---- one (workload, mode) ---------------------------------------------------

def run_storm(w, log):
    if w.prepare:
        w.prepare()
    marker = subprocess.Popen([MARKER, os.environ.get("MARKER_MS", "50")],
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        r = subprocess.run([STORM] + w.argv, stdout=subprocess.PIPE, stderr=log, text=True)
    finally:
        marker.send_signal(signal.SIGTERM)
        marker.wait()
    if r.returncode:
        log.flush()
        with open(log.name) as f:
            tail = f.readlines()[-10:]
        fail("workload %s failed (status %d):\n%s" % (w.name, r.returncode, "".join(tail)))
    return float(r.stdout.split()[-1])


def measure(w, mode, runs, work, floor_hooks, log, bpf_stats):
    tag = "%s-%s" % (w.name, mode)
    agent = Agent(mode, work, tag, floor_hooks) if mode != "none" else None
    pid = agent.proc.pid if agent else None
    cpu0 = cpu_seconds(pid) if pid else 0
    bpf0 = bpf_prog_stats(pid) if pid and bpf_stats else (0, 0)
    try:
        times = [run_storm(w, log) for _ in range(runs)]
    except BaseException:	# a failed workload (or Ctrl-C) must not leave it running
        if agent:
            agent.proc.kill()
        raise
    res = {"times": times, "median": statistics.median(times)}
    if agent:
        res["settle_s"] = agent.settle_s
        res["cpu_s"] = (cpu_seconds(pid) - cpu0) / runs
        if bpf_stats:
            bpf1 = bpf_prog_stats(pid)
            res["bpf_s"] = (bpf1[0] - bpf0[0]) / runs
            res["bpf_runs"] = (bpf1[1] - bpf0[1]) // runs
        res["rss_mib"] = peak_rss_mib(pid)
        res["map_mib"], res["maps"] = map_memory_mib(pid)
        stats = agent.stop()
        if mode != "floor":
            s = parse_stats(stats)
            res.update(events=s["received"], events_per_s=s["received"] / sum(times),
                       lost=s["lost"], lost_by_type=s["lost_by_type"])
        if agent.alerts:
            lat = marker_latencies_us(agent.alerts)
            res["latency_us"] = {"n": len(lat)} if not lat else {
                "n": len(lat), "p50": percentile(lat, 50), "p99": percentile(lat, 99),
                "max": max(lat)}
    return res


def add_ratios(results):
    """Overhead vs no agent, and vigil's added time over the floor's."""
    for by_mode in results.values():
        base = by_mode.get("none", {}).get("median")
        floor = by_mode.get("floor", {}).get("median")
        for mode, r in by_mode.items():
            if not base:
                continue
            r["overhead_pct"] = (r["median"] / base - 1) * 100
            if floor is not None and mode not in ("none", "floor"):
                added_floor = floor - base
                r["ratio_to_floor"] = (r["median"] - base) / added_floor if added_floor else None
                r["floor_within_noise"] = added_floor < FLOOR_NOISE * base


# ---- report --------------------------------------------------------------------

COLUMNS = ["workload", "mode", "wall s", "overhead", "/floor", "CPU s", "RSS MiB",
           "maps MiB", "events/s", "lost", "lat p50/p99/max ms"]
BPF_COLUMN = "BPF s"	# only when measured (BENCH_BPF_STATS=1)


def row_cells(label, mode, r, with_bpf):
    def num(key, fmt):
        return fmt % r[key] if r.get(key) is not None else "-"

    ratio = "-"
    if r.get("ratio_to_floor") is not None:
        ratio = "%.2fx" % r["ratio_to_floor"]
        if r.get("floor_within_noise"):
            ratio = "(floor~0)"
    lat = r.get("latency_us")
    lat = "-" if not lat else ("no alerts" if not lat["n"] else "%.2f/%.2f/%.2f" % (
        lat["p50"] / 1000, lat["p99"] / 1000, lat["max"] / 1000))
    over = "%+.1f%%" % r["overhead_pct"] if mode != "none" and "overhead_pct" in r else "-"
    eps = "%.0fk" % (r["events_per_s"] / 1000) if r.get("events_per_s") is not None else "-"
    cells = [label, MODE_LABEL[mode], "%.3f" % r["median"], over, ratio, num("cpu_s", "%.2f"),
             num("rss_mib", "%.1f"), num("map_mib", "%.1f"), eps, num("lost", "%d"), lat]
    return cells + ([num("bpf_s", "%.3f")] if with_bpf else [])


def machine_line(doc):
    m = doc["machine"]
    return "%s, %s CPUs (%s), kernel %s, vigil %s, %d run(s)%s" % (
        m["date"], m["nproc"], m["cpu"], m["kernel"], m["vigil"][:12], doc["runs"],
        ", QUICK (validation only)" if doc["quick"] else "")


def report(doc, markdown=False):
    rows, with_bpf = [], doc.get("bpf_stats", False)
    columns = COLUMNS + ([BPF_COLUMN] if with_bpf else [])
    for w in doc["workloads"]:
        for mode, r in doc["results"][w["name"]].items():
            rows.append(row_cells(w["label"], mode, r, with_bpf))
    lines = ["# vigil bench: " + machine_line(doc)]
    if markdown:
        lines += ["", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
        fmt = "  ".join("%%-%ds" % wd if i < 2 else "%%%ds" % wd for i, wd in enumerate(widths))
        lines += [fmt % tuple(columns)]
        prev = None
        for r in rows:
            lines.append(fmt % tuple([r[0] if r[0] != prev else ""] + r[1:]))
            prev = r[0]
    lines += ["", "floor: %d hooks (those of `vigil run`): %s" % (
        len(doc["floor_hooks"]), " ".join(doc["floor_hooks"]))]
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------

def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
        cpu = m.group(1).strip() if m else cpu
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "vigil": git_head() + ("+dirty" if dirty else ""),
            "load_before": os.getloadavg()[0]}


def snapshot_vigil(work):
    """Run a copy: a rebuild of build/vigil during the suite must not change
    (or, mid-link, break) the binary being measured."""
    global VIGIL
    VIGIL = os.path.join(work, "vigil")
    shutil.copy(BUILT_VIGIL, VIGIL)


def check_setup():
    if os.geteuid():
        fail("needs root (BPF)")
    for path in (BUILT_VIGIL, STORM, MARKER, FLOOR):
        if not os.access(path, os.X_OK):
            fail("'%s' missing: build it with `make bench` (or make all %s)" % (path, path))
    if os.path.exists("/etc/vigil/vigil.yaml"):
        print("bench: note: /etc/vigil/vigil.yaml exists and applies to vigil run",
              file=sys.stderr)


def run_suite():
    check_setup()
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    runs = env_int("RUNS", 1 if quick else 5)
    out_path = os.environ.get("BENCH_OUT", os.path.join(ROOT, "build/bench/results.json"))
    modes = select(MODES, "BENCH_MODES", lambda m: m)
    bpf_stats = os.environ.get("BENCH_BPF_STATS", "") not in ("", "0")
    work = tempfile.mkdtemp(prefix="vigil-bench.")
    try:
        snapshot_vigil(work)
        workloads, sizes = make_workloads(work, quick)
        if any(w.name == "build" for w in workloads):
            prepare_build_source(work)
        doc = {"machine": machine(), "quick": quick, "runs": runs, "sizes": sizes,
               "bpf_stats": bpf_stats,
               "modes": modes, "workloads": [{"name": w.name, "label": w.label}
                                             for w in workloads],
               "floor_hooks": discover_floor_hooks(work) if "floor" in modes else [],
               "results": {}}
        print("# vigil bench: " + machine_line(doc), flush=True)
        with open(os.path.join(work, "workloads.log"), "w") as log, BpfStats(bpf_stats):
            for w in workloads:
                doc["results"][w.name] = {}
                for mode in modes:
                    r = measure(w, mode, runs, work, doc["floor_hooks"], log, bpf_stats)
                    doc["results"][w.name][mode] = r
                    print("  %-10s %-20s median %.3f s  (%s)" % (
                        w.name, MODE_LABEL[mode], r["median"],
                        " ".join("%.3f" % t for t in r["times"])), flush=True)
        add_ratios(doc["results"])
        os.makedirs(os.path.dirname(out_path), exist_ok=True)
        with open(out_path, "w") as f:
            json.dump(doc, f, indent=1)
        print("\n" + report(doc) + "\n\nresults: " + out_path)
    finally:
        if os.path.exists(VIGIL):
            subprocess.run([VIGIL, "unpin", "--pin-dir", pin_dir()],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if os.environ.get("BENCH_KEEP"):
            print("bench: kept " + work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv):
    if argv[:1] == ["report"]:
        args = argv[1:]
        markdown = "--markdown" in args
        files = [a for a in args if a != "--markdown"]
        if len(files) != 1:
            fail("usage: bench.py report [--markdown] RESULTS.json")
        with open(files[0]) as f:
            print(report(json.load(f), markdown))
    elif argv:
        fail("usage: bench.py [report [--markdown] RESULTS.json]")
    else:
        run_suite()


if __name__ == "__main__":
    main(sys.argv[1:])
