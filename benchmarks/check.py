"""Benchmark ``verifier check`` against lychee on the same corpus, in the same run.

Generates Markdown documents citing ``--urls`` unique URLs spread over ``--hosts`` loopback
hosts (127.0.0.2, 127.0.0.3, ...), served by ``check_server.py`` with 50 ms latency per
answer: 85% pages that answer 200, 10% that answer 404, 5% that redirect (301) to a page.
Then runs, each as a child process measured through ``peak.py`` (wall time, user+system CPU,
and its own peak RSS, not the benchmark's carried over):

1. ``verifier check`` with an empty store (cold), 2. lychee with no cache (cold, writing its
``.lycheecache``), 3. ``verifier check`` again (warm: every result within its TTL),
4. lychee again with ``--cache`` (warm). ``--repeat`` rounds of the four (default 5), each
round from empty caches; every figure printed is the run of median wall time among its rounds.

Both tools get the same limits: at most ``--concurrency`` requests at once, at most
``--host-concurrency`` per host, no pause between requests to a host (lychee's default is
50 ms, so it is set to 0 like verifier's), and no archive lookups (``--no-archive``; lychee
only asks the archive with ``--suggest``). verifier asks HEAD first and GET only when needed,
and probes each host once for soft-404 pages; lychee sends GET. Both command lines are
printed with the figures, so the flags each tool got are on record beside its numbers.

Usage: ``python benchmarks/check.py [--urls 5000] [--hosts 100] [--postgres URL] [--json results.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from check_server import host_address  # noqa: E402

LINKS_PER_DOCUMENT = 100


@dataclass(frozen=True)
class Measure:
    name: str
    wall: float  # seconds
    cpu: float  # user + system seconds of the child and its children
    peak_mb: float  # ru_maxrss of the child
    exit_code: int

    def cpu_ms_per_link(self, links: int) -> float:
        return 1000 * self.cpu / links


def measure(name: str, command: list[str], cwd: Path, log: Path) -> Measure:
    """Run ``command`` through ``peak.py``, so its peak memory is its own, not this process's."""
    result = log.with_suffix(".peak.json")
    result.unlink(missing_ok=True)
    with log.open("w") as stream:
        subprocess.run(
            [sys.executable, str(HERE / "peak.py"), str(result), *command],
            cwd=cwd,
            stdout=stream,
            stderr=subprocess.STDOUT,
            check=False,
        )
    figures = json.loads(result.read_text())
    return Measure(
        name=name,
        wall=figures["wall"],
        cpu=figures["cpu"],
        peak_mb=figures["peak_kb"] / 1024,  # kilobytes on Linux
        exit_code=figures["exit_code"],
    )


def median_of(runs: list[Measure]) -> Measure:
    """The run of median wall time (each figure of one real run, not a mix of several)."""
    ordered = sorted(runs, key=lambda run: run.wall)
    return ordered[len(ordered) // 2]


def url_for(index: int, hosts: int, port: int) -> tuple[str, str]:
    """The URL of link ``index`` and what the server will answer for it."""
    host = f"{host_address(index % hosts)}:{port}"
    kind = index % 20
    if kind in (0, 1):
        return f"http://{host}/missing/{index}", "404"
    if kind == 2:
        return f"http://{host}/moved/{index}", "301"
    return f"http://{host}/ok/{index}", "200"


def write_corpus(folder: Path, urls: int, hosts: int, port: int) -> Counter[str]:
    folder.mkdir(parents=True)
    kinds: Counter[str] = Counter()
    for first in range(0, urls, LINKS_PER_DOCUMENT):
        lines = [f"# Document {first // LINKS_PER_DOCUMENT}", ""]
        for index in range(first, min(first + LINKS_PER_DOCUMENT, urls)):
            url, kind = url_for(index, hosts, port)
            kinds[kind] += 1
            lines.append(f"- [Source {index}]({url}) said something worth citing.")
        (folder / f"doc-{first // LINKS_PER_DOCUMENT:04d}.md").write_text("\n".join(lines) + "\n")
    return kinds


def start_server(hosts: int, latency: float) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "check_server.py"), "--hosts", str(hosts), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline().split()
    if len(line) != 2 or line[0] != "READY":
        server.kill()
        raise SystemExit(f"the benchmark server did not start: {line}")
    return server, int(line[1])


