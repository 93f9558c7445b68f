"""read_url: the one reading every extractor gives a URL it found."""

from __future__ import annotations

from verifier.extract.base import Source
from verifier.extract.html import extract_html
from verifier.extract.markdown import extract_markdown
from verifier.extract.urls import read_url
from verifier.model import ReferenceIssueKind, ReferenceKind


def test_external_urls_are_normalised() -> None:
    reading = read_url(" HTTP://Example.COM:80/路径 ")
    assert (reading.url, reading.kind, reading.issues) == (
        "http://example.com/%E8%B7%AF%E5%BE%84",
        ReferenceKind.EXTERNAL,
        (),
    )


def test_doi_becomes_a_doi_org_url() -> None:
    reading = read_url("doi:10.1000/xyz123")
    assert (reading.url, reading.kind) == ("https://doi.org/10.1000/xyz123", ReferenceKind.DOI)


def test_wayback_location_is_recorded() -> None:
    reading = read_url("https://web.archive.org/web/20120923011644/http://example.org/a")
    assert reading.kind is ReferenceKind.ARCHIVE
    assert reading.wayback is not None
    assert (reading.wayback.timestamp, reading.wayback.original) == ("20120923011644", "http://example.org/a")


def test_relative_urls_resolve_against_a_base_or_stay_internal() -> None:
    assert read_url("b/c.html", "https://example.org/a/").url == "https://example.org/a/b/c.html"
    assert read_url("b/c.html").kind is ReferenceKind.INTERNAL
    assert read_url("//example.org/x").url == "https://example.org/x"


def test_malformed_urls_keep_their_form_and_carry_an_issue() -> None:
    for written in ("http://exa mple.com/", "http://[::1", "http://xn--a.example/"):
        reading = read_url(written)
        assert reading.url == written
        assert [issue.kind for issue in reading.issues] == [ReferenceIssueKind.MALFORMED_URL]


def test_markdown_and_html_read_a_broken_punycode_host_alike() -> None:
    url = "http://xn--a.example/page"
    markdown = extract_markdown(Source(f"# Links\n\nSee [it]({url}).\n", "a.md"))
    html = extract_html(Source(f'<!doctype html><p><a href="{url}">it</a></p>', "a.html"))
    for extraction in (markdown, html):
        (reference,) = [r for r in extraction.references if r.raw == url]
        assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]


def test_a_host_under_no_top_level_domain_is_flagged_as_cut_or_mistyped() -> None:
    for written, label in (
        ("http://www.exa/page", ".exa"),
        ("https://server.lan/wiki", ".lan"),
        ("http://intranet/page", "no top-level domain"),
    ):
        reading = read_url(written)
        assert reading.url == written
        ((issue),) = reading.issues
        assert issue.kind is ReferenceIssueKind.MALFORMED_URL
        assert label in issue.message and "cut short or mistyped" in issue.message


def test_hosts_that_can_be_on_purpose_are_not_flagged() -> None:
    for written in (
        "http://example.com/",
        "http://foo.co.uk/",
        "http://example.xn--p1ai/",  # .рф, read from the public suffix list
        "http://bücher.de/",
        "https://x.ck/",
        "http://site.test/",
        "http://a.example/",
        "http://localhost:8000/",
        "http://printer.local/",
        "http://127.0.0.1:8080/x",
        "http://[::1]:8080/x",
        "https://user@example.org:8443/p?q=1",
    ):
        assert read_url(written).issues == (), written


def test_a_url_read_as_written_is_held_once_for_both_url_and_raw() -> None:
    text = '<a href="https://example.org/a">a</a> <a href="HTTPS://Example.org/b">b</a>'
    same, normalised = extract_html(Source(text=text, path="page.html")).references
    assert same.raw is same.url
    assert (normalised.raw, normalised.url) == ("HTTPS://Example.org/b", "https://example.org/b")
