"""``<ref>`` labels, cite errors, {{dead link}} and the document date in wikitext."""

from __future__ import annotations

import datetime as dt

from verifier.extract.base import Extraction, Source
from verifier.extract.wikitext import extract_wikitext
from verifier.model import FootnoteIssueKind, ReferenceIssueKind


def extract(text: str) -> Extraction:
    found = extract_wikitext(Source(text, "page.wiki"))
    for reference in found.references:
        assert text[reference.start : reference.end] == reference.raw
    return found


def issues(found: Extraction) -> list[tuple[FootnoteIssueKind, str, int]]:
    return [(issue.kind, issue.label, issue.line) for issue in found.footnote_issues]


def test_labels_are_names_else_numbers_in_order_of_first_use() -> None:
    text = (
        "A.<ref>[http://one.test/ 1]</ref> B.<ref name=smith>[http://smith.test/ s]</ref>"
        " C.<ref>[http://three.test/ 3]</ref> D.<ref name=smith/>"
        " E.<ref name = 'jones' >[http://jones.test/ j]</ref>"
        " F.<ref>[http://five.test/ 5]</ref>"
    )
    found = extract(text)
    assert [(r.url, r.footnote) for r in found.references] == [
        ("http://one.test/", "1"),
        ("http://smith.test/", "smith"),
        ("http://three.test/", "3"),
        ("http://jones.test/", "jones"),
        ("http://five.test/", "5"),
    ]
    assert found.footnote_issues == []


def test_grouped_refs_are_numbered_per_group() -> None:
    text = (
        '<ref group="note">[http://n1.test/ a]</ref><ref>[http://r1.test/ b]</ref>'
        "<ref group=note>[http://n2.test/ c]</ref>"
    )
    assert [r.footnote for r in extract(text).references] == ["note 1", "1", "note 2"]


def test_named_reference_used_but_never_defined() -> None:
    found = extract('Text.\nMore.<ref name="ghost" /> Again.<ref name="ghost"/>')
    assert issues(found) == [(FootnoteIssueKind.MISSING_DEFINITION, "ghost", 2)]
    assert "used but never defined" in found.footnote_issues[0].message


def test_reuse_before_definition_is_fine() -> None:
    found = extract('A.<ref name="x"/> B.<ref name="x">[http://x.test/ x]</ref>')
    assert found.footnote_issues == []
    assert found.references[0].footnote == "x"


def test_list_defined_reference_not_used() -> None:
    text = (
        "Used.<ref name=used />\n== Notes ==\n{{Reflist|refs=\n"
        "<ref name=used>[http://used.test/ u]</ref>\n"
        "<ref name=spare>{{cite web|url=http://spare.test/|title=S}}</ref>\n}}\n"
    )
    found = extract(text)
    assert issues(found) == [(FootnoteIssueKind.UNUSED_DEFINITION, "spare", 5)]
    assert "not used" in found.footnote_issues[0].message
    assert [(r.url, r.footnote, r.line) for r in found.references] == [
        ("http://used.test/", "used", 4),
        ("http://spare.test/", "spare", 5),
    ]


def test_references_tag_with_list_defined_refs() -> None:
    text = (
        'A.<ref name="a" group="g" />\n<references group="g">\n<ref name="a">[http://a.test/ a]</ref>\n'
        '<ref name="b">[http://b.test/ b]</ref>\n</references>'
    )
    found = extract(text)
    assert issues(found) == [(FootnoteIssueKind.UNUSED_DEFINITION, "b", 4)]
    assert "group" in found.footnote_issues[0].message


def test_duplicate_definitions() -> None:
    text = (
        '<ref name="d">[http://d.test/ same]</ref>\n<ref name="d">[http://d.test/ same]</ref>\n'
        '<ref name="d">[http://other.test/ different]</ref>\n'
    )
    found = extract(text)
    assert issues(found) == [(FootnoteIssueKind.DUPLICATE_DEFINITION, "d", 3)]
    assert "line 1" in found.footnote_issues[0].message


