"""Footnotes: [^x] markers and definitions, wiki-style \\[n\\] markers, and their integrity."""

from __future__ import annotations

import datetime as dt

from tests.unit.extract.markdown.helpers import extract
from verifier.extract.footnotes import FootnoteDefinition, FootnoteUse, check_footnotes
from verifier.model import FootnoteIssueKind, ReferenceKind


def _issues(text: str) -> list[tuple[str, str, int]]:
    return [(issue.kind.value, issue.label, issue.line) for issue in extract(text).footnote_issues]


def test_links_in_a_footnote_definition_carry_its_label_and_citation() -> None:
    text = (
        "A claim.[^src]\n\n"
        '[^src]: ["Report title"](https://news.example.com/r) *Daily News*. 3 March 2012.\n'
        "    Accessed on 5 April 2013.\n"
    )
    extraction = extract(text)
    (reference,) = extraction.references
    assert reference.footnote == "src"
    assert reference.citation is not None
    assert reference.citation.title == "Report title"
    assert reference.citation.publisher == "Daily News"
    assert reference.citation.published == dt.date(2012, 3, 3)
    assert reference.citation.accessed == dt.date(2013, 4, 5)
    assert extraction.footnote_issues == []


def test_links_outside_footnotes_have_no_footnote() -> None:
    (reference,) = extract("Body [x](https://example.com/).[^1]\n\n[^1]: Plain note.\n").references[:1]
    assert reference.footnote is None and reference.citation is None


def test_footnote_without_a_url_is_a_citation_reference() -> None:
    text = "Claim.[^1]\n\n[^1]: Smith, J. *Journal of Things* 12 (2001). Retrieved 2020-01-02.\n"
    (reference,) = extract(text).references
    assert reference.kind is ReferenceKind.CITATION
    assert reference.url == ""
    assert reference.footnote == "1"
    assert reference.line == 3
    assert reference.raw == "Smith, J. *Journal of Things* 12 (2001). Retrieved 2020-01-02."
    assert reference.citation is not None and reference.citation.publisher == "Journal of Things"
    assert reference.citation.accessed == dt.date(2020, 1, 2)


def test_missing_definition() -> None:
    assert _issues("One.[^1] Two.[^2]\n\n[^1]: Note.\n") == [("missing-definition", "2", 1)]


def test_unused_definition() -> None:
    assert _issues("One.[^1]\n\n[^1]: Note.\n[^extra]: Nobody cites me.\n") == [
        ("unused-definition", "extra", 4)
    ]


def test_empty_definition() -> None:
    assert _issues("One.[^1] Two.[^2]\n\n[^1]: Note.\n\n[^2]:\n") == [("empty-definition", "2", 5)]


def test_duplicate_definition() -> None:
    assert _issues("One.[^1]\n\n[^1]: Note.\n\n[^1]: Again.\n") == [("duplicate-definition", "1", 5)]


def test_numbering_gap() -> None:
    assert _issues("A.[^1] B.[^3]\n\n[^1]: One.\n[^3]: Three.\n") == [("numbering-gap", "2", 4)]


def test_footnote_use_lines_follow_the_marker() -> None:
    text = "Line one.\nLine two.[^late]\n\n[^late]:\n"
    assert _issues(text) == [("empty-definition", "late", 4)]
    assert _issues("Line one.\nLine two.[^gone]\n") == [("missing-definition", "gone", 2)]


def test_footnote_markers_in_code_are_not_uses() -> None:
    assert _issues("`[^1]` and\n\n    [^2]\n") == []


def test_wiki_markers_and_numbered_definition_list() -> None:
    text = (
        "Body text\\[1\\] and more\\[2\\].\n"
        'Again\\[1\\] with [a wiki link](https://wiki.example/Page "wikilink").\n\n'
        '1.  ["A title\n'
        '    here"](http://news.example.com/a) *Publisher*. 26 March 2012. Retrieved 2012-03-27\n'
        "2.  Book citation without a link, 1999.\n"
    )
    extraction = extract(text)
    wiki, first, book = extraction.references
    assert wiki.footnote is None
    assert (first.footnote, first.line) == ("1", 5)
    assert first.citation is not None
    assert first.citation.title == "A title here"
    assert first.citation.publisher == "Publisher"
    assert first.citation.published == dt.date(2012, 3, 26)
    assert first.citation.accessed == dt.date(2012, 3, 27)
    assert (book.kind, book.footnote, book.line) == (ReferenceKind.CITATION, "2", 6)
    assert extraction.footnote_issues == []


def test_wiki_empty_item_and_missing_item() -> None:
    text = "A\\[1\\] B\\[2\\] C\\[3\\]\n\n1.  [t](https://example.com/1)\n2.\n"
    issues = extract(text).footnote_issues
    assert [(i.kind, i.label, i.line) for i in issues] == [
        (FootnoteIssueKind.MISSING_DEFINITION, "3", 1),
        (FootnoteIssueKind.EMPTY_DEFINITION, "2", 4),
    ]


def test_numbered_list_before_the_markers_is_not_their_definition_list() -> None:
    text = "1. [step](https://example.com/step)\n\nText\\[1\\].\n"
    extraction = extract(text)
    assert extraction.references[0].footnote is None
    assert [i.kind for i in extraction.footnote_issues] == [FootnoteIssueKind.MISSING_DEFINITION]


def test_numbered_list_without_markers_is_an_ordinary_list() -> None:
    extraction = extract("1. [a](https://example.com/a)\n2.\n")
    assert extraction.references[0].footnote is None
    assert extraction.footnote_issues == []


def test_archive_copy_in_the_same_footnote_is_named_in_the_citation() -> None:
    text = (
        "Claim.[^1]\n\n"
        "[^1]: [Page](http://example.com/p). Archived from "
        "[the original](https://web.archive.org/web/20200102030405/http://example.com/p) on 2 January 2020.\n"
    )
    page, copy = extract(text).references
    assert copy.kind is ReferenceKind.ARCHIVE
    assert page.citation is not None
    assert page.citation.archive_url == copy.url
    assert page.citation.archive_date == dt.date(2020, 1, 2)


def test_check_footnotes_tolerates_non_ascii_digit_labels() -> None:
    issues = check_footnotes([FootnoteUse("²", 1)], [FootnoteDefinition("²", 2), FootnoteDefinition("1", 3)])
    assert [i.kind for i in issues] == [FootnoteIssueKind.UNUSED_DEFINITION]
