"""``verifier extract PATH... --json``: the references in documents, with no network use."""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO, TextIO

from verifier._types import JSONObject
from verifier.extract import iter_documents
from verifier.extract.discover import InputFile, StandardInput, iter_input_files
from verifier.extract.parallel import Job, input_size, run_in_order, run_job
from verifier.model import Document, Format, InputProblem
from verifier.report.build import LAZY_REFERENCES, document_json
from verifier.report.json import encoded_around, row_chunks

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
    forced = Format(args.format) if args.format else None
    if args.json:
        return _run_json(args, forced)
    documents: list[Document] = []
    problems: list[InputProblem] = []
    for item in iter_documents(args.paths, fmt=forced):
        if isinstance(item, InputProblem):
            problems.append(item)
            print(f"verifier: {item}", file=sys.stderr)
        else:
            documents.append(item)
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


# One document's JSON (UTF-8 bytes, or text where orjson gave way to json), whether it has
# issues, and the problems met reading it.
# A document of many references comes as itself, to be written a chunk at a time.
Encoded = tuple[bytes | str | Document | None, bool, list[InputProblem]]


def _run_json(args: argparse.Namespace, forced: Format | None) -> int:
    """The documents as a JSON list, each encoded where it was extracted (in a worker, mostly)."""

    def plan(item: InputFile | StandardInput | InputProblem) -> Job | Encoded | None:
        if isinstance(item, InputProblem):
            return None
        if isinstance(item, StandardInput):
            try:
                data = sys.stdin.buffer.read()
            except OSError as error:
                return (
                    None,
                    False,
                    [InputProblem(item.display_path, None, f"cannot read file: {error.strerror or error}")],
                )
            return encode_job(Job(item.display_path, None, data=data, fmt=forced))
        return Job(item.display_path, item.fs_path, fmt=forced)

    output = _JsonList(sys.stdout)
    had_errors = had_issues = False
    for item, _job, outcome in run_in_order(iter_input_files(args.paths), plan, encode_job, size=input_size):
        found = [item] if isinstance(item, InputProblem) else outcome[2] if outcome is not None else []
        for problem in found:
            had_errors = had_errors or problem.severity == "error"
            print(f"verifier: {problem}", file=sys.stderr)
        if outcome is None:
            continue
        encoded, issues, _ = outcome
        if encoded is None:
            continue
        if isinstance(encoded, Document):
            output.add_pieces(_item_pieces(encoded))
        else:
            output.add(encoded)
        had_issues = had_issues or issues
    output.close()
    if args.fail_on_issues and had_issues:
        return 1
    return 1 if had_errors else 0


class _JsonList:
    """The documents written out as they come, laid out as json.dump(indent=2) lays out their list.

    Written as they come, so that the first documents' output never waits for the last to be
    read and the whole list is never held or joined. Where standard output takes
    UTF-8 with no line-ending translation, the workers' bytes go to it as they are, never
    decoded and encoded again.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buffer: BinaryIO | None = None
        self.written = False
        buffer = getattr(stream, "buffer", None)
        encoding = getattr(stream, "encoding", None)
        if buffer is not None and encoding and os.linesep == "\n" and _is_utf8(encoding):
            stream.flush()  # anything written as text before goes out first
            self.buffer = buffer

    def add(self, encoded: bytes | str) -> None:
        self.add_pieces((encoded,))

    def add_pieces(self, pieces: Iterable[bytes | str]) -> None:
        """One document given as pieces, each written as it comes."""
        self._write(b",\n" if self.written else b"[\n")
        self.written = True
        for piece in pieces:
            self._write(piece)

    def close(self) -> None:
        self._write(b"\n]\n" if self.written else b"[]\n")
        if self.buffer is not None:
            self.buffer.flush()

    def _write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            self.stream.write(data)
            if self.buffer is not None:
                self.stream.flush()  # before the next bytes go to the buffer beneath it
        elif self.buffer is not None:
            self.buffer.write(data)
        else:
            self.stream.write(data.decode("utf-8"))


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def encode_job(job: Job) -> Encoded:
    """Extract one job and encode its document as json.dumps(ensure_ascii=False, indent=2) lays it
    out as an item of a list: each line one level in. Done here, in a worker mostly, rather than
    by the process that writes every document out once all are read.
    """
    document, problems = run_job(job)
    if document is None:
        return None, False, problems
    if len(document.references) >= LAZY_REFERENCES:
        # Written a chunk of references at a time by the process that writes the output: the
        # dictionaries and the text of a 50 MB file's references, hundreds of megabytes, are
        # never held whole (and the document crosses from a worker as compact columns).
        return document, _has_issues(document), problems
    return _encode_item(document_json(document)), _has_issues(document), problems


def _item_pieces(document: Document) -> Iterator[bytes | str]:
    """``document`` as :func:`_encode_item` lays it out, its references encoded a chunk at a
    time where they stand."""
    data = document_json(document, lazy=True)
    before, after = encoded_around(data, ["references"], _encode_item)
    yield before
    yield b"[\n"
    for index, chunk in enumerate(row_chunks(data["references"])):
        if index:
            yield b",\n"
        yield _encode_rows(chunk)
    yield b"\n    ]"
    yield after


def _encode_rows(rows: list[JSONObject]) -> bytes | str:
    """``rows`` as the items of a document's references list are laid out: three levels in."""
    import orjson

    try:
        encoded = orjson.dumps(rows, option=orjson.OPT_INDENT_2)[2:-2]
        return b"    " + encoded.replace(b"\n", b"\n    ")
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(rows, ensure_ascii=False, indent=2)[2:-2]
        return "    " + text.replace("\n", "\n    ")


def _encode_item(data: JSONObject) -> bytes | str:
    """``data`` as an item of a list laid out with an indent of 2, without the list's brackets."""
    import orjson

    try:
        # orjson lays JSON out as json.dumps(ensure_ascii=False, indent=2) does, many times faster;
        # as the one item of a list, the document comes out set one level in, between "[\n" and "\n]".
        return orjson.dumps([data], option=orjson.OPT_INDENT_2)[2:-2]
    except (TypeError, orjson.JSONEncodeError):
        # What orjson refuses (a lone surrogate, an integer past 64 bits) json still writes.
        return json.dumps([data], ensure_ascii=False, indent=2)[2:-2]


def _has_issues(document: Document) -> bool:
    return bool(document.footnote_issues) or any(reference.issues for reference in document.references)
