"""Benchmark the service on many workers: one run of ``--links`` links checked by 1, 2, 4 ...
``verifier worker`` processes sharing a PostgreSQL store and a Redis check queue.

The web: ``fleet_server.py`` in a process of its own (uvloop), ``--hosts`` loopback hosts
(127.0.0.2, 127.0.0.3, ...) on one port, every answer held ``--latency`` seconds (200 ms), 200
with a small HTML page (``--missing-percent`` of the links answer 404 instead). The server
counts, per host, the requests in flight at once, and every request that came while its host
already had ``--host-concurrency`` in flight (one a server enforcing that limit would have
answered 429; it answers none). It also times its own answers and its event loop's wake-ups,
and its CPU is read from /proc, to show it is not what limits the run.

The corpus: ``--links`` unique URLs, ``--links / --hosts`` on each host, in ``--files`` Markdown
files, each file citing hosts round-robin so every file touches many hosts.

For each worker count N of ``--workers`` (default 1,2,4), from nothing:

1. a new PostgreSQL database (created and dropped here through psycopg, as tests/postgres.py
   does) and a new Redis key prefix, so no result, work item, lease or queued batch is shared
   with another round;
2. ``verifier serve --no-worker`` (the coordinator and the API, on a data folder of its own)
   and N ``verifier worker`` processes (each on its own data folder), all with the same
   settings flags: ``--store`` and ``--queue`` as above, ``--no-archive --no-soft404-probe
   --retries 0 --network-canaries localhost --allow-private-addresses 127.0.0.0/8``,
   ``--max-concurrency`` and ``--host-concurrency``;
3. once every worker says it is taking host batches: a ``paths`` source over ``*.md``
   (``POST /api/v1/sources`` with the admin token serve prints), then the timed part,
   ``POST /api/v1/sources/{id}/runs`` and ``GET /api/v1/runs/{id}`` every ``--poll`` seconds
   until the run is complete.

Measured per round: wall time from asking for the run to seeing it complete, links/s, the
speed-up over the first round's wall time; each worker's and serve's peak RSS (VmHWM from
/proc at the end); the CPU over the run of each worker, serve, the web server, PostgreSQL (the
backends of the round's database) and Redis (from /proc, deltas over the run), and the whole
machine's busy fraction (/proc/stat); at the server, the peak requests in flight on any one
host against ``--host-concurrency``, requests that would have merited a 429, 429s sent, and the
mean number in flight over the run against N x ``--max-concurrency`` (how full the workers'
global caps kept the web); the peak number of PostgreSQL connections to the round's database;
the run's summary against what the corpus holds; when the server saw the first request and
the last answer, against the run's progress; the 1-minute load average at the start and end of
each round (other work on a shared machine shows there).

The floor a round cannot beat: a host's batch is one worker thread's (``--queue-workers``,
by default max-concurrency / host-concurrency threads a worker), checked at
``--host-concurrency`` at once, so a host of L links takes ceil(L / host-concurrency) x latency,
and N x threads hosts go at once.

Usage: ``python benchmarks/fleet.py [--links 100000] [--hosts 2000] [--workers 1,2,4]
[--json FILE]``; ``--links 10000 --hosts 200`` for a quick run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check import compile_package  # noqa: E402
from check_server import host_address  # noqa: E402
from service import TOKEN, Api, cpu_seconds, free_port, wait_for_load  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
#: How long the workers may take to say they are taking batches.
START_TIMEOUT = 60.0


@dataclass
class Proc:
    """A process measured over the run: CPU seconds and peak resident memory."""

    name: str
    cpu: float = 0.0
    peak_mb: float = 0.0


@dataclass
class Round:
    workers: int
    wall: float
    links_per_s: float
    floor: float
    summary: dict[str, int]
    expected: dict[str, int]
    loads: tuple[float, float]
    processes: list[Proc]
    server: dict[str, Any]
    postgres_cpu: float
    redis_cpu: float
    machine_busy: float  # of all CPUs, over the run
    postgres_peak_connections: int
    timeline: dict[str, float] = field(default_factory=dict)
    speed_up: float = 1.0

    def worker_procs(self) -> list[Proc]:
        return [proc for proc in self.processes if proc.name.startswith("worker")]


def peak_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine_ticks() -> tuple[int, int]:
    """Busy and total jiffies of all CPUs (/proc/stat): how saturated the machine was."""
    values = [int(part) for part in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def url_for(index: int, hosts: int, port: int, missing_every: int) -> tuple[str, str]:
    """Link ``index``'s URL (on host ``index % hosts``) and the status it gets."""
    host = f"{host_address(index % hosts)}:{port}"
    if missing_every and index % missing_every == missing_every - 1:
        return f"http://{host}/missing/{index}", "404"
    return f"http://{host}/ok/{index}", "200"


