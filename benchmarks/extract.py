"""Extraction speed and memory per format, on generated documents, one core each.

    python benchmarks/extract.py                 # 5 MB of each format
    python benchmarks/extract.py --size 20 --formats markdown,pdf-text
    python benchmarks/extract.py --json          # machine-readable figures

Every measurement runs in a fresh interpreter pinned to one CPU, after a warm-up run on a
small document (imports and compiled patterns are not what is being measured). Speed is the
file's size over the wall time of ``extract_file`` (read, decode, sniff, extract); peak memory
is the process's maximum resident set size, shown also as growth over the warmed-up baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

#: MB/s each format should reach on one core.
TARGETS = {"markdown": 5.0, "pdf-text": 20.0, "plain-text": 20.0}
MB = 1_000_000


def _max_rss_bytes() -> int:
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
    parser.add_argument("--worker", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, path = args.worker
        print(json.dumps(run_worker(kind, Path(path))))
        return 0
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
