"""Benchmark a run of the service against ``verifier check`` on the same corpus, in the same run.

The corpus is check.py's: Markdown documents citing ``--urls`` unique URLs over ``--hosts``
loopback hosts (127.0.0.2, 127.0.0.3, ...), served by ``check_server.py`` with 50 ms latency per
answer (85% 200, 10% 404, 5% 301). Each round, both cold (an empty store):

1. ``verifier check DOCS`` as a child process, wall time and CPU from wait4 (start-up included);
2. ``verifier serve`` on a fresh data folder with ``--source-root DOCS`` and the same settings
   flags, a ``paths`` source over ``*.md`` made with ``POST /api/v1/sources`` (with the admin
   token ``serve`` prints), then the timed part: ``POST /api/v1/sources/{id}/runs`` and
   ``GET /api/v1/runs/{id}`` every ``--poll`` seconds until the run is complete. The service's
   start-up is not timed (it is up before the run is asked for); its CPU over the run is read
   from /proc.

Rounds alternate which of the two goes first. Printed: each round, the medians, the ratio
service/CLI, and where each run's time went (the check's own phases from the report's
``run.phases``; for the service also the wait in the queue, from the run's ``queued_at`` and
``started_at``, and what follows the check up to ``finished_at``).

Usage: ``python benchmarks/service.py [--urls 5000] [--hosts 100] [--repeat 3] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check import compile_package, start_server, verifier_command, write_corpus  # noqa: E402

TOKEN = re.compile(r"created an admin token \(shown once, keep it\): (\S+)")
#: The longest the service may take to start, and one run to finish.
START_TIMEOUT = 60.0
RUN_TIMEOUT = 600.0


@dataclass
class Timed:
    name: str
    wall: float  # seconds
    cpu: float  # user + system seconds
    checking: float  # the check itself: the report's run.seconds
    summary: dict[str, int]
    extra: dict[str, float] = field(default_factory=dict)


def settings_flags(concurrency: int, host_concurrency: int) -> list[str]:
    """The settings both get: check.py's command line without its paths and output folders."""
    command = verifier_command(Path("DOCS"), Path("WORK"), concurrency, host_concurrency)
    flags: list[str] = command[command.index("check") + 2 :]
    for flag in ("--output-dir", "--cache-path"):
        at = flags.index(flag)
        del flags[at : at + 2]
    return flags


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, all its threads (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_load(limit: float | None, patience: float = 900.0) -> float:
    """With ``--max-load``, wait (up to ``patience`` seconds) for the 1-minute load to drop below it."""
    load = os.getloadavg()[0]
    deadline = time.monotonic() + patience
    while limit is not None and load >= limit and time.monotonic() < deadline:
        time.sleep(30)
        load = os.getloadavg()[0]
    return load


class Api:
    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.call("GET", "/healthz")
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")


def start_service(command: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``verifier serve`` and return it with the admin token it prints, once it listens."""
    stream = log.open("wb")
    process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = TOKEN.search(text)
        if found and "serving on" in text:
            return process, found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the service did not start:\n{log.read_text(errors='replace')}")


def stop_service(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def time_cli(docs: Path, work: Path, concurrency: int, host_concurrency: int) -> Timed:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = verifier_command(docs, work, concurrency, host_concurrency)
    with (work / "check.log").open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=work, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"verifier check failed:\n{(work / 'check.log').read_text()}")
    report = json.loads((work / "reports" / "link-health.json").read_text(encoding="utf-8"))
    checking: float = report["run"]["seconds"]
    extra = {"start-up, reading, report": wall - checking}
    return Timed("CLI", wall, usage.ru_utime + usage.ru_stime, checking, report["summary"], extra)


def time_service(docs: Path, work: Path, flags: list[str], poll: float) -> Timed:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    port = free_port()
    command = [
        sys.executable, "-m", "verifier", "serve",
        "--data-dir", str(work / "data"),
        "--source-root", str(docs),
        "--port", str(port),
        "--allow-private-addresses", "127.0.0.0/8",
        *flags,
    ]  # fmt: skip
    process, token = start_service(command, work / "serve.log")
    try:
        api = Api(port, token)
        api.wait_until_up()
        source = api.call("POST", "/api/v1/sources", {"name": "benchmark", "paths": ["*.md"]})["id"]
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        posted = time.time()
        run_id = api.call("POST", f"/api/v1/sources/{source}/runs")["id"]
        while True:
            run = api.call("GET", f"/api/v1/runs/{run_id}")
            if run["status"] not in ("queued", "running"):
                break
            if time.perf_counter() - started > RUN_TIMEOUT:
                raise SystemExit(f"the service's run took more than {RUN_TIMEOUT:.0f} s: {run}")
            time.sleep(poll)
        wall = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        if run["status"] != "complete":
            raise SystemExit(f"the service's run ended {run['status']}: {run.get('error')}")
        report = api.call("GET", f"/api/v1/runs/{run_id}/report")
    finally:
        stop_service(process)
    with sqlite3.connect(work / "data" / "service.sqlite") as db:
        queued, begun, finished = db.execute(
            "SELECT queued_at, started_at, finished_at FROM service_runs WHERE id = ?", (run_id,)
        ).fetchone()
    checking: float = report["run"]["seconds"]
    extra = {
        "POST to queued": queued - posted,
        "in the queue": begun - queued,
        "run, before and after the check": finished - begun - checking,
        "finished to seen by the poll": (posted + wall) - finished,
    }
    return Timed("service", wall, cpu, checking, report["summary"], extra)


def main() -> int:
    parser = argparse.ArgumentParser(description="a service run vs verifier check on a local corpus")
    parser.add_argument("--urls", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--host-concurrency", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of both runs (default 3)")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between GETs of the run")
    parser.add_argument(
        "--max-load", type=float, help="before each run, wait (up to 15 min) for the 1-minute load below this"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args()

    compile_package()
    os.environ["CI"] = "true"
    work = Path(tempfile.mkdtemp(prefix="verifier-service-bench-"))
    flags = settings_flags(options.concurrency, options.host_concurrency)
    server, port = start_server(options.hosts, options.latency)
    rounds: list[dict[str, Timed]] = []
    loads: list[list[float]] = []
    try:
        docs = work / "docs"
        kinds = write_corpus(docs, options.urls, options.hosts, port)
        for number in range(max(1, options.repeat)):
            order = ("CLI", "service") if number % 2 == 0 else ("service", "CLI")
            this: dict[str, Timed] = {}
            round_loads = []
            for name in order:
                round_loads.append(round(wait_for_load(options.max_load), 2))
                if name == "CLI":
                    this[name] = time_cli(docs, work / "cli", options.concurrency, options.host_concurrency)
                else:
                    this[name] = time_service(docs, work / "service", flags, options.poll)
            rounds.append(this)
            loads.append(round_loads)
            print(
                f"round {number + 1} ({' first, '.join(order)} second; load {round_loads}): "
                f"CLI {this['CLI'].wall:.2f} s, service {this['service'].wall:.2f} s",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    print(
        f"corpus: {options.urls} unique URLs in {len(list(docs.glob('*.md')))} Markdown files over"
        f" {options.hosts} hosts, {options.latency * 1000:.0f} ms per answer ({dict(kinds)})"
    )
    print(f"settings, both: {' '.join(flags)}")
    medians = {name: statistics.median(run[name].wall for run in rounds) for name in ("CLI", "service")}
    ratio = medians["service"] / medians["CLI"]

    def median(name: str, value: Callable[[Timed], float]) -> float:
        return statistics.median(value(run[name]) for run in rounds)

    print(f"\n{'run':<16} {'median wall s':>13}  {'rounds':<20} {'median CPU s':>12}")
    for name, label in (("CLI", "verifier check"), ("service", "service run")):
        walls = ", ".join(f"{run[name].wall:.2f}" for run in rounds)
        print(f"{label:<16} {medians[name]:>13.2f}  {walls:<20} {median(name, lambda t: t.cpu):>12.2f}")
    print(f"ratio service/CLI: {ratio:.2f}x ({'met' if ratio <= 1.2 else 'MISSED'}: no more than 1.2x)")
    print("\nwhere the time went, median over the rounds (s):")
    for name in ("CLI", "service"):
        checking = median(name, lambda t: t.checking)
        print(f"  {name:<8} {'the check (report run.seconds)':<34} {checking:>6.2f}")
        for key in rounds[0][name].extra:
            print(f"  {name:<8} {key:<34} {median(name, lambda t: t.extra[key]):>6.2f}")  # noqa: B023
    summaries = {name: rounds[-1][name].summary for name in ("CLI", "service")}
    print(f"outcomes: CLI {summaries['CLI']}; service {summaries['service']}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "urls": options.urls,
                    "hosts": options.hosts,
                    "latency": options.latency,
                    "flags": flags,
                    "medians": medians,
                    "ratio": ratio,
                    "loads": loads,
                    "rounds": [{name: asdict(timed) for name, timed in run.items()} for run in rounds],
                },
                indent=2,
            )
            + "\n"
        )
    if options.keep:
        print(f"work folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