def write_corpus(folder: Path, links: int, hosts: int, files: int, port: int, missing_every: int) -> int:
    """The Markdown files; returns how many links answer 404."""
    folder.mkdir(parents=True)
    per_file = math.ceil(links / files)
    missing = 0
    for number, first in enumerate(range(0, links, per_file)):
        lines = [f"# Document {number}", ""]
        for index in range(first, min(first + per_file, links)):
            url, status = url_for(index, hosts, port, missing_every)
            missing += status == "404"
            lines.append(f"- [Source {index}]({url}) said something worth citing.")
        (folder / f"doc-{number:04d}.md").write_text("\n".join(lines) + "\n")
    return missing


def start_web(hosts: int, latency: float, limit: int) -> tuple[subprocess.Popen[str], int, int]:
    server = subprocess.Popen(
        [
            sys.executable, str(HERE / "fleet_server.py"),
            "--hosts", str(hosts), "--latency", str(latency), "--limit", str(limit),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline().split()
    if len(line) != 3 or line[0] != "READY":
        server.kill()
        raise SystemExit(f"the fleet server did not start: {line}")
    return server, int(line[1]), int(line[2])


def web_control(port: int, method: str, path: str) -> dict[str, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST" else None
    )
    with opener.open(request, timeout=30) as answer:
        result: dict[str, Any] = json.loads(answer.read())
    return result


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[tuple[str, Any]]:
    """A new database's URL and an admin connection (to watch its backends); dropped afterwards."""
    import psycopg

    admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    name = f"verifier_fleet_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + f"/{name}", admin
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_prefix(redis_url: str) -> Iterator[str]:
    """A Redis key prefix of this round's own; its keys (huey's queue, the archive bucket) are
    deleted afterwards."""
    from redis import Redis

    prefix = f"fleet{uuid.uuid4().hex[:12]}"
    client = Redis.from_url(redis_url)
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def redis_pid(redis_url: str) -> int | None:
    from redis import Redis

    client = Redis.from_url(redis_url)
    try:
        pid = int(client.info("server")["process_id"])
    except Exception:
        return None
    finally:
        client.close()
    # Only a Redis on this machine has its CPU in /proc.
    return pid if Path(f"/proc/{pid}").exists() else None


class Backends:
    """CPU of the PostgreSQL backends serving one database, summed over those seen at each
    sample (a backend that comes and goes between two samples is missed, so this is a floor)."""

    def __init__(self, admin: Any, database: str) -> None:
        self.admin = admin
        self.database = database
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.peak_connections = 0

    def sample(self, *, first: bool = False) -> None:
        rows = self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
        ).fetchall()
        self.peak_connections = max(self.peak_connections, len(rows))
        for (pid,) in rows:
            cpu = cpu_seconds(pid)
            if first:
                self.start[pid] = cpu
            self.last[pid] = max(cpu, self.last.get(pid, 0.0))

    def cpu(self) -> float:
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.last.items())


def start_serve(
    command: list[str], log: Path, children: list[subprocess.Popen[Any]]
) -> tuple[subprocess.Popen[bytes], str]:
    """``verifier serve``, kept in ``children`` from the start (so that Ctrl-C while it starts
    still stops it), with the admin token it prints once it listens."""
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    children.append(process)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = TOKEN.search(text)
        if found and "serving on" in text:
            return process, found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"verifier serve did not start:\n{log.read_text(errors='replace')}")


