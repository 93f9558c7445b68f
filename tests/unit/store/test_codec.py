"""The extraction cache's payload: references as columns, read back exactly, older layouts refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from verifier.model import (
    Citation,
    Document,
    Format,
    Reference,
    ReferenceIssue,
    ReferenceIssueKind,
    ReferenceKind,
    WaybackLocation,
)
from verifier.store.codec import extraction_from_json, extraction_json


def _document(references: tuple[Reference, ...]) -> Document:
    return Document("a.md", Format.MARKDOWN, "utf-8", references, digest="cd" * 32)


def _round_trip(document: Document) -> Document | None:
    payload = orjson.loads(orjson.dumps(extraction_json(document, [])))
    again, problems = extraction_from_json(payload)
    assert problems == []
    return again


def test_every_field_of_every_reference_comes_back() -> None:
    references = (
        Reference("http://a.test/x", "http://a.test/x", ReferenceKind.EXTERNAL, 1, 2, 3, 18, text=""),
        Reference(
            "http://a.test/x",
            "a.test/x",
            ReferenceKind.EXTERNAL,
            70_000,
            900,
            51_000_000,
            51_000_009,
            text="Title",
            footnote="n1",
            citation=Citation(title="T", publisher="P", accessed=dt.date(2020, 1, 2), url_status="dead"),
            wayback=WaybackLocation("http://a.test/x", "20200101000000", "id_"),
            issues=(ReferenceIssue(ReferenceIssueKind.MALFORMED_URL, "cut"),),
            alternatives=("http://a.test/xy",),
            page=4,
        ),
        Reference("", "Smith 2001", ReferenceKind.CITATION, 9, 1, 100, 110),
    )
    again = _round_trip(_document(references))
    assert again == _document(references)
    assert again is not None
    # Text "" is not None: a column is dropped only when every value is None or empty.
    assert again.references[0].text == ""
    # One string object per URL, as extraction itself shares them.
    assert again.references[0].url is again.references[1].url
    assert again.references[0].raw is again.references[0].url


def test_columns_nobody_uses_are_not_written() -> None:
    references = tuple(
        Reference(f"http://a.test/{n}", f"http://a.test/{n}", ReferenceKind.EXTERNAL, n, 1, n, n + 5)
        for n in range(3)
    )
    payload = extraction_json(_document(references), [])
    columns = payload["document"]["references"]  # type: ignore[index]
    assert columns["text"] is None and columns["citation"] is None and columns["page"] is None
    assert columns["raw"] == [-1, -1, -1]
    assert _round_trip(_document(references)) == _document(references)


def test_an_empty_document_round_trips() -> None:
    assert _round_trip(_document(())) == _document(())


@pytest.mark.parametrize(
    "older",
    [
        # One list per reference, as payloads were written before the columns.
        [["http://a.test/", "http://a.test/", "external", 1, 1, 0, 14, None, None, None, None, [], [], None]],
        {"layout": "columns-0", "url": []},
    ],
)
def test_a_payload_of_another_layout_is_refused_so_the_file_is_read_again(older: object) -> None:
    payload = orjson.loads(orjson.dumps(extraction_json(_document(()), [])))
    payload["document"]["references"] = older
    with pytest.raises(ValueError):
        extraction_from_json(payload)


def _payload(references: tuple[Reference, ...]) -> dict[str, Any]:
    payload: dict[str, Any] = orjson.loads(orjson.dumps(extraction_json(_document(references), [])))
    return payload


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", ["t", "u"]),  # more values than references
        ("line", None),  # a column every reference needs, left out
        ("url", [5]),  # past the end of the table of strings
        ("url", [-1]),  # would name the table's last string
        ("raw", [-2]),
        ("kind", [9]),
        ("kinds", ["no such kind"]),
        ("citation", [["title only"]]),  # a citation of too few fields
        ("wayback", [["one"]]),
        ("issues", [[["no such issue", "m"]]]),
    ],
)
def test_a_damaged_payload_is_refused_so_the_file_is_read_again(column: str, value: object) -> None:
    references = (
        Reference("http://a.test/", "http://a.test/", ReferenceKind.EXTERNAL, 1, 1, 0, 14, text="t"),
    )
    payload = _payload(references)
    payload["document"]["references"][column] = value
    with pytest.raises(ValueError):
        extraction_from_json(payload)


def test_a_damaged_payload_in_the_store_is_a_miss(tmp_path: Path) -> None:
    from verifier.store import Store

    references = (Reference("http://a.test/", "http://a.test/", ReferenceKind.EXTERNAL, 1, 1, 0, 14),)
    payload = _payload(references)
    payload["document"]["references"]["url"] = [7]
    with Store(tmp_path / "cache.sqlite") as store:
        store.extractions.put("a.md", "k", _document(references), [])
        store.flush()
        assert store.extractions.get("a.md", "k") == (_document(references), [])
        store._db.execute("UPDATE extractions SET payload = ?", (orjson.dumps(payload),))
        assert store.extractions.get("a.md", "k") is None
