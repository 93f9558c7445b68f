"""``verifier report link-health.json --format html,md``: re-render a saved report, with no network use."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from verifier.config import FAIL_ON_CHOICES, parse_fail_on
from verifier.exitcodes import ExitCode
from verifier.report import github
from verifier.report.gate import decide
from verifier.report.render import FORMATS, parse_formats, render_formats
from verifier.report.validate import load_report

HELP = "render a saved link-health.json into other formats (no network use)"


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
    parser.add_argument(
        "--fail-only-new",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="fail only on links whose outcome is new since the previous run, as check does",
    )


def run(args: argparse.Namespace) -> int:
    formats = parse_formats(args.formats or ["html"])
    fail_on = parse_fail_on(args.fail_on or ["dead"])
    path: Path = args.report
    report = load_report(path)
    output_dir: Path = args.output_dir or path.parent
    # Re-rendering into the folder the report came from must not rewrite the report itself.
    if "json" in formats and (output_dir / "link-health.json").resolve() == path.resolve():
        formats.remove("json")
    fail_names = tuple(outcome.value for outcome in fail_on) or ("never",)
    try:
        written = render_formats(report, formats, output_dir, fail_on=fail_names)
    except OSError as error:
        print(f"verifier: cannot write to {output_dir}: {error.strerror or error}", file=sys.stderr)
        return ExitCode.USAGE
    for written_path in written:
        print(written_path)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github.annotations(report, fail_names):
            print(line)
    gate = decide(report, fail_on, fail_only_new=args.fail_only_new)
    if gate.message is not None:
        print(f"verifier: {gate.message}", file=sys.stderr)
    return gate.code
