"""The front door with stand-in extractors: reading, decoding, sniffing, dispatch and failures.

The stand-ins record what they were given, so these tests pin the front door's own behaviour
whatever the real extractors do; tests/cli_extract runs the real ones end to end.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.extract.input import samples
from verifier._exceptions import InputError
from verifier.extract import Extractor, ExtractorTable, extract_bytes, extract_file, iter_documents
from verifier.extract.base import Extraction, Source
from verifier.model import Document, Format, InputProblem, Reference, ReferenceKind

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


class Recorder:
    """Stands in for every format's extractor: one reference per line holding "http"."""

    def __init__(self) -> None:
        self.seen: list[tuple[Format, Source]] = []

    def table(self) -> ExtractorTable:
        return {fmt: self._for(fmt) for fmt in Format}

    def _for(self, fmt: Format) -> Extractor:
        def extract(source: Source) -> Extraction:
            self.seen.append((fmt, source))
            if "RAISE-VALUE-ERROR" in source.text:
                raise ValueError("unbalanced bracket")
            if "RAISE-SYNTAX-ERROR" in source.text:
                raise SyntaxError("bad nesting", (source.path, 4, 2, "<<", 4, 3))
            if "RAISE-INPUT-ERROR" in source.text:
                raise InputError(source.path, "unterminated template", line=7)
            extraction = Extraction()
            for number, line in enumerate(source.text.splitlines(), start=1):
                column = line.find("http")
                if column != -1:
                    raw = line[column:].split()[0]
                    extraction.references.append(
                        Reference(raw, raw, ReferenceKind.EXTERNAL, number, column + 1, 0, len(raw))
                    )
            if "PROBLEM" in source.text:
                extraction.problems.append(InputProblem(source.path, 2, "odd construct", severity="warning"))
            return extraction

        return extract


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(previous)


