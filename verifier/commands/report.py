"""``verifier report link-health.json --format html,md``: re-render a saved report, with no network use."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from verifier.report import github
from verifier.report.render import FORMATS, parse_fail_on, parse_formats, render_formats
from verifier.report.rows import FAIL_ON_CHOICES, failing, network_was_down
from verifier.report.validate import ReportFileError, load_report

HELP = "render a saved link-health.json into other formats (no network use)"

EXIT_OK = 0
EXIT_FAILING = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "report", metavar="REPORT", type=Path, help="a link-health.json written by `verifier check`"
    )
    parser.add_argument(
        "--format",
        dest="formats",
        action="append",
        metavar="LIST",
        help=f"comma-separated formats to write: {', '.join(FORMATS)} (default: html)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="where to write link-health.<ext> (default: the report's own folder)",
    )
    parser.add_argument(
        "--fail-on",
        dest="fail_on",
        action="append",
        metavar="LIST",
        help=f"outcomes that fail the run: {', '.join(FAIL_ON_CHOICES)} (default: dead)",
    )


def run(args: argparse.Namespace) -> int:
    formats = parse_formats(args.formats or ["html"])
    fail_on = parse_fail_on(args.fail_on or ["dead"])
    path: Path = args.report
    try:
        report = load_report(path)
    except ReportFileError as error:
        print(f"verifier: {error}", file=sys.stderr)
        return EXIT_USAGE
    output_dir: Path = args.output_dir or path.parent
    # Re-rendering into the folder the report came from must not rewrite the report itself.
    if "json" in formats and (output_dir / "link-health.json").resolve() == path.resolve():
        formats.remove("json")
    try:
        written = render_formats(report, formats, output_dir, fail_on=fail_on)
    except OSError as error:
        print(f"verifier: cannot write to {output_dir}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    for written_path in written:
        print(written_path)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github.annotations(report, fail_on):
            print(line)
    return _exit_code(report, fail_on)


def _exit_code(report: dict[str, Any], fail_on: Sequence[str]) -> int:
    """As ``verifier check`` would have ended: findings first, then whether the run was inconclusive."""
    network_down = network_was_down(report)
    # With the network down an "unknown" says nothing about the link, so it never fails the run.
    failed = sum(
        len(link.get("occurrences", []))
        for link in report["links"]
        if failing(link["outcome"], fail_on) and not (network_down and link["outcome"] == "unknown")
    )
    if failed:
        print(f"verifier: {failed} reference(s) fail on {', '.join(fail_on)}", file=sys.stderr)
        return EXIT_FAILING
    if network_down and any(link["outcome"] == "unknown" for link in report["links"]):
        print(
            "verifier: inconclusive: the run that made this report could not reach the network",
            file=sys.stderr,
        )
        return EXIT_INCONCLUSIVE
    return EXIT_OK
