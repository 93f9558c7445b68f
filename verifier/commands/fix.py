"""``verifier fix PATH...``: give dead sources their Wayback Machine copies, in place."""

from __future__ import annotations

import argparse
import codecs
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from verifier.extract import extract_bytes
from verifier.extract.decode import Decoded, decode_document
from verifier.extract.discover import InputFile, iter_input_files
from verifier.fix import apply_edits, plan_edits, replacements_from_report
from verifier.model import Format, InputProblem

HELP = "add archive links for dead sources to the documents (Markdown, wikitext, HTML)"

EXIT_OK = 0
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories (recursive) or globs")
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("reports/link-health.json"),
        help="the link-health.json of the check to act on (default: reports/link-health.json)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace dead URLs with their archive copies instead of adding an archive link beside them",
    )
    parser.add_argument("--dry-run", action="store_true", help="print a unified diff and change nothing")


def _load_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"verifier: {path}: no such report; run `verifier check` first", file=sys.stderr)
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"verifier: {path}: not a readable link-health report: {error}", file=sys.stderr)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        print(f"verifier: {path}: not a link-health report (no documents)", file=sys.stderr)
        return None
    return data


def encode_like(text: str, decoded: Decoded, original: bytes) -> bytes:
    """``text`` in the file's own encoding, byte-order mark and byte order included."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if decoded.encoding.startswith(name[:6]) and original.startswith(bom):
            return bom + text.encode(name)
    return text.encode(decoded.encoding)


def _warn(message: str) -> None:
    print(f"verifier: {message}", file=sys.stderr)


#: Formats with no markup to hold a link to a snapshot: such files are never edited.
_NO_MARKUP = {
    Format.TEXT: "plain text has no markup to hold an archive link",
    # Its text is drawn by the page's content streams; the source it was made from is the
    # place for an archive link.
    Format.PDF: "archive links are not written into PDF files (fix the document the PDF was made from)",
}


def _fix_one(
    item: InputFile,
    documents: dict[str, dict[str, Any]],
    replacements: dict[str, Any],
    args: argparse.Namespace,
) -> int | None:
    """Fix one file: the number of edits made (or shown, with --dry-run); None when it was
    skipped, after saying why."""
    try:
        data = item.fs_path.read_bytes()
    except OSError as error:
        _warn(f"{item.display_path}: cannot read: {error.strerror}; skipped")
        return None
    document, problems = extract_bytes(data, item.display_path, item.fs_path)
    for problem in problems:
        _warn(str(problem))
    if document is None:
        return None
    checked = documents.get(document.path) or documents.get(str(item.fs_path.resolve()))
    if checked is None:
        _warn(f"{document.path}: not in the report; run `verifier check` on it first; skipped")
        return None
    if checked.get("sha256") and checked["sha256"] != document.digest:
        _warn(f"{document.path}: changed since it was checked; left alone (check it again first)")
        return None
    if document.format in _NO_MARKUP:
        if any(reference.url in replacements for reference in document.references):
            _warn(f"{document.path}: {_NO_MARKUP[document.format]}; left alone")
            return None
        return 0
    decoded = decode_document(data)
    if not isinstance(decoded, Decoded) or decoded.replaced:
        _warn(f"{document.path}: has bytes that do not decode cleanly; left alone so nothing is lost")
        return None
    edits = plan_edits(document, decoded.text, replacements, replace=args.replace)
    if not edits:
        return 0
    fixed = apply_edits(decoded.text, edits)
    if args.dry_run:
        diff = difflib.unified_diff(
            decoded.text.splitlines(keepends=True),
            fixed.splitlines(keepends=True),
            fromfile=f"a/{document.path}",
            tofile=f"b/{document.path}",
        )
        # A last line with no line break must say so, or patch and git apply reject the diff.
        sys.stdout.writelines(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
        )
    else:
        item.fs_path.write_bytes(encode_like(fixed, decoded, data))
        print(f"{document.path}: {len(edits)} archive link(s) written")
    return len(edits)


def _report_documents(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in report["documents"]:
        found[entry["path"]] = entry
        found.setdefault(str(Path(entry["path"]).resolve()), entry)
    return found


def run(args: argparse.Namespace) -> int:
    report = _load_report(args.report)
    if report is None:
        return EXIT_USAGE
    replacements = replacements_from_report(report)
    documents = _report_documents(report)
    total = 0
    skipped = 0
    for item in iter_input_files(args.paths):
        if isinstance(item, InputProblem):
            _warn(str(item))
            skipped += item.severity == "error"
        elif isinstance(item, InputFile):
            made = _fix_one(item, documents, replacements, args)
            skipped += made is None
            total += made or 0
        else:
            _warn(f"{item.display_path}: standard input cannot be written back; skipped")
            skipped += 1
    if total == 0 and skipped:
        print(f"verifier: nothing fixed; {skipped} file(s) skipped, each said why above", file=sys.stderr)
    elif total == 0:
        print("verifier: nothing to fix: no dead source with an archive copy", file=sys.stderr)
    return EXIT_OK
