"""Footnotes, rendered citations and the document's own date in HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.extract.base import Extraction, Source
from verifier.extract.html import extract_html
from verifier.model import FootnoteIssueKind, ReferenceIssueKind

SAMPLES = Path(__file__).parent / "samples"


def extract(html: str) -> Extraction:
    return extract_html(Source(html, "page.html"))


def issues(found: Extraction) -> list[tuple[FootnoteIssueKind, str, int]]:
    return [(issue.kind, issue.label, issue.line) for issue in found.footnote_issues]


WIKIPEDIA_NOTES = (SAMPLES / "wikipedia_notes.html").read_text(encoding="utf-8")


def test_wikipedia_notes_label_the_references_inside_them() -> None:
    found = extract(WIKIPEDIA_NOTES)
    assert [(r.url, r.footnote) for r in found.references] == [
        ("http://one.test/", "1"),
        ("http://two.test/", "2"),
        ("http://four.test/", "4"),
    ]


def test_wikipedia_note_integrity() -> None:
    found = extract(WIKIPEDIA_NOTES)
    assert issues(found) == [
        (FootnoteIssueKind.MISSING_DEFINITION, "7", 4),
        (FootnoteIssueKind.EMPTY_DEFINITION, "3", 8),
        (FootnoteIssueKind.UNUSED_DEFINITION, "3", 8),
        (FootnoteIssueKind.UNUSED_DEFINITION, "4", 9),
    ]


def test_duplicate_note_ids() -> None:
    html = (
        '<p>x<sup class="reference"><a href="#n1">[1]</a></sup></p>\n<ol class="references">\n'
        '<li id="n1">first <a href="http://a.test/">a</a></li>\n<li id="n1">second</li>\n</ol>'
    )
    assert issues(extract(html)) == [(FootnoteIssueKind.DUPLICATE_DEFINITION, "1", 4)]


PANDOC_NOTES = (SAMPLES / "pandoc_notes.html").read_text(encoding="utf-8")


def test_dpub_aria_and_pandoc_notes() -> None:
    found = extract(PANDOC_NOTES)
    (reference,) = found.references
    assert reference.footnote == "1"
    assert reference.citation is not None
    assert reference.citation.accessed == dt.date(2012, 3, 3)
    assert issues(found) == [
        (FootnoteIssueKind.MISSING_DEFINITION, "3", 2),
        (FootnoteIssueKind.EMPTY_DEFINITION, "fn2", 7),
        (FootnoteIssueKind.UNUSED_DEFINITION, "fn2", 7),
    ]


def test_python_markdown_notes() -> None:
    html = (
        '<p>Claim<sup id="fnref:src"><a class="footnote-ref" href="#fn:src">1</a></sup></p>\n'
        '<div class="footnote">\n<hr />\n<ol>\n<li id="fn:src">\n<p><a href="http://pm.test/">pm</a>'
        '&#160;<a class="footnote-backref" href="#fnref:src" title="Jump back">&#8617;</a></p>\n'
        "</li>\n</ol>\n</div>"
    )
    found = extract(html)
    assert [(r.url, r.footnote) for r in found.references] == [("http://pm.test/", "1")]
    assert found.footnote_issues == []


def test_epub_notes() -> None:
    html = (
        '<p>Said<a epub:type="noteref" href="#n1">1</a> and<a epub:type="noteref" href="#n2">2</a></p>\n'
        '<aside epub:type="footnote" id="n1"><a href="http://epub.test/">source</a></aside>\n'
        '<aside epub:type="footnote" id="n3">stray</aside>'
    )
    found = extract(html)
    assert [(r.url, r.footnote) for r in found.references] == [("http://epub.test/", "1")]
    assert issues(found) == [
        (FootnoteIssueKind.MISSING_DEFINITION, "2", 1),
        (FootnoteIssueKind.UNUSED_DEFINITION, "n3", 3),
    ]


def test_page_without_notes_has_no_issues() -> None:
    found = extract('<p><sup>2</sup> squared, <a href="#top">top</a> <a href="http://x.test/">x</a></p>')
    assert found.footnote_issues == []
    assert [r.footnote for r in found.references] == [None]


CITATION = (
    '<ol class="references"><li id="cite_note-1"><span class="reference-text">'
    '<cite id="CITEREFDoe2012" class="citation web cs1">Doe, Jane (26 March 2012). '
    '<a rel="nofollow" class="external text" href="http://news.test/story">"Moon landing &amp; more"</a>. '
    "<i>The Daily Test</i>. "
    '<a rel="nofollow" class="external text" href="https://web.archive.org/web/20130501000000/http://news.test/story">'
    "Archived</a> from the original on 1 May 2013. "
    'Retrieved <span class="nowrap">27 March</span> 2012.</cite>'
    "</span></li></ol>"
)


def test_wikipedia_citation_metadata() -> None:
    original, archive = extract(CITATION).references
    assert original.citation is not None
    assert original.citation == archive.citation
    assert original.citation.title == "Moon landing & more"
    assert original.citation.publisher == "The Daily Test"
    assert original.citation.accessed == dt.date(2012, 3, 27)
    assert original.citation.archive_date == dt.date(2013, 5, 1)
    assert (
        original.citation.archive_url == "https://web.archive.org/web/20130501000000/http://news.test/story"
    )
    assert original.citation.url_status == "live"
    assert archive.wayback is not None and archive.wayback.original == "http://news.test/story"
    assert original.text == '"Moon landing & more"'


def test_citation_whose_title_links_to_the_archive_is_dead() -> None:
    html = (
        '<cite class="citation news"><a href="/wiki/Jane_Doe">Doe, Jane</a>. '
        '<a href="https://web.archive.org/web/2013/http://gone.test/">"Gone"</a>. Archived from '
        '<a href="http://gone.test/">the original</a> on 2013-05-01. Retrieved 2012-03-26.</cite>'
    )
    author, _archive, original = extract(html).references
    assert author.citation is original.citation
    assert original.citation is not None
    assert original.citation.url_status == "dead"
    assert original.citation.title == "Gone"
    assert original.citation.accessed == dt.date(2012, 3, 26)
    assert original.citation.archive_date == dt.date(2013, 5, 1)


DEAD_LINK_NOTE = (
    '<ol class="references"><li id="cite_note-1"><span class="reference-text">'
    '<cite class="citation web cs1"><a href="http://gone.test/page">"Gone"</a>. Retrieved 2012-03-26.</cite>'
    '<sup class="noprint Inline-Template"><i>[<a href="/wiki/Wikipedia:Link_rot" title="Wikipedia:Link rot">'
    '<span title="&#160;Dead link tagged March 2013">permanent dead link</span></a>]</i></sup>'
    '</span></li>\n<li id="cite_note-2"><a href="http://fine.test/">Fine</a></li></ol>'
)


def test_rendered_dead_link_template_marks_the_link_before_it() -> None:
    gone, rot_page, fine = extract(DEAD_LINK_NOTE).references
    assert [i.kind for i in gone.issues] == [ReferenceIssueKind.DEAD_LINK_TAG]
    assert "Dead link tagged March 2013" in gone.issues[0].message
    assert gone.citation is not None
    assert (gone.citation.url_status, gone.citation.accessed) == ("dead", dt.date(2012, 3, 26))
    assert rot_page.url == "/wiki/Wikipedia:Link_rot"
    assert rot_page.issues == () and fine.issues == ()


def test_book_citation_titles() -> None:
    linked = (
        '<cite class="citation book">Doe, J. (2001). <i><a class="external text" href="http://books.test/a">'
        'A Book</a></i>. Press. <a href="/wiki/ISBN_(identifier)">ISBN</a> <a href="/wiki/B">978</a>.</cite>'
    )
    unlinked = (
        '<cite class="citation book"><a href="/wiki/John_Doe">Doe, John</a> (2001). <i>Other Book</i>.</cite>'
    )
    book, isbn, _number = extract(linked).references
    assert book.citation is not None and isbn.citation is book.citation
    assert (book.citation.title, book.citation.publisher) == ("A Book", None)
    (author,) = extract(unlinked).references
    assert author.citation is not None
    assert author.citation.title == "Other Book"


def test_document_date_from_meta() -> None:
    assert extract('<meta name="citation_date" content="2012/03/26">').date == dt.date(2012, 3, 26)
    assert extract('<meta name="DATE" content="2011-01-02">').date == dt.date(2011, 1, 2)
    published = '<meta property="article:published_time" content="2019-07-04T10:00:00+00:00">'
    assert extract(published).date == dt.date(2019, 7, 4)


def test_document_date_from_time_element() -> None:
    html = '<time>soon</time><time datetime="not a date">x</time><time datetime="2020-02-29">29 Feb</time>'
    assert extract(html).date == dt.date(2020, 2, 29)


def test_no_document_date() -> None:
    assert extract('<meta name="description" content="2012-03-26"><p>26 March 2012</p>').date is None
