"""``verifier extract PATH... --json``: the references in documents, with no network use."""

from __future__ import annotations

import argparse
import json
import sys

from verifier.extract import iter_documents
from verifier.model import Document, Format, InputProblem
from verifier.report.build import document_json

HELP = "list every reference, link and footnote issue in documents (no network use)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files, directories (recursive), globs, or - for standard input",
    )
    parser.add_argument("--json", action="store_true", help="print the documents part of the JSON report")
    parser.add_argument(
        "--as",
        dest="format",
        choices=[fmt.value for fmt in Format],
        help="read every document in this format instead of telling each one's format by its content",
    )
    parser.add_argument(
        "--fail-on-issues",
        action="store_true",
        help="exit 1 when a footnote or reference issue is found (for pre-commit hooks and CI)",
    )


def run(args: argparse.Namespace) -> int:
    documents: list[Document] = []
    problems: list[InputProblem] = []
    forced = Format(args.format) if args.format else None
    for item in iter_documents(args.paths, fmt=forced):
        if isinstance(item, InputProblem):
            problems.append(item)
            print(f"verifier: {item}", file=sys.stderr)
        else:
            documents.append(item)
    if args.json:
        json.dump([document_json(d) for d in documents], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for document in documents:
            print(f"{document.path} ({document.format.value}, {len(document.references)} references)")
            for reference in document.references:
                label = f" [{reference.footnote}]" if reference.footnote else ""
                # A citation without a URL can span lines; one line per reference keeps the listing greppable.
                shown = reference.url or " ".join(reference.raw.split())
                print(f"  {reference.line}:{reference.column}{label} {reference.kind.value} {shown}")
                for reference_issue in reference.issues:
                    print(f"    {reference_issue.kind.value}: {reference_issue.message}")
            for issue in document.footnote_issues:
                print(f"  {issue.line}: {issue.kind.value} [{issue.label}] {issue.message}")
    # A path that names nothing or a file that could not be read must not pass silently in CI.
    had_errors = any(problem.severity == "error" for problem in problems)
    if args.fail_on_issues and any(_has_issues(document) for document in documents):
        return 1
    return 1 if had_errors else 0


def _has_issues(document: Document) -> bool:
    return bool(document.footnote_issues) or any(reference.issues for reference in document.references)
