"""Files with classic Mac line endings (a lone carriage return): lines and columns in every format."""

from __future__ import annotations

import pytest

from verifier.extract import extract_bytes
from verifier.model import Document, Format

MARKDOWN = "# Title\n\nIntro http://a.test/x here.\n\nSee [b](http://b.test/) and[^1].\n\n[^1]: Note http://c.test/\n"
TEXT = (
    "Body text①\nand more http://a.test/x\n"
    + " " * 40
    + "\n① http://www.example.com/2010/04/\n14/world/a.html.\n"
)
HTML = '<html><body>\n<p>One</p>\n<p><a href="http://a.test/x">a</a>\n<img src="http://b.test/i.png"></p>\n</body></html>\n'
WIKITEXT = "'''Title''' text.\n== Section ==\nSee [http://a.test/x A].<ref>{{cite web|url=http://b.test/|title=B}}</ref>\n{{reflist}}\n"


def places(document: Document) -> list[tuple[str, int, int]]:
    return [(r.url, r.line, r.column) for r in document.references]


def read(text: str, fmt: Format | None) -> Document:
    document, problems = extract_bytes(text.encode("utf-8"), "doc", fmt=fmt)
    assert document is not None, problems
    for reference in document.references:
        assert text[reference.start : reference.end] == reference.raw
    return document


@pytest.mark.parametrize(
    ("text", "fmt"),
    [(MARKDOWN, Format.MARKDOWN), (TEXT, Format.TEXT), (HTML, Format.HTML), (WIKITEXT, Format.WIKITEXT)],
    ids=["markdown", "text", "html", "wikitext"],
)
@pytest.mark.parametrize("ending", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_positions_match_those_of_the_same_file_with_line_feeds(text: str, fmt: Format, ending: str) -> None:
    expected = read(text, fmt)
    converted = read(text.replace("\n", ending), fmt)
    assert places(converted) == places(expected)
    assert [(i.kind, i.label, i.line) for i in converted.footnote_issues] == [
        (i.kind, i.label, i.line) for i in expected.footnote_issues
    ]
    assert expected.references


@pytest.mark.parametrize(
    ("text", "fmt"),
    [(MARKDOWN, Format.MARKDOWN), (TEXT, Format.TEXT), (HTML, Format.HTML), (WIKITEXT, Format.WIKITEXT)],
    ids=["markdown", "text", "html", "wikitext"],
)
def test_the_format_is_told_with_lone_carriage_returns_too(text: str, fmt: Format) -> None:
    assert read(text.replace("\n", "\r"), None).format is fmt


def test_a_wrapped_url_keeps_its_carriage_return_in_raw() -> None:
    text = TEXT.replace("\n", "\r")
    document = read(text, Format.TEXT)
    wrapped = [r for r in document.references if r.url == "http://www.example.com/2010/04/14/world/a.html"]
    assert [r.raw for r in wrapped] == ["http://www.example.com/2010/04/\r14/world/a.html"]


def test_mixed_line_endings_count_each_break_once() -> None:
    text = "a\rb\r\nc\nd http://a.test/\r"
    (reference,) = read(text, Format.TEXT).references
    assert (reference.line, reference.column) == (4, 3)