def test_a_file_becomes_a_document_with_its_path_format_encoding_and_digest(
    tmp_path: Path, recorder: Recorder
) -> None:
    data = samples.MARKDOWN_README.encode("utf-8")
    path = tmp_path / "README.txt"
    path.write_bytes(data)
    document, problems = extract_file(path, "docs/README.txt", extractors=recorder.table())
    assert problems == []
    assert document is not None
    assert (document.path, document.format, document.encoding) == (
        "docs/README.txt",
        Format.MARKDOWN,
        "utf-8",
    )
    assert document.digest == hashlib.sha256(data).hexdigest()
    assert [r.url for r in document.references] == [
        "https://example.org/docs)",
        "https://github.com/example/verifier/issues)",
    ]
    fmt, source = recorder.seen[0]
    assert (fmt, source.path, source.fs_path, source.text) == (
        Format.MARKDOWN,
        "docs/README.txt",
        path,
        samples.MARKDOWN_README,
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("page.md", samples.HTML_PAGE, Format.HTML),
        ("notes.html", samples.MARKDOWN_FOOTNOTES, Format.MARKDOWN),
        ("article.txt", samples.WIKITEXT, Format.WIKITEXT),
        ("paper.md", samples.PDF_TEXT, Format.TEXT),
        ("no-extension", samples.MARKDOWN_REFERENCE_STYLE, Format.MARKDOWN),
    ],
)
def test_the_extractor_is_chosen_by_content_not_by_name(
    tmp_path: Path, recorder: Recorder, name: str, content: str, expected: Format
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    document, _ = extract_file(tmp_path / name, name, extractors=recorder.table())
    assert document is not None and document.format is expected
    assert [fmt for fmt, _ in recorder.seen] == [expected]


def test_the_text_reaches_the_extractor_decoded_without_its_byte_order_mark(recorder: Recorder) -> None:
    text = "Überblick: http://example.de/größe\r\nZweite Zeile\r\n"
    document, problems = extract_bytes(
        b"\xff\xfe" + text.encode("utf-16-le"), "de.txt", extractors=recorder.table()
    )
    assert problems == []
    assert document is not None and document.encoding == "utf-16"
    assert recorder.seen[0][1].text == text


def test_an_extractor_that_raises_becomes_a_problem_naming_the_file(recorder: Recorder) -> None:
    document, problems = extract_bytes(b"text RAISE-VALUE-ERROR\n", "bad.txt", extractors=recorder.table())
    assert document is None
    assert problems == [
        InputProblem(
            "bad.txt", None, "the text extractor failed (ValueError: unbalanced bracket); file skipped"
        )
    ]


def test_an_input_error_from_an_extractor_keeps_its_line(recorder: Recorder) -> None:
    document, problems = extract_bytes(b"text RAISE-INPUT-ERROR\n", "bad.txt", extractors=recorder.table())
    assert document is None
    assert problems == [InputProblem("bad.txt", 7, "unterminated template")]
    assert str(problems[0]) == "bad.txt:7: error: unterminated template"


def test_a_parser_error_that_knows_its_line_keeps_it(recorder: Recorder) -> None:
    document, problems = extract_bytes(b"RAISE-SYNTAX-ERROR\n", "bad.txt", extractors=recorder.table())
    assert document is None
    assert [(p.path, p.line, p.severity) for p in problems] == [("bad.txt", 4, "error")]
    assert problems[0].message.startswith("the text extractor failed (SyntaxError: bad nesting")


def test_problems_an_extractor_returns_are_passed_on_with_the_document(recorder: Recorder) -> None:
    document, problems = extract_bytes(
        b"a PROBLEM here\nhttp://x.org/\n", "p.txt", extractors=recorder.table()
    )
    assert document is not None and len(document.references) == 1
    assert problems == [InputProblem("p.txt", 2, "odd construct", severity="warning")]


def test_a_binary_file_is_skipped_with_a_warning(tmp_path: Path, recorder: Recorder) -> None:
    (tmp_path / "logo.md").write_bytes(PNG)
    document, problems = extract_file(tmp_path / "logo.md", "logo.md", extractors=recorder.table())
    assert document is None
    assert problems == [InputProblem("logo.md", None, "binary file (PNG image), skipped", severity="warning")]
    assert recorder.seen == []


def test_an_empty_file_is_a_document_without_references_and_a_warning(
    tmp_path: Path, recorder: Recorder
) -> None:
    (tmp_path / "empty.md").write_bytes(b"")
    document, problems = extract_file(tmp_path / "empty.md", "empty.md", extractors=recorder.table())
    assert document is not None
    assert (document.format, document.references, document.digest) == (
        Format.TEXT,
        (),
        hashlib.sha256(b"").hexdigest(),
    )
    assert problems == [InputProblem("empty.md", None, "empty document, no references", severity="warning")]


def test_undecodable_bytes_are_replaced_with_a_warning_on_their_line(recorder: Recorder) -> None:
    data = ("第一行，中文内容。" * 10 + "\n").encode() * 2 + b"third \xff line http://example.org/\n"
    document, problems = extract_bytes(data, "mixed.txt", extractors=recorder.table())
    assert document is not None and [r.url for r in document.references] == ["http://example.org/"]
    assert problems == [
        InputProblem(
            "mixed.txt",
            3,
            "1 byte sequence could not be decoded as utf-8 and were replaced with U+FFFD",
            severity="warning",
        )
    ]


def test_an_unreadable_file_is_a_problem(tmp_path: Path, recorder: Recorder) -> None:
    document, problems = extract_file(tmp_path, "somewhere", extractors=recorder.table())
    assert document is None
    assert problems == [InputProblem("somewhere", None, "cannot read file: Is a directory")]


def test_one_bad_file_among_good_ones_does_not_stop_the_run(in_tmp: Path, recorder: Recorder) -> None:
    docs = in_tmp / "docs"
    docs.mkdir()
    (docs / "1-good.md").write_text(samples.MARKDOWN_FOOTNOTES, encoding="utf-8")
    (docs / "2-image.md").write_bytes(PNG)
    (docs / "3-crash.txt").write_text("RAISE-VALUE-ERROR\n", encoding="utf-8")
    (docs / "4-big5.txt").write_bytes("參考來源 http://example.tw/ 國家\n".encode("big5"))
    (docs / "5-good.html").write_text(samples.HTML_PAGE, encoding="utf-8")
    items = list(iter_documents(["docs", "missing.md"], extractors=recorder.table()))
    documents = [item for item in items if isinstance(item, Document)]
    problems = [item for item in items if isinstance(item, InputProblem)]
    assert [(d.path, d.format, d.encoding) for d in documents] == [
        ("docs/1-good.md", Format.MARKDOWN, "utf-8"),
        ("docs/4-big5.txt", Format.TEXT, "big5hkscs"),
        ("docs/5-good.html", Format.HTML, "utf-8"),
    ]
    assert [(p.path, p.severity) for p in problems] == [
        ("docs/2-image.md", "warning"),
        ("docs/3-crash.txt", "error"),
        ("missing.md", "error"),
    ]
    assert problems[2].message == "no such file or directory"


def test_standard_input_is_read_when_the_path_is_a_dash() -> None:
    program = (
        "import sys\n"
        "from verifier.extract import iter_documents\n"
        "for item in iter_documents(['-']):\n"
        "    print(type(item).__name__, item.path, getattr(item, 'encoding', ''))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        input="ﾃｽﾄ http://example.jp/\n".encode("cp932"),
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert io.TextIOWrapper(io.BytesIO(completed.stdout)).read().split()[:2] == ["Document", "<stdin>"]
