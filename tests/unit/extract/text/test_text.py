"""Plain (PDF) text: footnote pages, wrapped URLs, markers, citations, dates, large input."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from verifier.extract.base import Extraction, Source
from verifier.extract.text import extract_text
from verifier.model import FootnoteIssueKind, Reference, ReferenceIssueKind, ReferenceKind

SEPARATOR = " " * 40


def extract(text: str) -> Extraction:
    extraction = extract_text(Source(text=text, path="doc.txt"))
    for reference in extraction.references:
        assert text[reference.start : reference.end] == reference.raw
    return extraction


def urls(text: str) -> list[str]:
    return [r.url for r in extract(text).references if r.kind is not ReferenceKind.CITATION]


def issues(text: str) -> list[tuple[str, str, int]]:
    return [(i.kind.value, i.label, i.line) for i in extract(text).footnote_issues]


def page(body: str, *notes: str) -> str:
    return body + "\n" + SEPARATOR + "\n" + "\n".join(notes) + "\n"


# --- footnotes ------------------------------------------------------------------------


def test_circled_markers_and_definitions_on_one_page() -> None:
    text = page(
        "正文第一句。\n①\n第二句有注释②，还有。\n",
        "① 张三：《论文题目》，载《期刊》，2012年第 3期。",
        '② "A Title", http://example.com/a.html.',
    )
    extraction = extract(text)
    assert extraction.footnote_issues == []
    first, second = extraction.references
    assert (first.kind, first.footnote, first.url, first.line, first.column) == (
        ReferenceKind.CITATION,
        "①",
        "",
        6,
        3,
    )
    assert first.raw == "张三：《论文题目》，载《期刊》，2012年第 3期。"
    assert first.citation is not None and first.citation.title == "论文题目"
    assert (second.kind, second.footnote, second.url) == (
        ReferenceKind.EXTERNAL,
        "②",
        "http://example.com/a.html",
    )
    # The link is called by the note's title; the whole note is the citation's business.
    assert second.text == "A Title"
    assert second.citation is not None and second.citation.title == "A Title"


def test_numbering_restarts_on_every_page() -> None:
    text = page("一①二②\n", "① 甲。", "② 乙。") + page(" 三①\n", "① 丙。")
    extraction = extract(text)
    assert extraction.footnote_issues == []
    assert [(r.footnote, r.raw) for r in extraction.references] == [
        ("①", "甲。"),
        ("②", "乙。"),
        ("①", "丙。"),
    ]


def test_marker_without_definition_is_reported_on_its_page() -> None:
    text = page("一①二②\n三③\n", "① 甲。", "② 乙。") + page(" 四①\n", "① 丙。")
    extraction = extract(text)
    assert [(i.kind, i.label, i.line) for i in extraction.footnote_issues] == [
        (FootnoteIssueKind.MISSING_DEFINITION, "③", 2)
    ]
    assert "on page 1" in extraction.footnote_issues[0].message


def test_definition_without_marker_is_reported() -> None:
    text = page("一①\n", "① 甲。", "② 乙。") + page(" 二①\n", "① 丙。")
    assert issues(text) == [("unused-definition", "②", 5)]


def test_empty_duplicate_and_gap_in_definitions() -> None:
    text = page("一①二②三④\n", "① 甲。", "②", "④ 丁。", "① 又一个。")
    assert issues(text) == [
        ("empty-definition", "②", 5),
        ("numbering-gap", "3", 6),
        ("duplicate-definition", "①", 7),
    ]


def test_definition_spans_lines_and_a_blank_line() -> None:
    text = page("正文①\n", "① 作者：《很长的标题在这里", "", "断开》，载《刊物》，第 58 页。")
    (reference,) = extract(text).references
    assert reference.raw == "作者：《很长的标题在这里\n\n断开》，载《刊物》，第 58 页。"
    assert reference.text == "作者：《很长的标题在这里断开》，载《刊物》，第 58 页。"
    assert reference.citation is not None and reference.citation.title == "很长的标题在这里断开"


def test_english_definition_lines_join_with_a_space() -> None:
    text = page("Body¹\n", "¹ George Perkovich, Universal Compliance, ", "Washington D.C., 2005, p. 83.")
    (reference,) = extract(text).references
    assert reference.text == "George Perkovich, Universal Compliance, Washington D.C., 2005, p. 83."
    assert reference.footnote == "¹"


def test_indented_line_after_the_block_is_the_next_page_body() -> None:
    text = page("一①\n", "① 甲：《书》。") + " 下一页正文②不是本页的。\n"
    extraction = extract(text)
    assert [r.raw for r in extraction.references] == ["甲：《书》。"]
    assert [(i.kind.value, i.label) for i in extraction.footnote_issues] == [("missing-definition", "②")]
    assert "on page 2" in extraction.footnote_issues[0].message


def test_bracketed_markers_and_definitions() -> None:
    text = page(
        "As shown [1] and [2].\n", "[1] Smith, J. Title. http://example.com/one", "[2] Jones, K. Other."
    )
    extraction = extract(text)
    assert extraction.footnote_issues == []
    assert [(r.footnote, r.kind.value) for r in extraction.references] == [
        ("1", "external"),
        ("2", "citation"),
    ]


def test_superscript_markers_with_plain_number_definitions() -> None:
    text = page("First claim¹ and second claim² in 20 m² of text.\n", "1 A source.", "2 Another source.")
    extraction = extract(text)
    assert extraction.footnote_issues == []
    assert [r.footnote for r in extraction.references] == ["1", "2"]


def test_a_continued_line_starting_with_a_number_is_not_a_new_footnote() -> None:
    text = page("Claim¹\n", "1 Report of the committee, volume", "83 pages, 2005.")
    (reference,) = extract(text).references
    assert reference.text == "Report of the committee, volume 83 pages, 2005."


def test_enumeration_with_circled_numbers_in_a_document_without_footnotes() -> None:
    assert issues("目标有三：①政治；②经济；③文化。\n") == []


def test_separator_not_followed_by_definitions_is_no_footnote_block() -> None:
    text = "正文\n" + SEPARATOR + "\n 更多正文 http://example.com/x\n"
    extraction = extract(text)
    assert extraction.footnote_issues == []
    assert [(r.url, r.footnote) for r in extraction.references] == [("http://example.com/x", None)]


def test_dash_rule_separates_footnotes_too() -> None:
    text = "Body text①\n" + "-" * 20 + "\n① http://example.com/n1\n"
    (reference,) = extract(text).references
    assert (reference.footnote, reference.url) == ("①", "http://example.com/n1")


def test_crlf_line_endings() -> None:
    text = page("正文①②\n", "① 甲：《书》。", '② "T", http://www.example.com/2010/04/', "14/world/a.html.")
    extraction = extract(text.replace("\n", "\r\n"))
    assert extraction.footnote_issues == []
    assert [r.url for r in extraction.references] == ["", "http://www.example.com/2010/04/14/world/a.html"]


# --- wrapped URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "① http://www.nytimes.com/2010/04/ \n14/world/14summit.html. \n",
            "http://www.nytimes.com/2010/04/14/world/14summit.html",
        ),
        (
            "② http://www.sltrib.com/ \nnationworld/ci_14875348. \n",
            "http://www.sltrib.com/nationworld/ci_14875348",
        ),
        ("see http://example.com/a/b-\nc/d.html for more\n", "http://example.com/a/b-c/d.html"),
        (
            "see http://example.com/report?id=\n1234&lang=en now\n",
            "http://example.com/report?id=1234&lang=en",
        ),
        ("http://example.com/files/\n   annual_report.pdf\n", "http://example.com/files/annual_report.pdf"),
        ("http://example.com/a/\nb/\nc.html\n", "http://example.com/a/b/c.html"),
        ("见 http://example.com/docs/\nchapter_2.html。下一句\n", "http://example.com/docs/chapter_2.html"),
    ],
)
def test_wrapped_url_is_joined(text: str, expected: str) -> None:
    (reference,) = extract(text).references
    assert reference.url == expected
    assert "\n" in reference.raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Read http://example.com/\nThe next sentence starts here.\n", "http://example.com/"),
        ("Read http://example.com/guide\nand then continue.\n", "http://example.com/guide"),
        ("See http://example.com/\ne.g. the second page.\n", "http://example.com/"),
        ("See http://example.com/a.\nb/c.html is another file\n", "http://example.com/a"),
        ("See http://example.com/\n2010 was the year it moved.\n", "http://example.com/"),
        ("See http://example.com/\n中文/继续的句子。\n", "http://example.com/"),
        ("See http://example.com/\n\nNext paragraph here.\n", "http://example.com/"),
        ("See http://example.com/x\nhttp://example.org/y\n", "http://example.com/x"),
        ("See http://example.com/x,\nand/or something else\n", "http://example.com/x"),
        ("See http://example.com/x\n   Indented words follow.\n", "http://example.com/x"),
    ],
)
def test_url_ending_a_line_is_not_glued_to_prose(text: str, expected: str) -> None:
    assert urls(text)[0] == expected


def test_a_url_on_the_next_line_stays_separate() -> None:
    assert urls("See http://example.com/x\nhttp://example.org/y\n") == [
        "http://example.com/x",
        "http://example.org/y",
    ]


# --- kinds of reference -------------------------------------------------------------------


def test_www_urls_are_checked_over_http() -> None:
    (reference,) = extract("Visit www.Example.com/Path.\n").references
    assert (reference.raw, reference.url, reference.kind) == (
        "www.Example.com/Path",
        "http://www.example.com/Path",
        ReferenceKind.EXTERNAL,
    )


def test_archive_doi_and_email_references() -> None:
    text = (
        "Archived at https://web.archive.org/web/20120326000000/http://example.com/a.\n"
        "Paper doi:10.1000/xyz123, also https://doi.org/10.1000/ABC.\n"
        "Write to mailto:Editor@Example.com or to someone@example.org.\n"
    )
    found = [(r.kind, r.url, r.raw) for r in extract(text).references]
    assert found == [
        (
            ReferenceKind.ARCHIVE,
            "https://web.archive.org/web/20120326000000/http://example.com/a",
            "https://web.archive.org/web/20120326000000/http://example.com/a",
        ),
        (ReferenceKind.DOI, "https://doi.org/10.1000/xyz123", "doi:10.1000/xyz123"),
        (ReferenceKind.DOI, "https://doi.org/10.1000/ABC", "https://doi.org/10.1000/ABC"),
        (ReferenceKind.EMAIL, "mailto:Editor@example.com", "mailto:Editor@Example.com"),
        (ReferenceKind.EMAIL, "mailto:someone@example.org", "someone@example.org"),
    ]
    wayback = extract(text).references[0].wayback
    assert wayback is not None and (wayback.original, wayback.timestamp) == (
        "http://example.com/a",
        "20120326000000",
    )


def test_email_inside_a_url_is_not_a_second_reference() -> None:
    assert urls("http://user@example.com/x and ftp://anonymous@ftp.example.org/\n") == [
        "http://user@example.com/x",
        "ftp://anonymous@ftp.example.org/",
    ]


def test_malformed_url_becomes_a_reference_with_an_issue() -> None:
    (reference,) = extract("Broken http://[::1 here\n").references
    assert reference.raw == "http://[::1"
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]
    assert "]" in reference.issues[0].message


def test_line_and_column_count_characters() -> None:
    text = "第一行\n中文中文 http://example.com/x\n"
    (reference,) = extract(text).references
    assert (reference.line, reference.column) == (2, 6)


# --- dates ----------------------------------------------------------------------------------


def accessed(references: list[Reference]) -> list[dt.date | None]:
    return [r.citation.accessed if r.citation else None for r in references]


def test_access_dates_in_footnotes() -> None:
    text = page(
        "a① b② c③ d④\n",
        "① Report. http://example.com/1 Retrieved 2012-03-26.",
        "② Report. http://example.com/2, accessed 3 March 2012.",
        "③ 报告，http://example.com/3，检索于2012年3月26日。",
        "④ 报告，http://example.com/4，访问日期：2013-01-05。",
    )
    assert accessed(extract(text).references) == [
        dt.date(2012, 3, 26),
        dt.date(2012, 3, 3),
        dt.date(2012, 3, 26),
        dt.date(2013, 1, 5),
    ]


def test_access_date_after_a_bare_url_in_running_text() -> None:
    text = "See http://example.com/a (accessed March 3, 2012) and http://example.com/b.\n"
    assert accessed(extract(text).references) == [dt.date(2012, 3, 3), None]


def test_date_in_a_url_path_is_not_the_citations_date() -> None:
    text = page("a①\n", "① http://example.com/2010/04/14/story.html")
    (reference,) = extract(text).references
    assert reference.citation is None


def test_document_date_from_a_header_line() -> None:
    assert extract("标题\n发布日期：2012年3月26日\n正文。\n").date == dt.date(2012, 3, 26)
    assert extract("Title\nPublished: 3 March 2012\nBody.\n").date == dt.date(2012, 3, 3)
    assert extract("Body mentions 2012-03-26 in passing.\n").date is None


# --- size -----------------------------------------------------------------------------------


def test_large_document_speed(seed_text: str) -> None:
    # The seed is unusually dense (a footnote every few hundred bytes); plain prose runs faster.
    text = seed_text * (20_000_000 // len(seed_text.encode()))
    started = time.process_time()
    extraction = extract_text(Source(text=text, path="big.txt"))
    elapsed = time.process_time() - started
    copies = 20_000_000 // len(seed_text.encode())
    assert len(extraction.references) == 34 * copies
    assert extraction.footnote_issues == []
    megabytes = len(text.encode()) / 1e6
    # Measured near 25 MB/s; the bound only guards against losing linear time.
    assert megabytes / elapsed > 5, f"{megabytes / elapsed:.1f} MB/s"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return (Path(__file__).resolve().parents[4] / "seeds" / "003_a0175d8ff7ab9ad7.txt").read_text(
        encoding="utf-8"
    )


def test_a_url_a_space_cut_inside_its_host_is_flagged() -> None:
    extraction = extract("See http://www.exa mple.com/page for the details.\n")
    (reference,) = extraction.references
    assert reference.url == "http://www.exa/"
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]
    assert ".exa" in reference.issues[0].message
