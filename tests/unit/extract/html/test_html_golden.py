"""A realistic page, with every reference's expected place written out by reading the sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.extract.base import Source
from verifier.extract.html import extract_html
from verifier.model import FootnoteIssueKind, ReferenceIssueKind

SAMPLE = Path(__file__).parent / "samples" / "article.html"

# (line, column, kind, raw, url, footnote)
EXPECTED = [
    (8, 30, "external", "/static/site.css", "https://wiki.example.org/static/site.css", None),
    (12, 17, "external", "Earthquake", "https://wiki.example.org/wiki/Earthquake", None),
    (
        14,
        27,
        "external",
        "https://www.redcross.example/appeal?id=7&amp;lang=en",
        "https://www.redcross.example/appeal?id=7&lang=en",
        None,
    ),
    (16, 11, "external", "//upload.example.org/map.png", "https://upload.example.org/map.png", None),
    (
        17,
        19,
        "external",
        "http://www.nytimes.com/2010/04/14/world/14summit.html",
        "http://www.nytimes.com/2010/04/14/world/14summit.html",
        None,
    ),
    (21, 10, "internal", "#Aftermath", "#Aftermath", None),
    (21, 49, "email", "mailto:desk@example.org", "mailto:desk@example.org", None),
    (
        26,
        47,
        "external",
        "http://www.nytimes.com/2010/04/14/world/asia/14quake.html",
        "http://www.nytimes.com/2010/04/14/world/asia/14quake.html",
        "1",
    ),
    (
        30,
        7,
        "archive",
        "https://web.archive.org/web/20100501000000/http://www.example.com/relief",
        "https://web.archive.org/web/20100501000000/http://www.example.com/relief",
        "2",
    ),
    (31, 47, "external", "http://www.example.com/relief", "http://www.example.com/relief", "2"),
    (33, 65, "doi", "https://doi.org/10.1000/182", "https://doi.org/10.1000/182", "3"),
]


def test_every_reference_of_the_sample() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    found = extract_html(Source(text, "article.html", SAMPLE))
    actual = [(r.line, r.column, r.kind.value, r.raw, r.url, r.footnote) for r in found.references]
    assert actual == EXPECTED
    for reference in found.references:
        assert text[reference.start : reference.end] == reference.raw


def test_sample_texts_citations_and_issues() -> None:
    found = extract_html(Source(SAMPLE.read_text(encoding="utf-8"), "article.html", SAMPLE))
    by_line = {(r.line, r.column): r for r in found.references}
    assert by_line[(14, 27)].text == "the Red Cross"
    assert by_line[(16, 11)].text == "Map of Yushu"
    assert [i.kind for i in by_line[(21, 10)].issues] == [ReferenceIssueKind.MISSING_TARGET]

    quake = by_line[(26, 47)].citation
    assert quake is not None
    assert (quake.title, quake.publisher, quake.accessed) == (
        "Quake hits China",
        "The New York Times",
        dt.date(2012, 3, 26),
    )

    relief = by_line[(31, 47)].citation
    assert relief is not None
    assert relief == by_line[(30, 7)].citation
    assert relief.title == "Relief"
    assert relief.url_status == "dead"
    assert (relief.archive_date, relief.accessed) == (dt.date(2010, 5, 1), dt.date(2010, 5, 2))
    assert by_line[(33, 65)].citation is None

    assert [(i.kind, i.label, i.line) for i in found.footnote_issues] == [
        (FootnoteIssueKind.UNUSED_DEFINITION, "3", 33)
    ]
    assert found.date == dt.date(2010, 4, 20)
