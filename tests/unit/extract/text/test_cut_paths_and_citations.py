"""PDF text: URLs a space cut inside their path, what a footnote says of its source, notes
at the foot of a page with no separator line."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.extract.base import Extraction, Source
from verifier.extract.text import extract_page_text, extract_text
from verifier.model import Citation, ReferenceKind

SEPARATOR = " " * 40


def extract(text: str) -> Extraction:
    extraction = extract_text(Source(text=text, path="doc.txt"))
    for reference in extraction.references:
        assert text[reference.start : reference.end] == reference.raw
    return extraction


def links(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.url, r.alternatives) for r in extract(text).references if r.kind is not ReferenceKind.CITATION]


# --- a space inside a path --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "See http://example.org/some/lo ng/path for it.\n",
            [("http://example.org/some/lo", ("http://example.org/some/long/path",))],
        ),
        # A web file name is evidence enough; the joined form is checked in normal form.
        (
            "See www.example.org/reports/an nual.html.\n",
            [("http://www.example.org/reports/an", ("http://www.example.org/reports/annual.html",))],
        ),
        # Two cuts in one path.
        (
            "http://example.org/a/b c/d e/f.pdf\n",
            [("http://example.org/a/b", ("http://example.org/a/bc/de/f.pdf",))],
        ),
    ],
)
def test_a_path_cut_by_a_space_gets_its_joined_form_as_an_alternative(
    text: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert links(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Prose after the URL: a word with no slash, query or file name.
        "See http://example.org/some/path for the details.\n",
        "See http://example.org/2012/report 2012 edition.\n",
        # An address of its own after the space: a host, a scheme, "www.".
        "Mirrors: http://example.org/a/ example.net/a/ and more.\n",
        "Mirrors: http://example.org/a/ www.example.net/a/\n",
        # A whole file name is not continued.
        "http://example.org/rfc2396.txt notes/more.html\n",
        # Punctuation ends the URL before the space.
        "See http://example.org/a/b, c/d.html\n",
    ],
)
def test_no_alternative_without_evidence_of_a_cut(text: str) -> None:
    assert all(alternatives == () for _, alternatives in links(text))


def test_a_host_cut_by_a_space_stays_malformed_with_no_alternative() -> None:
    (reference,) = extract("See http://www.exa mple.com/page for the details.\n").references
    assert reference.issues and reference.alternatives == ()


def test_a_url_wrapped_at_a_line_break_is_joined_not_offered_as_an_alternative() -> None:
    assert links("See http://example.org/2010/04/\n14/world/x.html here.\n") == [
        ("http://example.org/2010/04/14/world/x.html", ())
    ]


def test_the_next_line_is_never_an_alternative() -> None:
    # A space at the end of a line is followed by the next line, which the wrap rules judge.
    assert links("See http://example.org/a/ \n\nb/c.html is next\n") == [("http://example.org/a/", ())]


# --- what a footnote says of its source ---------------------------------------------------


def page(body: str, *notes: str) -> str:
    return body + "\n" + SEPARATOR + "\n" + "\n".join(notes) + "\n"


def test_title_publisher_and_date_of_an_english_note_and_a_short_link_text() -> None:
    text = page(
        "Body①\n",
        '① Jane Doe, "Seoul Summit Report," Nuclear Policy Review, 12 March 2012, https://example.org/r',
    )
    (reference,) = extract(text).references
    assert reference.url == "https://example.org/r"
    assert reference.citation == Citation(
        title="Seoul Summit Report", publisher="Nuclear Policy Review", published=dt.date(2012, 3, 12)
    )
    assert reference.text == "Seoul Summit Report"


def test_curly_quotes_and_an_access_date() -> None:
    text = page(
        "Body①\n",
        "① “Summit Ends,” The Daily Paper, 14 April 2010, http://example.org/s. Retrieved 2 May 2012.",
    )
    (reference,) = extract(text).references
    citation = reference.citation
    assert citation is not None
    assert (citation.title, citation.publisher) == ("Summit Ends", "The Daily Paper")
    assert (citation.published, citation.accessed) == (dt.date(2010, 4, 14), dt.date(2012, 5, 2))


def test_the_journal_a_chinese_note_appeared_in_is_its_publisher() -> None:
    text = page(
        "正文①②\n", "① 张三：《论文题目》，载《期刊名》，2012年第 3期。", "② 《报告》，http://example.org/x。"
    )
    first, second = extract(text).references
    assert first.citation is not None and (first.citation.title, first.citation.publisher) == (
        "论文题目",
        "期刊名",
    )
    assert second.citation is not None and second.citation.publisher is None
    assert second.text == "报告"


@pytest.mark.parametrize(
    "note",
    [
        '① "A Title", http://example.org/a.html.',  # a URL follows the title
        '① "A Title," 12 March 2012, http://example.org/a.html.',  # a date follows it
        "① 《题名》，转引自李四：《另一本书》，http://example.org/a.html。",  # "cited in"
        '① "A Title," pp. 3-4, http://example.org/a.html.',  # pages
    ],
)
def test_no_publisher_where_the_part_after_the_title_is_something_else(note: str) -> None:
    (reference,) = extract(page("Body①\n", note)).references
    assert reference.citation is not None and reference.citation.publisher is None


def test_a_note_that_is_only_a_url_gives_no_link_text() -> None:
    (reference,) = extract(page("Body①\n", "① http://example.org/only.html.")).references
    assert reference.text is None and reference.citation is None


def test_a_note_without_a_title_gives_its_words_shortened() -> None:
    words = " ".join(["word"] * 60)
    (reference,) = extract(page("Body①\n", f"① Agency: {words}, http://example.org/x.html.")).references
    assert reference.text is not None
    assert reference.text.startswith("Agency: word") and reference.text.endswith("…")
    assert len(reference.text) <= 161 and "http" not in reference.text


# --- one page of a PDF ------------------------------------------------------------------


def test_notes_at_the_foot_of_a_page_need_no_separator_line() -> None:
    text = "Body cites one [1] and two [2].\n[1] First note, http://example.org/1\n[2] Second note.\n12\n"
    extraction = extract_page_text(Source(text=text, path="a.pdf"), 3)
    assert extraction.footnote_issues == []
    assert [(r.footnote, r.page, r.url) for r in extraction.references] == [
        ("1", 3, "http://example.org/1"),
        ("2", 3, ""),
    ]


def test_a_marker_alone_on_its_line_is_the_body_s_not_a_note_block() -> None:
    text = "Body sentence.\n①\nmore body text that goes on\nand on.\n"
    extraction = extract_page_text(Source(text=text, path="a.pdf"), 1)
    assert [issue.kind.value for issue in extraction.footnote_issues] == []
    assert extraction.references == []


def test_issues_on_a_pdf_page_name_the_page() -> None:
    text = "Body [1] and [3].\n[1] A note.\n[3] Another.\n"
    extraction = extract_page_text(Source(text=text, path="a.pdf"), 2)
    messages = [issue.message for issue in extraction.footnote_issues]
    assert messages and all("on page 2" in message for message in messages)
