"""``verifier extract --json`` lays its list out as json.dumps(indent=2) would, however it writes it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, TextIO

import pytest

from verifier import cli
from verifier.commands import extract as extract_command
from verifier.commands.extract import _encode_item, _JsonList
from verifier.extract.parallel import Job
from verifier.model import Document, Format, Reference, ReferenceKind
from verifier.report import json as json_report
from verifier.report.build import document_json

DOCUMENTS: list[dict[str, Any]] = [
    {
        "path": "a.md",
        "references": [{"url": "https://example.org/\u00e9t\u00e9", "raw": "line\nbreak", "issues": []}],
        "footnote_issues": [],
        "date": None,
    },
    {"path": "\u9996\u9875.html", "references": [], "footnote_issues": [{"label": "1", "line": 3}]},
]


def written(stream: TextIO, items: list[bytes | str]) -> None:
    output = _JsonList(stream)
    for item in items:
        output.add(item)
    output.close()


def test_an_item_is_the_document_set_one_level_in() -> None:
    for document in DOCUMENTS:
        expected = json.dumps([document], ensure_ascii=False, indent=2)[2:-2]
        assert _encode_item(document) == expected.encode("utf-8")


def test_what_orjson_refuses_is_laid_out_the_same_by_json() -> None:
    document = {"path": "odd.md", "raw": "\ud800", "line": 2**70}
    assert _encode_item(document) == json.dumps([document], ensure_ascii=False, indent=2)[2:-2]


def test_the_list_is_the_same_through_bytes_and_through_text() -> None:
    items = [_encode_item(document) for document in DOCUMENTS]
    expected = json.dumps(DOCUMENTS, ensure_ascii=False, indent=2) + "\n"

    binary = io.BytesIO()
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=True)
    written(text, items)
    text.flush()
    assert binary.getvalue().decode("utf-8") == expected

    plain = io.StringIO()  # no buffer beneath: everything goes as text
    written(plain, items)
    assert plain.getvalue() == expected

    wide = io.BytesIO()  # not UTF-8: encoded by the stream, as print would
    text = io.TextIOWrapper(wide, encoding="utf-16", newline="\n")
    written(text, items)
    text.flush()
    assert wide.getvalue().decode("utf-16") == expected


def test_text_items_among_bytes_keep_their_place() -> None:
    odd = {"path": "odd.md", "raw": "\ud800"}
    items = [_encode_item(DOCUMENTS[0]), _encode_item(odd), _encode_item(DOCUMENTS[1])]
    assert isinstance(items[1], str)
    binary = io.BytesIO()
    text = io.TextIOWrapper(binary, encoding="utf-8", errors="surrogatepass", newline="\n")
    written(text, items)
    text.flush()
    expected = json.dumps([DOCUMENTS[0], odd, DOCUMENTS[1]], ensure_ascii=False, indent=2) + "\n"
    assert binary.getvalue() == expected.encode("utf-8", "surrogatepass")


def test_no_documents_is_an_empty_list() -> None:
    plain = io.StringIO()
    written(plain, [])
    assert plain.getvalue() == "[]\n"


def _document_of_many_references(text: str) -> Document:
    references = tuple(
        Reference(
            f"http://a.test/{n}", f"http://a.test/{n}", ReferenceKind.EXTERNAL, n + 1, 1, n, n + 15, text
        )
        for n in range(7)
    )
    return Document("big.md", Format.MARKDOWN, "utf-8", references, digest="ab" * 32)


@pytest.mark.parametrize("text", ["plain", "\u00e9t\u00e9 \u9996\u9875", "lone \ud800"])
def test_a_document_of_many_references_is_written_in_pieces_as_it_would_be_whole(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _document_of_many_references(text)
    whole = _encode_item(document_json(document))
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 3)
    pieces = list(extract_command._item_pieces(document))
    assert len(pieces) > 5  # the references came in chunks, not as one text
    joined = "".join(piece.decode("utf-8") if isinstance(piece, bytes) else piece for piece in pieces)
    assert joined == (whole.decode("utf-8") if isinstance(whole, bytes) else whole)


def test_a_document_of_many_references_comes_from_its_job_as_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "a.md"
    page.write_text("".join(f"See [s{n}](http://a.test/{n}).\n\n" for n in range(9)))
    assert cli.main(["extract", str(page), "--json"]) == 0
    expected = capsys.readouterr().out
    monkeypatch.setattr(extract_command, "LAZY_REFERENCES", 1)
    monkeypatch.setattr(json_report, "CHUNK_ROWS", 2)
    encoded, _, _ = extract_command.encode_job(Job(str(page), page))
    assert isinstance(encoded, Document)
    assert cli.main(["extract", str(page), "--json"]) == 0
    assert capsys.readouterr().out == expected