def stop(processes: list[subprocess.Popen[Any]], signum: int) -> None:
    """Ask each process to stop (serve and workers hand back their batches on SIGINT), then
    kill whatever has not stopped after 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signum)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_log(process: subprocess.Popen[bytes], log: Path, text: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"{log.name}: no {text!r}:\n{log.read_text(errors='replace')}")


def settings_flags(store: str, queue: str, concurrency: int, host_concurrency: int) -> list[str]:
    return [
        "--store", store,
        "--queue", queue,
        "--no-archive",
        "--no-soft404-probe",
        "--retries", "0",
        "--network-canaries", "localhost",
        "--allow-private-addresses", "127.0.0.0/8",
        "--max-concurrency", str(concurrency),
        "--host-concurrency", str(host_concurrency),
    ]  # fmt: skip


def floor_seconds(links: int, hosts: int, workers: int, options: argparse.Namespace) -> float:
    """The least a round can take: host batches of ceil(links per host / host-concurrency)
    answers one after another, workers x threads hosts at a time."""
    concurrency: int = options.max_concurrency
    per_host_limit: int = options.host_concurrency
    latency: float = options.latency
    threads = max(2, concurrency // max(1, per_host_limit))
    batch = math.ceil(math.ceil(links / hosts) / per_host_limit) * latency
    return math.ceil(hosts / (workers * threads)) * batch


def one_round(
    workers: int,
    docs: Path,
    work: Path,
    options: argparse.Namespace,
    web: subprocess.Popen[str],
    control_port: int,
    expected: dict[str, int],
    children: list[subprocess.Popen[Any]],
) -> Round:
    folder = work / f"workers-{workers}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    load_start = wait_for_load(options.max_load)
    with fresh_database(options.postgres) as (store, admin), fresh_prefix(options.redis) as prefix:
        queue = f"{options.redis}?prefix={prefix}"
        flags = settings_flags(store, queue, options.max_concurrency, options.host_concurrency)
        port = free_port()
        command = [
            sys.executable, "-m", "verifier", "serve", "--no-worker",
            "--data-dir", str(folder / "serve"), "--port", str(port), "--source-root", str(docs), *flags,
        ]  # fmt: skip
        serve, token = start_serve(command, folder / "serve.log", children)
        crew: list[subprocess.Popen[bytes]] = []
        try:
            for number in range(workers):
                log = folder / f"worker-{number}.log"
                command = [sys.executable, "-m", "verifier", "worker"]
                command += ["--data-dir", str(folder / f"worker-{number}"), *flags]
                worker = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
                children.append(worker)
                crew.append(worker)
            for number, worker in enumerate(crew):
                wait_for_log(worker, folder / f"worker-{number}.log", "taking host batches")
            api = Api(port, token)
            api.wait_until_up()
            source = api.call("POST", "/api/v1/sources", {"name": "fleet", "paths": ["*.md"]})["id"]
            web_control(control_port, "POST", "/reset")
            watched = [("serve", serve.pid), ("web server", web.pid)]
            watched += [(f"worker {number + 1}", worker.pid) for number, worker in enumerate(crew)]
            redis = redis_pid(options.redis)
            if redis is not None:
                watched.append(("redis", redis))
            before = {name: cpu_seconds(pid) for name, pid in watched}
            backends = Backends(admin, store.rsplit("/", 1)[1])
            backends.sample(first=True)
            busy_before, total_before = machine_ticks()
            started = time.perf_counter()
            asked = time.monotonic()
            run_id = api.call("POST", f"/api/v1/sources/{source}/runs")["id"]
            timeline: dict[str, float] = {}
            last_print = started
            while True:
                run = api.call("GET", f"/api/v1/runs/{run_id}")
                now = time.perf_counter() - started
                checked, total = run["progress"]["checked"] or 0, run["progress"]["total"] or 0
                if checked and "first results" not in timeline:
                    timeline["first results"] = now
                if total and checked * 2 >= total and "half checked" not in timeline:
                    timeline["half checked"] = now
                if total and checked >= total and "all checked" not in timeline:
                    timeline["all checked"] = now
                if run["status"] not in ("queued", "running"):
                    break
                backends.sample()
                if now > options.run_timeout:
                    raise SystemExit(f"the run took more than {options.run_timeout:.0f} s: {run}")
                if time.perf_counter() - last_print >= 30:
                    last_print = time.perf_counter()
                    print(f"  {now:6.0f} s: {checked:,} of {total:,} checked", flush=True)
                time.sleep(options.poll)
            wall = time.perf_counter() - started
            busy_after, total_after = machine_ticks()
            backends.sample()
            processes = [Proc(name, cpu_seconds(pid) - before[name], peak_mb(pid)) for name, pid in watched]
            server = web_control(control_port, "GET", "/stats")
            if run["status"] != "complete":
                raise SystemExit(f"the run ended {run['status']}: {run.get('error')}")
        finally:
            stop([*crew, serve], signal.SIGINT)
    load_end = os.getloadavg()[0]
    if server["first_request"] is not None:
        timeline["first request at the server"] = server["first_request"] - asked
        timeline["last answer at the server"] = server["last_answer"] - asked
    timeline["complete"] = wall
    timeline = dict(sorted(timeline.items(), key=lambda item: item[1]))
    cpus = os.cpu_count() or 1
    return Round(
        workers=workers,
        wall=wall,
        links_per_s=options.links / wall,
        floor=floor_seconds(options.links, options.hosts, workers, options),
        summary=run["summary"] or {},
        expected=expected,
        loads=(round(load_start, 2), round(load_end, 2)),
        processes=processes,
        server=server,
        postgres_cpu=backends.cpu(),
        redis_cpu=next((proc.cpu for proc in processes if proc.name == "redis"), 0.0),
        machine_busy=(busy_after - busy_before) / max(1, total_after - total_before) * cpus,
        postgres_peak_connections=backends.peak_connections,
        timeline=timeline,
    )


def print_round(result: Round, options: argparse.Namespace) -> None:
    workers = result.worker_procs()
    server = result.server
    cpu = {proc.name: proc.cpu for proc in result.processes}
    peak = {proc.name: proc.peak_mb for proc in result.processes}
    print(
        f"{result.workers} worker(s): {result.wall:.1f} s (floor {result.floor:.0f} s),"
        f" {result.links_per_s:.0f} links/s, x{result.speed_up:.2f};"
        f" load {result.loads[0]} -> {result.loads[1]}",
        flush=True,
    )
    print(
        "  workers: "
        + ", ".join(f"{proc.peak_mb:.0f} MB {proc.cpu:.1f} s CPU" for proc in workers)
        + f"; serve {cpu['serve']:.1f} s CPU, {peak['serve']:.0f} MB peak;"
        f" web server {cpu['web server']:.1f} s,"
        f" PostgreSQL {result.postgres_cpu:.1f} s ({result.postgres_peak_connections} connections),"
        f" Redis {result.redis_cpu:.1f} s; machine busy {result.machine_busy:.2f} of"
        f" {os.cpu_count()} CPUs"
    )
    print(
        f"  server: {server['requests']:,} requests {server['methods']}, {server['statuses']};"
        f" peak per host {server['peak_per_host']} (limit {options.host_concurrency}),"
        f" {server['arrivals_over_limit']} would have merited 429, {server['sent_429']} sent;"
        f" mean in flight {server['mean_in_flight']:.0f} of {result.workers * options.max_concurrency},"
        f" answers late by {server['late_mean_ms']:.1f} ms mean, {server['late_max_ms']:.0f} ms max,"
        f" loop lag max {server['loop_lag_max_ms']:.0f} ms"
    )
    print(
        f"  timeline (s): {', '.join(f'{key} {value:.1f}' for key, value in result.timeline.items())};"
        f" summary {result.summary}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="the service's run of many links on 1, 2, 4 ... workers")
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--files", type=int, default=100, help="Markdown files the links are spread over")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds every answer is held")
    parser.add_argument(
        "--missing-percent", type=float, default=0.0, help="links that answer 404 (default: none)"
    )
    parser.add_argument("--workers", default="1,2,4", help="worker counts, one round each (default 1,2,4)")
    parser.add_argument("--max-concurrency", type=int, default=64, help="each worker's global cap")
    parser.add_argument("--host-concurrency", type=int, default=2)
    parser.add_argument(
        "--postgres", default=POSTGRES, help=f"an admin URL to create databases (default {POSTGRES})"
    )
    parser.add_argument("--redis", default=REDIS, help=f"the queue's Redis (default {REDIS})")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between GETs of the run")
    parser.add_argument("--run-timeout", type=float, default=3600.0, help="give up on a run after this")
    parser.add_argument(
        "--max-load",
        type=float,
        help="before each round, wait (up to 15 min) for the 1-minute load below this",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    options = parser.parse_args()
    counts = [int(part) for part in options.workers.split(",") if part.strip()]

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGTERM and SIGINT unwind as Ctrl-C does, so the finally blocks stop every child and drop
    # every database; SIGINT too, as a shell starting us in the background leaves it ignored.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    compile_package()
    os.environ["CI"] = "true"
    work = Path(tempfile.mkdtemp(prefix="verifier-fleet-bench-"))
    children: list[subprocess.Popen[Any]] = []
    rounds: list[Round] = []
    try:
        web, port, control = start_web(options.hosts, options.latency, options.host_concurrency)
        children.append(web)
        docs = work / "docs"
        missing_every = round(100 / options.missing_percent) if options.missing_percent > 0 else 0
        missing = write_corpus(docs, options.links, options.hosts, options.files, port, missing_every)
        expected = {"live": options.links - missing, "dead": missing}
        print(
            f"corpus: {options.links:,} unique links on {options.hosts:,} hosts"
            f" ({options.links / options.hosts:.0f} a host) in {options.files} Markdown files,"
            f" {options.latency * 1000:.0f} ms per answer, {missing} answer 404;"
            f" each worker {options.max_concurrency} at once, {options.host_concurrency} a host",
            flush=True,
        )
        for workers in counts:
            print(f"round: {workers} worker(s) ...", flush=True)
            result = one_round(workers, docs, work, options, web, control, expected, children)
            result.speed_up = rounds[0].wall / result.wall if rounds else 1.0
            rounds.append(result)
            print_round(result, options)
    except KeyboardInterrupt:
        print("interrupted: stopping every process, dropping the database", file=sys.stderr)
        return 130
    finally:
        stop(children, signal.SIGTERM)
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    if not rounds:
        return 1

    flags = settings_flags("STORE", "QUEUE", options.max_concurrency, options.host_concurrency)
    print(f"\nsettings, serve and every worker: {' '.join(flags)}")
    header = (
        f"{'workers':>7} {'wall s':>8} {'floor s':>7} {'links/s':>8} {'speed-up':>8} {'peak RSS MB':>16}"
        f" {'worker CPU s':>18} {'serve CPU s':>11} {'web CPU s':>9} {'PG CPU s':>8} {'peak/host':>9}"
        f" {'load':>12}"
    )
    print(header)
    for result in rounds:
        crew = result.worker_procs()
        cpu = {proc.name: proc.cpu for proc in result.processes}
        print(
            f"{result.workers:>7} {result.wall:>8.1f} {result.floor:>7.0f} {result.links_per_s:>8.0f}"
            f" {result.speed_up:>8.2f} {'/'.join(f'{p.peak_mb:.0f}' for p in crew):>16}"
            f" {'/'.join(f'{p.cpu:.0f}' for p in crew):>18} {cpu['serve']:>11.1f}"
            f" {cpu['web server']:>9.1f} {result.postgres_cpu:>8.1f} {result.server['peak_per_host']:>9}"
            f" {f'{result.loads[0]}->{result.loads[1]}':>12}"
        )
    first, last = rounds[0], rounds[-1]
    targets: dict[str, bool] = {
        "every run's summary as the corpus says": all(
            all(result.summary.get(key) == value for key, value in result.expected.items())
            for result in rounds
        ),
        "peak memory per worker under 250 MB": all(p.peak_mb < 250 for r in rounds for p in r.worker_procs()),
        "peak requests in flight per host, at the server, never above --host-concurrency": all(
            r.server["peak_per_host"] <= options.host_concurrency for r in rounds
        ),
        "no 429 merited (none sent)": all(
            r.server["arrivals_over_limit"] == 0 and r.server["sent_429"] == 0 for r in rounds
        ),
    }
    if first.workers == 1 and last.workers == 4:
        targets["at least 3x from 1 to 4 workers"] = last.speed_up >= 3.0
    for target, met in targets.items():
        print(f"  {'met' if met else 'MISSED'}: {target}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "links": options.links,
                    "hosts": options.hosts,
                    "files": options.files,
                    "latency": options.latency,
                    "max_concurrency": options.max_concurrency,
                    "host_concurrency": options.host_concurrency,
                    "cpus": os.cpu_count(),
                    "rounds": [asdict(result) for result in rounds],
                    "targets": targets,
                },
                indent=2,
            )
            + "\n"
        )
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
