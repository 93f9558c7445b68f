"""A realistic article, with every reference's expected place written out by reading the sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.extract.base import Source
from verifier.extract.wikitext import extract_wikitext
from verifier.model import FootnoteIssueKind, ReferenceIssueKind

SAMPLE = Path(__file__).parent / "samples" / "article.wiki"
XINHUA = "http://www.xinhua.example.com/2010-05/31/c_13324437.htm"

# (line, column, kind, raw, url, footnote)
EXPECTED = [
    (5, 20, "external", "www.yushu.example.gov", "http://www.yushu.example.gov/", None),
    (
        9,
        7,
        "external",
        "http://www.nytimes.com/2010/04/14/world/asia/14quake.html",
        "http://www.nytimes.com/2010/04/14/world/asia/14quake.html",
        "nyt",
    ),
    (14, 57, "external", XINHUA, XINHUA, "2"),
    (
        14,
        187,
        "archive",
        f"https://web.archive.org/web/20100603000000/{XINHUA}",
        f"https://web.archive.org/web/20100603000000/{XINHUA}",
        "2",
    ),
    (15, 56, "external", "http://www.redcross.example/appeal", "http://www.redcross.example/appeal", "3"),
    (17, 94, "doi", "10.1126/science.1190000", "https://doi.org/10.1126/science.1190000", "study"),
    (
        21,
        4,
        "external",
        "http://earthquake.usgs.example/eqcenter/",
        "http://earthquake.usgs.example/eqcenter/",
        None,
    ),
    (
        22,
        18,
        "external",
        "https://www.qinghai.example.gov.cn/",
        "https://www.qinghai.example.gov.cn/",
        None,
    ),
    (26, 36, "external", "https://unused.example.org/", "https://unused.example.org/", "unused"),
]


def test_every_reference_of_the_sample() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    found = extract_wikitext(Source(text, "article.wiki", SAMPLE))
    actual = [(r.line, r.column, r.kind.value, r.raw, r.url, r.footnote) for r in found.references]
    assert actual == EXPECTED
    for reference in found.references:
        assert text[reference.start : reference.end] == reference.raw


def test_sample_citations_dead_links_and_issues() -> None:
    found = extract_wikitext(Source(SAMPLE.read_text(encoding="utf-8"), "article.wiki", SAMPLE))
    by_place = {(r.line, r.column): r for r in found.references}

    nyt = by_place[(9, 7)].citation
    assert nyt is not None
    assert (nyt.title, nyt.publisher) == ("Quake Hits Western China", "The New York Times")
    assert (nyt.published, nyt.accessed) == (dt.date(2010, 4, 14), dt.date(2012, 3, 26))

    xinhua = by_place[(14, 57)].citation
    assert xinhua is not None
    assert xinhua == by_place[(14, 187)].citation
    assert (xinhua.title, xinhua.publisher, xinhua.url_status) == ("Death toll rises", "Xinhua", "dead")
    assert (xinhua.accessed, xinhua.archive_date) == (dt.date(2010, 5, 31), dt.date(2010, 6, 3))
    assert by_place[(14, 187)].wayback is not None

    appeal = by_place[(15, 56)]
    assert appeal.text == "Appeal"
    assert [i.kind for i in appeal.issues] == [ReferenceIssueKind.DEAD_LINK_TAG]
    assert appeal.citation is not None and appeal.citation.url_status == "dead"

    assert by_place[(21, 4)].text == "USGS page"
    assert [(i.kind, i.label, i.line) for i in found.footnote_issues] == [
        (FootnoteIssueKind.UNUSED_DEFINITION, "unused", 26)
    ]
    assert found.problems == []
    assert found.date is None