def verifier_command(
    docs: Path,
    work: Path,
    concurrency: int,
    host_concurrency: int,
    workers: int | None = None,
    store: str | None = None,
) -> list[str]:
    where = ["--store", store] if store else ["--cache-path", str(work / "cache.sqlite")]
    return [
        sys.executable,
        "-m",
        "verifier",
        "check",
        str(docs),
        "--output-dir",
        str(work / "reports"),
        *where,
        "--no-archive",
        "--no-progress",
        "--max-concurrency",
        str(concurrency),
        "--host-concurrency",
        str(host_concurrency),
        "--host-interval",
        "0",
        "--network-canaries",
        "localhost",
        *(["--workers", str(workers)] if workers is not None else []),
    ]


def fresh_database(admin: str) -> str:
    """A new, empty database on ``admin``'s server: the URL of it."""
    import uuid

    import psycopg

    name = f"verifier_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def lychee_command(docs: Path, work: Path, concurrency: int, host_concurrency: int) -> list[str]:
    lychee = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
    return [
        lychee,
        "--no-progress",
        "--cache",
        "--max-concurrency",
        str(concurrency),
        "--host-concurrency",
        str(host_concurrency),
        "--host-request-interval",
        "0ms",
        "--format",
        "json",
        "--output",
        str(work / "lychee.json"),
        *sorted(str(path) for path in docs.glob("*.md")),
    ]


def verifier_outcomes(work: Path) -> dict[str, int]:
    report = json.loads((work / "reports" / "link-health.json").read_text(encoding="utf-8"))
    summary: dict[str, int] = report["summary"]
    return summary


def verifier_requests(work: Path) -> int:
    report = json.loads((work / "reports" / "link-health.json").read_text(encoding="utf-8"))
    return int(report["run"]["requests"]["live"])


