"""URLs in custom elements and <object codebase>, and hosts broken by a bracket."""

from __future__ import annotations

import pytest

from verifier.extract.base import Extraction, Source
from verifier.extract.html import extract_html
from verifier.model import ReferenceIssueKind, ReferenceKind


def extract(html: str) -> Extraction:
    found = extract_html(Source(html, "page.html"))
    for reference in found.references:
        assert html[reference.start : reference.end] == reference.raw
    return found


@pytest.mark.parametrize(
    "href", ["http://localhost]", "http://localhost]/", "https://example]org/", "http://[localhost]/"]
)
def test_a_bracket_in_the_host_is_a_malformed_url(href: str) -> None:
    (reference,) = extract(f"<p><a href=\"{href}\">x</a> <img src='{href}'></p>").references[:1]
    assert reference.url == href
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]


def test_ipv6_hosts_stay_good() -> None:
    (reference,) = extract('<a href="http://[2001:DB8::7]:8080/c=GB">x</a>').references
    assert (reference.url, reference.issues) == ("http://[2001:db8::7]:8080/c=GB", ())


def test_a_malformed_base_leaves_relative_links_as_written() -> None:
    found = extract('<base href="http://localhost]/"><a href="page.html">p</a><a href="http://a.test/">a</a>')
    assert [(r.url, r.kind, r.issues) for r in found.references] == [
        ("page.html", ReferenceKind.INTERNAL, ()),
        ("http://a.test/", ReferenceKind.EXTERNAL, ()),
    ]


def test_custom_elements_link_with_href_src_srcset_and_cite() -> None:
    html = (
        '<my-link href="http://a.test/">A</my-link>\n'
        '<ui-image src="http://b.test/i.png"'
        ' srcset="http://c.test/1x.png 1x, http://c.test/2x.png 2x"></ui-image>\n'
        '<x-quote cite="http://d.test/source">Q</x-quote>\n'
        '<x-thing data="http://e.test/" title="http://f.test/"></x-thing>\n'
    )
    found = extract(html)
    assert [(r.url, r.line) for r in found.references] == [
        ("http://a.test/", 1),
        ("http://b.test/i.png", 2),
        ("http://c.test/1x.png", 2),
        ("http://c.test/2x.png", 2),
        ("http://d.test/source", 3),
    ]


def test_object_codebase_is_a_link_and_the_base_of_its_data() -> None:
    html = '<object codebase="http://plugins.test/cab/" data="movie.swf" type="x"></object>'
    found = extract(html)
    assert [(r.raw, r.url) for r in found.references] == [
        ("http://plugins.test/cab/", "http://plugins.test/cab/"),
        ("movie.swf", "http://plugins.test/cab/movie.swf"),
    ]


def test_object_data_without_codebase_is_read_as_before() -> None:
    (reference,) = extract('<object data="http://g.test/a.pdf"></object>').references
    assert reference.url == "http://g.test/a.pdf"
