#!/usr/bin/env python3
"""Dwell side by side with jira-agile-metrics 0.24 (PyPI) on the same jira-sim data.

For each size, in one run: jira-sim serves a Jira site on a free loopback port and
jira-agile-metrics reads it the way a user runs it (its CLI, a YAML configuration, the `jira`
library over HTTP); `jira-sim dump` writes the same data (same seed, same size) as page files and
`dwell report` computes first and last entry dates from them. The script prints time and peak
memory of both, then compares the first entry date into each workflow step per issue and
explains every disagreement.

Key design decision: a disagreement is explained by replaying the peer's documented rule (read
from its source: `calculators/cycletime.py` and `querymanager.py`) on the raw changelog in two
layers, never by trusting either tool's output. Layer 1 is the peer's rule on the full changelog
(oldest first): a date it changes is the backwards-move rule. Layer 2 is the same rule on what
Jira Cloud's `expand=changelog` gives (the newest 40 histories, newest first): a date only that
changes is Cloud's cut. A disagreement neither layer reproduces is printed as unexplained and
makes the script exit 1.

Runs with the repository, PyPI and the release binaries only:

    cargo build --release -p jira-sim -p cli
    python3 xtask/peers/agile_metrics.py                  # 2,000 and 10,000 issues, Cloud
    python3 xtask/peers/agile_metrics.py --sizes 2000 --flavor dc

The peer is installed into .tools/peers-venv (git-ignored) on first use, with the pins a user
needs (see PINS).
"""

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".tools" / "peers-venv"
# What a user has to install: the release declares `pandas>=0.23` and `numpy` with no upper bound,
# but its scatterplot step calls `astype("timedelta64[D]")`, which pandas 2 refuses ("Cannot
# convert from timedelta64[ns] to timedelta64[D]"), so pandas 1.x, which needs numpy 1.x.
# Everything else resolves to current versions.
PINS = ["jira-agile-metrics==0.24", "pandas<2", "numpy<2"]
USER = "ada@dwell.example"
TOKEN = "sim-token"
JQL = "project in (PLAT, WEB, DATA, MOB)"
DATA_END = "2026-11-01T00:00:00Z"
# Cloud's embedded changelog (search with expand=changelog): the newest 40 histories.
CLOUD_EMBEDDED_MAX = 40
# The peer's workflow: one step per status, in the order work flows, so each status can be
# compared on its own. "Review" was called "Code Review" in older histories (a jira-sim quirk);
# the peer maps by name, so a user lists both. MOB's team-managed "To Do", "In Progress" and
# "Done" share the names and so the steps (the peer compares names case-insensitively).
WORKFLOW = [
    ("To Do", ["To Do"]),
    ("Blocked", ["Blocked"]),
    ("In Progress", ["In Progress"]),
    ("Review", ["Review", "Code Review"]),
    ("QA", ["QA"]),
    ("Done", ["Done"]),
]
STEP_OF = {s.lower(): i for i, (_, names) in enumerate(WORKFLOW) for s in names}

# Runs the peer's own CLI entry point. Two things only are added around it: the time spent in
# its one Jira query (wrapped, not changed), written to a file for the fetch/compute split, and,
# when the site has no "Flagged" field, an answer for that one name (see flagged_shim below).
PEER_RUNNER = r"""
import json, sys, time
from jira_agile_metrics import querymanager as qm
timing_file, patch_flagged = sys.argv[1], sys.argv[2] == "1"
spent = {"fetch_s": 0.0}
find = qm.QueryManager.find_issues
def timed_find(self, *a, **k):
    t = time.perf_counter()
    out = find(self, *a, **k)
    spent["fetch_s"] += time.perf_counter() - t
    with open(timing_file, "w") as f:
        json.dump(spent, f)
    return out
qm.QueryManager.find_issues = timed_find
if patch_flagged:
    lookup = qm.QueryManager.field_name_to_id
    def field_name_to_id(self, name):
        if name.lower() == "flagged" and not any(f["name"].lower() == "flagged" for f in self.jira_fields):
            return "customfield_flagged_absent"
        return lookup(self, name)
    qm.QueryManager.field_name_to_id = field_name_to_id
sys.argv = ["jira-metrics"] + sys.argv[3:]
from jira_agile_metrics.cli import main
main()
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ensure_venv(venv):
    python = venv / "bin" / "python"
    marker = venv / "dwell-pins.txt"
    if not python.exists() or not marker.exists() or marker.read_text() != " ".join(PINS):
        log(f"installing {' '.join(PINS)} from PyPI into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *PINS], check=True
        )
        marker.write_text(" ".join(PINS))
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(' '.join(f'{p} {m.version(p)}' for p in "
            "['jira-agile-metrics', 'jira', 'pandas', 'numpy', 'matplotlib']))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return python, out.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_measured(cmd, **kw):
    """Runs cmd to completion; returns (wall seconds, peak RSS MiB, CPU seconds, exit code)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime, p.returncode


