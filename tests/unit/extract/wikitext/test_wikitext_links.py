"""External links, citation templates and their URLs in wikitext."""

from __future__ import annotations

import datetime as dt

from verifier.extract.base import Extraction, Source
from verifier.extract.wikitext import extract_wikitext
from verifier.model import Reference, ReferenceIssueKind, ReferenceKind


def extract(text: str) -> Extraction:
    found = extract_wikitext(Source(text, "page.wiki"))
    for reference in found.references:
        assert text[reference.start : reference.end] == reference.raw
    return found


def only(text: str) -> Reference:
    references = extract(text).references
    assert len(references) == 1, references
    return references[0]


def test_bracketed_external_link() -> None:
    reference = only("Intro.\nSee [http://Example.COM/a?b=1 the ''official'' site] now.")
    assert reference.url == "http://example.com/a?b=1"
    assert reference.raw == "http://Example.COM/a?b=1"
    assert (reference.line, reference.column) == (2, 6)
    assert reference.text == "the official site"
    assert reference.kind is ReferenceKind.EXTERNAL
    assert reference.footnote is None and reference.citation is None


def test_bracketed_link_without_title() -> None:
    reference = only("[https://bare.test/x]")
    assert (reference.raw, reference.text, reference.column) == ("https://bare.test/x", None, 2)


def test_bare_urls_stop_before_trailing_punctuation() -> None:
    references = extract(
        "Go to http://a.test/one. Or (http://b.test/two), or https://c.test/3?x=y;"
    ).references
    assert [r.raw for r in references] == ["http://a.test/one", "http://b.test/two", "https://c.test/3?x=y"]
    assert [r.column for r in references] == [7, 30, 53]


def test_protocol_relative_mail_and_entities() -> None:
    references = extract(
        "[//proto.test/p proto] [mailto:desk@example.org mail] [http://e.test/q?a=1&amp;b=2 ent]"
    ).references
    assert [(r.url, r.kind) for r in references] == [
        ("https://proto.test/p", ReferenceKind.EXTERNAL),
        ("mailto:desk@example.org", ReferenceKind.EMAIL),
        ("http://e.test/q?a=1&b=2", ReferenceKind.EXTERNAL),
    ]
    assert references[2].raw == "http://e.test/q?a=1&amp;b=2"


def test_wikilinks_are_not_urls_but_their_captions_are_read() -> None:
    text = "[[Main Page]] [[Page|text]] [[File:Map.png|thumb|Map<ref>[http://caption.test/ c]</ref>]]"
    reference = only(text)
    assert reference.url == "http://caption.test/"
    assert reference.footnote == "1"


def test_comments_nowiki_and_pre_hide_links() -> None:
    text = (
        "<!-- [http://comment.test/ c] http://comment2.test/ -->\n"
        "<nowiki>http://nowiki.test/ [http://nowiki2.test/ n]</nowiki>\n"
        "<pre>http://pre.test/</pre>\n"
        "<syntaxhighlight lang=text>http://code.test/</syntaxhighlight>\n"
        "http://shown.test/"
    )
    reference = only(text)
    assert (reference.url, reference.line) == ("http://shown.test/", 5)


CITE = """Text.<ref name="nyt">{{cite news
 |url=http://www.nytimes.com/2010/04/14/world/14summit.html
 |title=Summit opens
 |work=[[The New York Times]]
 |date=April 14, 2010
 |access-date=26 March 2012
 |archive-url=https://web.archive.org/web/20120101000000/http://www.nytimes.com/2010/04/14/world/14summit.html
 |archive-date=2012-01-01
 |url-status=live
}}</ref>
"""


def test_cite_template_with_archive_copy() -> None:
    original, archive = extract(CITE).references
    assert (original.line, original.column, original.kind) == (2, 7, ReferenceKind.EXTERNAL)
    assert original.url == "http://www.nytimes.com/2010/04/14/world/14summit.html"
    assert (archive.line, archive.column, archive.kind) == (7, 15, ReferenceKind.ARCHIVE)
    assert archive.wayback is not None
    assert archive.wayback.original == original.url
    assert original.citation == archive.citation
    citation = original.citation
    assert citation is not None
    assert citation.title == "Summit opens"
    assert citation.publisher == "The New York Times"
    assert citation.published == dt.date(2010, 4, 14)
    assert citation.accessed == dt.date(2012, 3, 26)
    assert citation.archive_url == archive.url
    assert citation.archive_date == dt.date(2012, 1, 1)
    assert citation.url_status == "live"
    assert original.text == "Summit opens"
    assert original.footnote == archive.footnote == "nyt"


