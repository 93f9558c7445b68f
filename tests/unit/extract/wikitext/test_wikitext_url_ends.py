"""Where a URL in wikitext ends, which of two url= parameters counts, and ref names as written."""

from __future__ import annotations

import pytest

from verifier.extract.base import Extraction, Source
from verifier.extract.wikitext import extract_wikitext
from verifier.model import ReferenceIssueKind


def extract(text: str) -> Extraction:
    found = extract_wikitext(Source(text, "page.wiki"))
    for reference in found.references:
        assert text[reference.start : reference.end] == reference.raw
    return found


def test_a_bare_url_ends_at_a_template_that_follows_it() -> None:
    text = "Source: http://www.example.org/show?hofid=756{{dead link|date=May 2020}} and on.\n"
    (reference,) = extract(text).references
    assert reference.raw == "http://www.example.org/show?hofid=756"
    assert reference.url == "http://www.example.org/show?hofid=756"
    # The template is read as what follows the link: it marks it dead, nothing is malformed.
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.DEAD_LINK_TAG]
    assert reference.citation is not None and reference.citation.url_status == "dead"


def test_a_bare_url_ends_at_any_template_and_keeps_character_templates() -> None:
    references = extract("A http://a.test/x{{small|note}} b http://b.test/p{{!}}q c\n").references
    assert [(r.raw, r.url) for r in references] == [
        ("http://a.test/x", "http://a.test/x"),
        ("http://b.test/p{{!}}q", "http://b.test/p%7Cq"),
    ]
    assert all(not r.issues for r in references)


def test_a_cite_url_ends_at_a_dead_link_template_inside_it() -> None:
    (reference,) = extract("{{cite web |url=http://c.test/a?id=1{{dead link}} |title=T}}").references
    assert (reference.raw, reference.url, reference.issues) == (
        "http://c.test/a?id=1",
        "http://c.test/a?id=1",
        (),
    )


def test_a_cite_template_with_two_url_parameters_takes_the_last() -> None:
    text = "{{cite web |url=http://first.test/1 |title=T |url=http://second.test/2}}"
    (reference,) = extract(text).references
    assert reference.url == "http://second.test/2"
    assert reference.column == text.index("http://second") + 1


def test_the_last_of_two_titles_is_the_title_too() -> None:
    (reference,) = extract("{{cite web |url=http://x.test/ |title=Old |title=New}}").references
    assert reference.citation is not None and reference.citation.title == "New"


@pytest.mark.parametrize(
    "between",
    [" ", "", " text ", "\n"],
)
@pytest.mark.parametrize(
    "first",
    [
        "<ref>[http://a.test/x Title</ref>",
        "<ref>[http://a.test/x</ref>",
        "<ref name=a>[http://a.test/x ''Title</ref>",
        "{{efn|[http://a.test/x Title}}",
    ],
)
def test_an_unclosed_bracket_does_not_swallow_the_next_link(first: str, between: str) -> None:
    text = first + between + "[http://b.test/y B] and <ref>[http://c.test/z C]</ref>\n"
    extraction = extract(text)
    assert [r.url for r in extraction.references] == ["http://a.test/x", "http://b.test/y", "http://c.test/z"]
    by_url = {r.url: r for r in extraction.references}
    assert by_url["http://b.test/y"].text == "B"
    assert by_url["http://b.test/y"].footnote is None
    assert by_url["http://c.test/z"].footnote is not None
    if first.startswith("<ref>"):
        assert by_url["http://a.test/x"].footnote == "1"


def test_a_closed_link_with_a_template_in_its_title_stays_whole() -> None:
    (reference,) = extract("<ref>[http://a.test/x Title {{small|(PDF)}}]</ref>\n").references
    assert (reference.url, reference.text, reference.footnote) == ("http://a.test/x", "Title (PDF)", "1")


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("See http://a.test/x&lt;b&gt; here", "http://a.test/x"),
        ("See http://a.test/x&gt; here", "http://a.test/x"),
        ("See [http://a.test/y&lt;z title] here", "http://a.test/y"),
        ("{{cite web |url=http://a.test/q&lt;r |title=T}}", "http://a.test/q"),
        ("See http://a.test/w<br />here", "http://a.test/w"),
    ],
)
def test_urls_end_at_angle_brackets_and_their_entities(text: str, raw: str) -> None:
    (reference,) = extract(text).references
    assert (reference.raw, reference.url, reference.issues) == (raw, raw, ())


def test_a_ref_name_holding_a_template_is_the_name_as_written() -> None:
    text = (
        'Claim.<ref name="{{harvnb|Lindberg|1976|p=73}}.">Lindberg 1976 http://a.test/73</ref>'
        ' Other.<ref name="{{harvnb|Lindberg|1976|p=74}}.">Lindberg 1976 http://a.test/74</ref>'
        ' Again.<ref name="{{harvnb|Lindberg|1976|p=73}}." />\n'
    )
    extraction = extract(text)
    assert extraction.footnote_issues == []
    assert [r.footnote for r in extraction.references] == [
        "{{harvnb|Lindberg|1976|p=73}}.",
        "{{harvnb|Lindberg|1976|p=74}}.",
    ]


def test_ref_names_decode_entities() -> None:
    text = 'A<ref name="A&amp;B">x http://a.test/</ref> B<ref name="A&B" />\n'
    assert extract(text).footnote_issues == []