def compile_package() -> None:
    """Byte-compile the package, as installing it does: the runs then measure the tool, not the
    compiler (which runs on every start when PYTHONDONTWRITEBYTECODE is set)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "verifier")], check=True)


def lychee_outcomes(work: Path) -> dict[str, int]:
    data = json.loads((work / "lychee.json").read_text(encoding="utf-8"))
    keys = ("total", "successful", "errors", "redirects", "excludes", "timeouts", "unknown", "cached")
    return {key: data[key] for key in keys if key in data}


def main() -> int:
    parser = argparse.ArgumentParser(description="verifier check vs lychee on a local corpus")
    parser.add_argument("--urls", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--host-concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, help="verifier's --workers (default: its own default)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds of all four runs; each figure is the median"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="keep verifier's store in PostgreSQL: a database made on this server (e.g."
        " postgresql://postgres@127.0.0.1:5432/postgres) for each round, dropped after it",
    )
    options = parser.parse_args()

    compile_package()
    work = Path(tempfile.mkdtemp(prefix="verifier-bench-"))
    server, port = start_server(options.hosts, options.latency)
    try:
        docs = work / "docs"
        kinds = write_corpus(docs, options.urls, options.hosts, port)
        ours, theirs = work / "verifier", work / "lychee"
        ours.mkdir()
        theirs.mkdir()
        env_note = {"CI": "true"}
        os.environ.update(env_note)
        theirs_cmd = lychee_command(docs, theirs, options.concurrency, options.host_concurrency)
        rounds: list[list[Measure]] = []
        for _ in range(max(1, options.repeat)):
            # Every round starts cold: no store, no extraction cache, no lychee cache.
            for folder in (ours, theirs):
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
            store = fresh_database(options.postgres) if options.postgres else None
            ours_cmd = verifier_command(
                docs, ours, options.concurrency, options.host_concurrency, options.workers, store
            )
            runs = [measure("verifier cold", ours_cmd, ours, work / "verifier-cold.log")]
            cold_outcomes = verifier_outcomes(ours)
            cold_requests = verifier_requests(ours)
            runs.append(measure("lychee cold", theirs_cmd, theirs, work / "lychee-cold.log"))
            lychee_cold = lychee_outcomes(theirs)
            runs.append(measure("verifier warm", ours_cmd, ours, work / "verifier-warm.log"))
            warm_outcomes = verifier_outcomes(ours)
            runs.append(measure("lychee warm", theirs_cmd, theirs, work / "lychee-warm.log"))
            lychee_warm = lychee_outcomes(theirs)
            rounds.append(runs)
            if store is not None and options.postgres:
                drop_database(options.postgres, store)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    links = options.urls
    print(
        f"corpus: {links} unique URLs over {options.hosts} hosts, {options.latency * 1000:.0f} ms per answer"
        f" ({dict(kinds)}); concurrency {options.concurrency}, {options.host_concurrency} per host"
    )
    ours_cmd = verifier_command(
        docs, ours, options.concurrency, options.host_concurrency, options.workers, options.postgres
    )
    for name, command in (("verifier", ours_cmd), ("lychee", theirs_cmd)):
        flags = [part for part in command[1:] if part.startswith("-") or not part.startswith(str(work))]
        print(f"{name} flags: {' '.join(flags)}")
    runs = [median_of([round_[kind] for round_ in rounds]) for kind in range(4)]
    walls = [[round(run.wall, 2) for run in round_] for round_ in rounds]
    print(f"each figure: the median of {len(rounds)} rounds (wall times per round: {walls})")
    print(f"{'run':<15} {'wall s':>8} {'CPU s':>8} {'CPU ms/link':>12} {'peak MB':>8} {'exit':>5}")
    for run in runs:
        print(
            f"{run.name:<15} {run.wall:>8.2f} {run.cpu:>8.2f} {run.cpu_ms_per_link(links):>12.3f}"
            f" {run.peak_mb:>8.1f} {run.exit_code:>5}"
        )
    cold, lychee, warm = runs[0], runs[1], runs[2]
    # lychee asks each URL once (GET) and once more per redirect hop.
    lychee_requests = lychee_cold.get("total", 0) + lychee_cold.get("redirects", 0)
    for name, requests in (("verifier", cold_requests), ("lychee", lychee_requests)):
        floor = requests * options.latency / options.concurrency
        print(f"{name} requests: {requests}, {floor:.2f} s of latency alone at {options.concurrency} at once")
    targets = {
        "wall time <= lychee's": cold.wall <= lychee.wall,
        "<= 2 ms CPU per link": cold.cpu_ms_per_link(links) <= 2.0,
        "peak memory < 200 MB": max(cold.peak_mb, warm.peak_mb) < 200,
        "warm re-run < 5% of cold": warm.wall < 0.05 * cold.wall,
    }
    print(f"verifier outcomes cold: {cold_outcomes}; warm: {warm_outcomes}")
    print(f"lychee outcomes cold: {lychee_cold}; warm: {lychee_warm}")
    for target, met in targets.items():
        print(f"  {'met' if met else 'MISSED'}: {target}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "urls": links,
                    "hosts": options.hosts,
                    "latency": options.latency,
                    "concurrency": options.concurrency,
                    "host_concurrency": options.host_concurrency,
                    "runs": [asdict(run) for run in runs],
                    "rounds": [[asdict(run) for run in round_] for round_ in rounds],
                    "verifier_outcomes": {"cold": cold_outcomes, "warm": warm_outcomes},
                    "lychee_outcomes": {"cold": lychee_cold, "warm": lychee_warm},
                    "requests": {"verifier": cold_requests, "lychee": lychee_requests},
                    "targets": targets,
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