def test_older_parameter_spellings() -> None:
    text = (
        "{{Cite_web|url=http://old.test/|title=Old|accessdate=2011-02-03|"
        "archiveurl=http://web.archive.org/web/2012/http://old.test/|archivedate=3 March 2012|deadurl=yes}}"
    )
    original, archive = extract(text).references
    citation = original.citation
    assert citation is not None
    assert citation.accessed == dt.date(2011, 2, 3)
    assert citation.archive_date == dt.date(2012, 3, 3)
    assert citation.archive_url == "http://web.archive.org/web/2012/http://old.test/"
    assert citation.url_status == "dead"
    assert archive.kind is ReferenceKind.ARCHIVE


def test_any_cite_template_and_extra_url_parameters() -> None:
    text = (
        "{{cite journal |title=Paper |journal=Nature |doi=10.1038/nature12373 |pmid=1}}\n"
        "{{Cite book |title=Book |chapter=One |chapter-url=http://book.test/ch1 |url=http://book.test/}}\n"
        "{{citation |url=http://plain-citation.test/ |title=Plain}}"
    )
    references = extract(text).references
    assert [(r.kind, r.url, r.raw) for r in references] == [
        (ReferenceKind.DOI, "https://doi.org/10.1038/nature12373", "10.1038/nature12373"),
        (ReferenceKind.EXTERNAL, "http://book.test/", "http://book.test/"),
        (ReferenceKind.EXTERNAL, "http://book.test/ch1", "http://book.test/ch1"),
        (ReferenceKind.EXTERNAL, "http://plain-citation.test/", "http://plain-citation.test/"),
    ]
    assert references[0].citation is not None
    assert references[0].citation.publisher == "Nature"
    assert [r.text for r in references] == ["Paper", "Book", "Book", "Plain"]


def test_nested_templates_in_cite_parameters() -> None:
    text = (
        "{{cite web |url=http://pipe.test/a{{!}}b |title={{lang|fr|Le Monde}} {{small|(in French)}}"
        " |website={{nowrap|Le Monde}} |access-date={{date|2012-03-26}}}}"
    )
    reference = only(text)
    assert reference.raw == "http://pipe.test/a{{!}}b"
    assert reference.url == "http://pipe.test/a%7Cb"
    assert reference.citation is not None
    assert reference.citation.title == "Le Monde (in French)"
    assert reference.citation.publisher == "Le Monde"
    assert reference.citation.accessed == dt.date(2012, 3, 26)


def test_url_built_by_a_template_is_reported() -> None:
    reference = only("{{cite web |url=http://site.test/{{PAGENAME}}/x |title=T}}")
    assert reference.raw == "http://site.test/{{PAGENAME}}/x"
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]
    assert "{{PAGENAME}}" in reference.issues[0].message


def test_comments_around_a_cite_url() -> None:
    text = "{{cite web |url= <!-- http://old.test/ --> http://new.test/page <!-- moved --> |title=T}}"
    reference = only(text)
    assert reference.raw == "http://new.test/page"
    assert reference.column == 44


def test_empty_cite_url_is_not_a_reference() -> None:
    assert extract("{{cite web |url= |title=T}} {{cite web|url=<!-- none -->|title=U}}").references == []


def test_malformed_cite_urls() -> None:
    references = extract(
        "{{cite web|url=http://exa mple.com/|title=S}} {{cite web|url=http://[::1|title=V6}}"
        " {{cite web|url=www.noscheme.test|title=N}}"
    ).references
    assert [r.url for r in references] == ["http://exa mple.com/", "http://[::1", "www.noscheme.test"]
    assert all([i.kind for i in r.issues] == [ReferenceIssueKind.MALFORMED_URL] for r in references[:2])


def test_url_template_adds_a_scheme() -> None:
    reference = only("| website = {{URL|www.example.org|Example}}")
    assert (reference.url, reference.raw, reference.text) == (
        "http://www.example.org/",
        "www.example.org",
        "Example",
    )


def test_doi_template() -> None:
    reference = only("Paper {{doi|10.1000/182}}.")
    assert (reference.kind, reference.url, reference.raw) == (
        ReferenceKind.DOI,
        "https://doi.org/10.1000/182",
        "10.1000/182",
    )


def test_links_inside_other_templates() -> None:
    text = (
        "{{Infobox company\n| name = Acme\n| homepage = https://acme.test/\n"
        "| founded = 1900<ref>[http://founded.test/ f]</ref>\n}}"
    )
    references = extract(text).references
    assert [(r.url, r.line, r.footnote) for r in references] == [
        ("https://acme.test/", 3, None),
        ("http://founded.test/", 4, "1"),
    ]


def test_unicode_and_crlf_offsets() -> None:
    text = "第一行\r\n中文文本 [http://cjk.test/ 链接]\r\n"
    reference = only(text)
    assert (reference.line, reference.column) == (2, 7)


def test_headings_and_tables_are_read() -> None:
    text = '== See [http://heading.test/ h] ==\n{| class="wikitable"\n|-\n| cell http://cell.test/\n|}'
    references = extract(text).references
    assert [(r.url, r.line) for r in references] == [("http://heading.test/", 1), ("http://cell.test/", 4)]