def test_a_definition_is_compared_as_parsed_with_its_unclosed_link_opened() -> None:
    # The "[" left unclosed in each note is read as a blank: the first two say the same.
    text = (
        '<ref name="u">[http://u.test/ Title</ref>\n<ref name="u"> http://u.test/ Title</ref>\n'
        '<ref name="u">[http://u.test/ Other</ref>\n'
    )
    found = extract(text)
    assert issues(found) == [(FootnoteIssueKind.DUPLICATE_DEFINITION, "u", 3)]


def test_empty_references() -> None:
    text = (
        "A.<ref></ref>\nB.<ref> </ref> C.<ref />\nD.<ref name=n></ref><ref name=n>[http://n.test/ n]</ref>"
        "\nE.<ref><!-- to do --></ref>"
    )
    found = extract(text)
    assert issues(found) == [
        (FootnoteIssueKind.EMPTY_DEFINITION, "1", 1),
        (FootnoteIssueKind.EMPTY_DEFINITION, "2", 2),
        (FootnoteIssueKind.EMPTY_DEFINITION, "3", 2),
        (FootnoteIssueKind.EMPTY_DEFINITION, "5", 4),
    ]
    assert found.references[0].footnote == "n"


def test_refs_inside_templates() -> None:
    text = (
        "{{Infobox settlement\n|population = 120,000<ref name=census>"
        "{{cite web|url=http://census.test/|title=Census}}</ref>\n}}\nLater.<ref name=census/>"
    )
    found = extract(text)
    assert [(r.url, r.footnote, r.line) for r in found.references] == [("http://census.test/", "census", 2)]
    assert found.footnote_issues == []


def test_tag_ref_parser_function() -> None:
    text = (
        "{{#tag:ref|Note with [http://tagged.test/ a link]|name=tagged|group=note}}"
        " and {{#tag:ref||name=other}}"
    )
    found = extract(text)
    assert [(r.url, r.footnote) for r in found.references] == [("http://tagged.test/", "tagged")]
    assert issues(found) == [(FootnoteIssueKind.MISSING_DEFINITION, "other", 1)]


def test_plain_ref_with_retrieved_date() -> None:
    reference = extract("<ref>Smith. [http://s.test/ Title]. Retrieved 3 March 2012.</ref>").references[0]
    assert reference.citation is not None
    assert reference.citation.accessed == dt.date(2012, 3, 3)


def dead(found: Extraction) -> list[tuple[str, bool, str | None]]:
    return [
        (
            r.url,
            any(i.kind is ReferenceIssueKind.DEAD_LINK_TAG for i in r.issues),
            r.citation.url_status if r.citation else None,
        )
        for r in found.references
    ]


def test_dead_link_after_a_link_inside_a_ref() -> None:
    found = extract(
        "<ref>Smith. [http://gone.test/ Gone]. Publisher, 2010."
        " {{Dead link|date=May 2020|bot=InternetArchiveBot}}</ref>"
        "<ref>[http://fine.test/ Fine]</ref>"
    )
    assert dead(found) == [("http://gone.test/", True, "dead"), ("http://fine.test/", False, None)]
    assert "May 2020" in found.references[0].issues[0].message


def test_dead_link_after_a_ref_and_its_short_forms() -> None:
    found = extract(
        "A.<ref>{{cite web|url=http://a.test/|title=A|archive-url=https://web.archive.org/web/2010/http://a.test/}}</ref>{{dl}}\n"
        "B [http://b.test/ b] {{404}}\nC [http://c.test/ c]. {{deadlink}}\n"
    )
    assert dead(found) == [
        ("http://a.test/", True, "dead"),
        ("https://web.archive.org/web/2010/http://a.test/", False, "dead"),
        ("http://b.test/", True, "dead"),
        ("http://c.test/", True, "dead"),
    ]


def test_dead_link_far_from_any_link_is_a_warning() -> None:
    found = extract("[http://a.test/ a] and then a long sentence.\n\n{{dead link}}")
    assert dead(found) == [("http://a.test/", False, None)]
    (problem,) = found.problems
    assert (problem.line, problem.severity) == (3, "warning")


def test_document_date_from_a_date_line() -> None:
    assert extract("{{date|March 26, 2012}}\nThe story.").date == dt.date(2012, 3, 26)
    assert extract("{{Use dmy dates|date=March 2012}}\nBorn {{date|2001-01-01}} in town.").date is None
    assert extract("<ref>{{date|2012-03-26}}</ref>").date is None