def proc_cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get_json(base, path):
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", "Basic " + b64encode(f"{USER}:{TOKEN}".encode()).decode())
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


class Sim:
    """jira-sim serving N issues on a free loopback port, stopped on exit."""

    def __init__(self, bins, issues, seed, flavor):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(bins / "jira-sim"), "serve", "--issues", str(issues), "--seed", str(seed),
             "--flavor", flavor, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                self.server_info = get_json(self.base, "/rest/api/2/serverInfo")
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("jira-sim did not start within 120 s")
                time.sleep(0.2)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def run_peer(python, sim, work, fetch_timing):
    has_flagged = any(f.get("name", "").lower() == "flagged" for f in get_json(sim.base, "/rest/api/2/field"))
    workflow = "\n".join(
        f"    {name}: [{', '.join(json.dumps(s) for s in statuses)}]" for name, statuses in WORKFLOW
    )
    (work / "peer.yml").write_text(
        f"Connection:\n    Domain: {sim.base}\n    Username: {USER}\n    Password: {TOKEN}\n"
        f"Query: {JQL}\nWorkflow:\n{workflow}\n"
        f"Output:\n    Cycle time data: cycle.csv\n"
    )
    # `-n 0`: without it the peer passes maxResults=None to the `jira` library, which on Cloud
    # (3.10, search/jql) then reads the first page only (50 issues) and stops; 0 means "all".
    runner = work / "peer_runner.py"
    runner.write_text(PEER_RUNNER)
    cpu_before = proc_cpu_seconds(sim.proc.pid)
    wall, rss, cpu, code = run_measured(
        [str(python), str(runner), str(fetch_timing), "0" if has_flagged else "1",
         str(work / "peer.yml"), "-n", "0", "--output-directory", str(work)],
        stdout=open(work / "peer.log", "w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    sim_cpu = proc_cpu_seconds(sim.proc.pid) - cpu_before
    if code != 0 or not (work / "cycle.csv").exists():
        raise SystemExit(f"jira-agile-metrics failed (exit {code}); see {work / 'peer.log'}")
    fetch = json.loads(fetch_timing.read_text())["fetch_s"]
    return dict(wall=wall, rss=rss, cpu=cpu, fetch=fetch, sim_cpu=sim_cpu, has_flagged=has_flagged)


def run_dwell(bins, issues, seed, flavor, work):
    dump = work / "dump"
    subprocess.run(
        [str(bins / "jira-sim"), "dump", "--issues", str(issues), "--seed", str(seed),
         "--flavor", flavor, "--out", str(dump)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    config = work / "entry-dates.json"
    config.write_text(json.dumps({
        "schemaVersion": 1, "name": "First entry", "kind": {"type": "entryDates"},
        "aggregation": {"functions": []},
    }))
    out = work / "dwell.csv"
    wall, rss, cpu, code = run_measured(
        [str(bins / "dwell"), "report", "--config", str(config), "--input", str(dump),
         "--now", DATA_END, "--out", str(out)],
        stderr=open(work / "dwell.log", "w"),
    )
    if code != 0:
        raise SystemExit(f"dwell failed (exit {code}); see {work / 'dwell.log'}")
    return dict(wall=wall, rss=rss, cpu=cpu), dump, out


def parse_time(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f%z")


def read_changelogs(dump):
    """The full data from the dump: key -> (created, current status, histories oldest first).

    A history is (created, [(from name, to name), ...]) with status items only."""
    issues, logs = {}, {}
    for f in sorted(dump.glob("*.json")):
        doc = json.loads(f.read_text())
        if not isinstance(doc, dict):
            continue
        for issue in doc.get("issues", []):
            fields = issue["fields"]
            issues[issue["id"]] = (issue["key"], parse_time(fields["created"]), fields["status"]["name"])
            embedded = issue.get("changelog", {}).get("histories")
            if embedded:
                logs.setdefault(issue["id"], []).extend(embedded)
        for entry in doc.get("issueChangeLogs", []):
            logs.setdefault(entry["issueId"], []).extend(entry["changeHistories"])
    out = {}
    for iid, (key, created, status) in issues.items():
        hist = []
        for h in logs.get(iid, []):
            items = [(i.get("fromString"), i.get("toString")) for i in h["items"] if i["field"] == "status"]
            hist.append((parse_time(h["created"]), int(h["id"]), items, len(h["items"])))
        hist.sort(key=lambda h: (h[0], h[1]))
        out[key] = (created, status, hist)
    return out


def peer_rule(created, current, histories, newest_first):
    """The peer's first-date-per-step rule, replayed from its source (0.24).

    Its initial status is the `fromString` of the first status item in the order Jira sent the
    histories (on Cloud, newest first), dated at creation; then, in time order, each move into
    a step sets that step's date if empty and erases every later step's date (a move backwards
    wipes what came after)."""
    dates = [None] * len(WORKFLOW)
    order = list(reversed(histories)) if newest_first else histories
    initial = next((fr for _, _, items, _ in order for fr, _ in items), current)

    def enter(name, when):
        step = STEP_OF.get((name or "").lower())
        if step is None:
            return
        if dates[step] is None:
            dates[step] = when.date()
        for later in range(step + 1, len(dates)):
            dates[later] = None

    enter(initial, created)
    for when, _, items, _ in histories:
        for _, to in items:
            enter(to, when)
    return dates


def first_entries(created, current, histories):
    """Dwell's definition: the first time the issue was in each step (UTC date)."""
    dates = [None] * len(WORKFLOW)
    initial = next((fr for _, _, items, _ in histories for fr, _ in items), current)
    events = [(created, initial)] + [(w, to) for w, _, items, _ in histories for _, to in items]
    for when, name in events:
        step = STEP_OF.get((name or "").lower())
        if step is not None and dates[step] is None:
            dates[step] = when.date()
    return dates


def read_dwell(path):
    """Dwell's CSV: Key, then `<status> (first entry)` / `(last entry)` per status column."""
    out = {}
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        cols = [(i, STEP_OF.get(h[: -len(" (first entry)")].lower()))
                for i, h in enumerate(header) if h.endswith(" (first entry)")]
        unknown = [header[i] for i, s in cols if s is None]
        if unknown:
            raise SystemExit(f"dwell reported statuses outside the workflow: {unknown}")
        for row in rows:
            dates = [None] * len(WORKFLOW)
            for i, step in cols:
                if row[i]:
                    d = dt.datetime.strptime(row[i], "%Y-%m-%d %H:%M").date()  # UTC, dwell's --tz default
                    dates[step] = d if dates[step] is None else min(dates[step], d)
            out[row[0]] = dates
    return out


def read_peer(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            out[row["ID"]] = [dt.date.fromisoformat(row[name]) if row[name] else None for name, _ in WORKFLOW]
    return out


CLASSES = {
    "backwards": "backwards-move rule: a move back to an earlier step erased this step's date; "
                 "the peer shows the re-entry after it, or nothing",
    "cut": "Cloud's cut: more than 40 histories, expand=changelog sent only the newest 40",
    "newest-first": "newest first: the peer takes the initial status from the first status item "
                    "Jira sent, which on Cloud is the newest change, not the oldest",
    "unexplained": "unexplained",
    "dwell": "dwell's first entries differ from the raw changelog's (a bug in dwell or in this script)",
}


def compare(dwell, peer, logs, flavor):
    cells = agree = 0
    classes = {}
    for key, (created, current, hist) in logs.items():
        if key not in peer or key not in dwell:
            raise SystemExit(f"{key} is missing from {'the peer' if key not in peer else 'dwell'}'s output")
        full = peer_rule(created, current, hist, newest_first=False)
        if flavor == "cloud":
            seen = hist[-CLOUD_EMBEDDED_MAX:]
            cloud = peer_rule(created, current, seen, newest_first=True)
        else:
            cloud = full
        if dwell[key] != first_entries(created, current, hist):
            classes.setdefault("dwell", []).append((key, 0, dwell[key], first_entries(created, current, hist)))
        for step, (d, p) in enumerate(zip(dwell[key], peer[key])):
            cells += 1
            if d == p:
                agree += 1
                continue
            if p == full[step]:
                cls = "backwards"
            elif p == cloud[step]:
                cls = "cut" if len(hist) > CLOUD_EMBEDDED_MAX else "newest-first"
            else:
                cls = "unexplained"
            classes.setdefault(cls, []).append((key, step, d, p))
    missing = set(peer) - set(logs)
    if missing:
        raise SystemExit(f"the peer reported issues the dump does not hold: {sorted(missing)[:5]}")
    return cells, agree, classes


def show_example(key, step, d, p, logs):
    created, current, hist = logs[key]
    lines = [f"  {key}, step {WORKFLOW[step][0]}: dwell {d}, peer {p or '(empty)'}; "
             f"created {created:%Y-%m-%d %H:%M}, now {current}, {len(hist)} histories "
             f"(status changes below; * = among the newest {CLOUD_EMBEDDED_MAX})"]
    for n, (when, hid, items, _) in enumerate(hist):
        mark = "*" if n >= len(hist) - CLOUD_EMBEDDED_MAX else " "
        for fr, to in items:
            lines.append(f"    {mark} {when:%Y-%m-%d %H:%M} #{hid}: {fr} -> {to}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000,10000", help="issue counts, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--flavor", choices=["cloud", "dc"], default="cloud")
    ap.add_argument("--bins", type=Path, default=ROOT / "target" / "release")
    ap.add_argument("--venv", type=Path, default=VENV)
    ap.add_argument("--keep", type=Path, help="keep the work files in this directory")
    args = ap.parse_args()
    for b in ["jira-sim", "dwell"]:
        if not (args.bins / b).exists():
            raise SystemExit(f"{args.bins / b} is missing: cargo build --release -p jira-sim -p cli")

    python, versions = ensure_venv(args.venv)
    dwell_version = subprocess.run([str(args.bins / "dwell"), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"peer: {versions}\ndwell: {dwell_version}; jira-sim {args.flavor}, seed {args.seed}")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} cores, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC\n")

    results, failed = [], False
    for n in [int(s) for s in args.sizes.split(",")]:
        work = Path(tempfile.mkdtemp(prefix=f"peers-{n}-", dir=args.keep))
        log(f"{n} issues: peer against jira-sim over HTTP...")
        sim = Sim(args.bins, n, args.seed, args.flavor)
        try:
            peer = run_peer(python, sim, work, work / "fetch.json")
        finally:
            sim.stop()
        log(f"{n} issues: dwell on a dump of the same data...")
        dwell, dump, dwell_csv = run_dwell(args.bins, n, args.seed, args.flavor, work)
        logs = read_changelogs(dump)
        if len(logs) != n:
            raise SystemExit(f"the dump holds {len(logs)} issues, not {n}")
        cells, agree, classes = compare(read_dwell(dwell_csv), read_peer(work / "cycle.csv"), logs, args.flavor)
        results.append((n, peer, dwell, cells, agree, classes))
        print(f"## {n} issues\n")
        print(f"peer: {peer['wall']:.2f} s wall (fetch {peer['fetch']:.2f} s, the rest {peer['wall'] - peer['fetch']:.2f} s), "
              f"{peer['cpu']:.2f} s CPU, peak RSS {peer['rss']:.0f} MiB; jira-sim's CPU meanwhile {peer['sim_cpu']:.2f} s; "
              f"'Flagged' field on the site: {'yes' if peer['has_flagged'] else 'no (answered by the runner)'}")
        print(f"dwell report on the dump: {dwell['wall']:.3f} s wall, {dwell['cpu']:.3f} s CPU, peak RSS {dwell['rss']:.0f} MiB")
        print(f"first entry date per issue and step: {agree:,} of {cells:,} agree ({100 * agree / cells:.2f} %)")
        for cls, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
            issues = len({k for k, *_ in items})
            print(f"\n- {len(items):,} dates in {issues:,} issues: {CLASSES[cls]}")
            print(show_example(*items[0], logs))
            failed |= cls in ("unexplained", "dwell")
        print()
        if args.keep is None:
            shutil.rmtree(work)

    print("| issues | peer: fetch + compute | of it fetch | peer peak RSS | dwell report (dump) | dwell peak RSS | "
          "first dates agreeing | " + " | ".join(k for k in CLASSES) + " |")
    print("|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(CLASSES))
    for n, peer, dwell, cells, agree, classes in results:
        print(f"| {n:,} | {peer['wall']:.2f} s | {peer['fetch']:.2f} s | {peer['rss']:.0f} MiB | {dwell['wall']:.3f} s | "
              f"{dwell['rss']:.0f} MiB | {agree:,} / {cells:,} | " + " | ".join(f"{len(classes.get(k, [])):,}" for k in CLASSES) + " |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
