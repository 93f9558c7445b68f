"""``verifier extract PATH... --json``: the references in documents, with no network use."""

from __future__ import annotations

import argparse
import json
import sys

from verifier.extract import iter_documents
from verifier.model import Document, InputProblem
from verifier.report.build import document_json

HELP = "list every reference, link and footnote issue in documents (no network use)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories (recursive) or globs")
    parser.add_argument("--json", action="store_true", help="print the documents part of the JSON report")


def run(args: argparse.Namespace) -> int:
    documents: list[Document] = []
    problems: list[InputProblem] = []
    for item in iter_documents(args.paths):
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
                shown = reference.url or reference.raw
                print(f"  {reference.line}:{reference.column}{label} {reference.kind.value} {shown}")
            for issue in document.footnote_issues:
                print(f"  {issue.line}: {issue.kind.value} [{issue.label}] {issue.message}")
    had_errors = any(problem.severity == "error" for problem in problems)
    return 1 if had_errors and not documents else 0
