"""Inline footnotes ``^[…]``: their links belong to the note, and they raise no false issues."""

from __future__ import annotations

from tests.unit.extract.markdown.helpers import extract
from verifier.model import FootnoteIssueKind, ReferenceKind


def test_links_in_an_inline_footnote_carry_its_label() -> None:
    text = (
        "A claim.^[See [the report](http://a.test/report) and http://b.test/data.] More text.\n"
        "\n"
        "Another.^[Only <http://c.test/> here.]\n"
    )
    found = extract(text)
    assert [(r.url, r.footnote, r.line) for r in found.references] == [
        ("http://a.test/report", "inline 1", 1),
        ("http://b.test/data", "inline 1", 1),
        ("http://c.test/", "inline 2", 3),
    ]
    assert found.footnote_issues == []
    assert found.references[0].text == "the report"


def test_inline_and_labelled_footnotes_together() -> None:
    text = "First[^1] then inline^[Inline http://i.test/.] and again[^1].\n\n[^1]: Labelled http://l.test/\n"
    found = extract(text)
    assert [(r.url, r.footnote) for r in found.references] == [
        ("http://i.test/", "inline 1"),
        ("http://l.test/", "1"),
    ]
    assert found.footnote_issues == []


def test_an_inline_footnote_without_a_link_is_a_citation() -> None:
    found = extract("Claim.^[Smith, *Nuclear Matters*, 2010, p. 4.]\n")
    (reference,) = found.references
    assert (reference.kind, reference.footnote) == (ReferenceKind.CITATION, "inline 1")
    assert reference.raw == "Smith, *Nuclear Matters*, 2010, p. 4."
    assert found.footnote_issues == []


def test_inline_footnotes_in_lists_quotes_and_footnote_definitions() -> None:
    text = (
        "- item^[http://list.test/]\n"
        "\n"
        "> quoted^[http://quote.test/]\n"
        "\n"
        "Body[^n].\n"
        "\n"
        "[^n]: A note with its own inline note^[http://nested.test/].\n"
    )
    found = extract(text)
    assert [(r.url, r.footnote) for r in found.references] == [
        ("http://list.test/", "inline 1"),
        ("http://quote.test/", "inline 2"),
        ("", "n"),  # the outer note's own text names no URL
        ("http://nested.test/", "inline 3"),
    ]
    assert found.footnote_issues == []


def test_a_caret_before_a_link_makes_an_inline_footnote_as_markdown_it_reads_it() -> None:
    found = extract("Odd ^[x](http://paren.test/) here.\n")
    assert [(r.url, r.footnote) for r in found.references] == [
        ("", "inline 1"),
        ("http://paren.test/", None),
    ]


def test_an_empty_inline_footnote_is_reported_empty() -> None:
    found = extract("Empty ^[] note.\n")
    assert [(i.kind, i.label) for i in found.footnote_issues] == [
        (FootnoteIssueKind.EMPTY_DEFINITION, "inline 1")
    ]


def test_an_escaped_caret_is_no_footnote() -> None:
    found = extract("Not a note \\^[http://plain.test/] here.\n")
    assert [(r.url, r.footnote) for r in found.references] == [("http://plain.test/", None)]
    assert found.footnote_issues == []
