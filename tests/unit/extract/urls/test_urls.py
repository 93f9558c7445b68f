"""URL normalisation, Wayback and DOI recognition, kinds of reference, malformed URLs."""

from __future__ import annotations

import pytest

from verifier.extract.urls import (
    MalformedURL,
    classify_url,
    is_checkable,
    is_normalised,
    normalise_url,
    parse_doi,
    parse_wayback,
)
from verifier.model import ReferenceKind, WaybackLocation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/Path", "http://example.com/Path"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("ftp://FTP.example.org:21/f", "ftp://ftp.example.org/f"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com./a", "http://example.com/a"),
        ("  http://example.com/a  ", "http://example.com/a"),
        ("http://example.com/a#section", "http://example.com/a"),
        ("http://example.com/a?b=1&c=2", "http://example.com/a?b=1&c=2"),
        ("http://user:secret@example.com/", "http://user:secret@example.com/"),
        ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
    ],
)
def test_scheme_host_and_port(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://bücher.de/", "http://xn--bcher-kva.de/"),
        ("http://BÜCHER.DE/", "http://xn--bcher-kva.de/"),
        ("https://例え.テスト/", "https://xn--r8jz45g.xn--zckzah/"),
        ("https://中国政府.政务/", "https://xn--fiqs8sirgfmh.xn--zfr164b/"),
        ("http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/"),
    ],
)
def test_international_hosts_use_idna(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://zh.wikipedia.org/wiki/南韓", "https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93"),
        ("http://example.com/straße?q=ü", "http://example.com/stra%C3%9Fe?q=%C3%BC"),
        # Already encoded: left as it is, never encoded twice.
        (
            "https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93",
            "https://zh.wikipedia.org/wiki/%E5%8D%97%E9%9F%93",
        ),
        ("http://example.com/%E4%BD%A0/你", "http://example.com/%E4%BD%A0/%E4%BD%A0"),
        ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
        ("http://example.com/?q=a%20b", "http://example.com/?q=a%20b"),
        # A percent sign that starts no escape is a literal percent sign.
        ("http://example.com/100%", "http://example.com/100%25"),
        ("http://example.com/?q=%zz", "http://example.com/?q=%25zz"),
        ("http://example.com/?q=a b", "http://example.com/?q=a%20b"),
        ("http://example.com/a|b", "http://example.com/a%7Cb"),
        ("http://example.com/wiki/Foo_(bar)", "http://example.com/wiki/Foo_(bar)"),
    ],
)
def test_paths_are_percent_encoded_once(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected
    assert normalise_url(expected) == expected


def test_relative_urls_resolve_against_a_base() -> None:
    assert normalise_url("../b/c.html", "https://Example.com/a/x/y.html") == "https://example.com/a/b/c.html"
    assert normalise_url("//cdn.example.com/x", "https://example.com/") == "https://cdn.example.com/x"
    assert normalise_url("http://other.example/", "https://example.com/") == "http://other.example/"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://[::1]/a", "http://[::1]/a"),
        ("http://[::1]:80/a", "http://[::1]/a"),
        ("http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080/"),
        ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
    ],
)
def test_ipv6_hosts(raw: str, expected: str) -> None:
    assert normalise_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("http://[::1", "closing ']'"),
        ("http://exa mple.com", "white space"),
        ("http://example.com/a b", "white space"),
        ("http://", "no host"),
        ("http:///path", "no host"),
        ("example.com/path", "no scheme"),
        ("http://example.com:99999/", "port"),
        ("http://example.com:http/", "port"),
        ("http://exa$mple.com/", "cannot have"),
        ("http://[zz::1]/", "IPv6"),
        ("http://a..b.com/", "empty label"),
        ("http://.example.com/", "empty label"),
        ("http://☃☃..com/", "empty label"),
        ("http://xn--a.com/", "international domain name"),
    ],
)
def test_malformed_urls_raise_with_a_clear_message(raw: str, words: str) -> None:
    with pytest.raises(MalformedURL) as caught:
        normalise_url(raw)
    assert words in str(caught.value)


def test_malformed_url_is_a_value_error() -> None:
    assert issubclass(MalformedURL, ValueError)


def test_other_schemes_keep_their_form_with_a_lower_case_scheme() -> None:
    assert normalise_url("MAILTO:Jane.Doe@Example.COM?subject=Hi") == "mailto:Jane.Doe@example.com?subject=Hi"
    assert normalise_url("tel:+1-555-0100") == "tel:+1-555-0100"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://web.archive.org/web/20120326000000/http://example.com/a",
            WaybackLocation("http://example.com/a", "20120326000000", ""),
        ),
        (
            "http://web.archive.org/web/20120326id_/http://example.com/a?x=1",
            WaybackLocation("http://example.com/a?x=1", "20120326", "id_"),
        ),
        (
            "https://web.archive.org/web/20120326123456if_/https://example.com/",
            WaybackLocation("https://example.com/", "20120326123456", "if_"),
        ),
        (
            "https://web.archive.org/web/20120326im_/https://example.com/a.png",
            WaybackLocation("https://example.com/a.png", "20120326", "im_"),
        ),
        # The archive accepts the original with one slash after the scheme, or with no scheme.
        (
            "https://web.archive.org/web/20120326/http:/example.com/a",
            WaybackLocation("http://example.com/a", "20120326", ""),
        ),
        (
            "https://web.archive.org/web/2012/https:/example.com/a",
            WaybackLocation("https://example.com/a", "2012", ""),
        ),
        (
            "https://web.archive.org/web/20120326/example.com/a",
            WaybackLocation("http://example.com/a", "20120326", ""),
        ),
        (
            "https://web.archive.org/web/20120326*/example.com",
            WaybackLocation("http://example.com", "20120326", "*"),
        ),
        (
            "https://archive.org/web/20120326/http://example.com/",
            WaybackLocation("http://example.com/", "20120326", ""),
        ),
    ],
)
def test_parse_wayback(url: str, expected: WaybackLocation) -> None:
    assert parse_wayback(url) == expected
    assert classify_url(url) is ReferenceKind.ARCHIVE


@pytest.mark.parametrize(
    "url",
    [
        "https://web.archive.org/",
        "https://web.archive.org/web/*/example.com",
        "https://example.com/web/20120326/http://example.com/",
        "https://web.archive.org/details/something",
    ],
)
def test_not_a_wayback_snapshot(url: str) -> None:
    assert parse_wayback(url) is None


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("doi:10.1000/xyz123", "10.1000/xyz123"),
        ("DOI:10.1000/xyz123", "10.1000/xyz123"),
        ("doi: 10.1000/xyz123", "10.1000/xyz123"),
        ("https://doi.org/10.1000/ABC(1)", "10.1000/ABC(1)"),
        ("http://dx.doi.org/10.1038/nphys1170", "10.1038/nphys1170"),
        ("https://doi.org/10.1002/(SICI)1097-4571", "10.1002/(SICI)1097-4571"),
    ],
)
def test_parse_doi(raw: str, doi: str) -> None:
    assert parse_doi(raw) == doi
    assert classify_url(raw) is ReferenceKind.DOI


@pytest.mark.parametrize("raw", ["https://example.com/10.1000/x", "doi:11.1000/x", "10.1000/x", "doi:10.1/x"])
def test_not_a_doi(raw: str) -> None:
    assert parse_doi(raw) is None


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("mailto:someone@example.com", ReferenceKind.EMAIL),
        ("MAILTO:someone@example.com", ReferenceKind.EMAIL),
        ("https://example.com/", ReferenceKind.EXTERNAL),
        ("ftp://example.com/", ReferenceKind.EXTERNAL),
        ("//example.com/x", ReferenceKind.EXTERNAL),
        ("../Page/X.md", ReferenceKind.INTERNAL),
        ("#section", ReferenceKind.INTERNAL),
    ],
)
def test_classify_url(url: str, kind: ReferenceKind) -> None:
    assert classify_url(url) is kind


def test_only_http_and_https_are_checkable() -> None:
    assert is_checkable("https://example.com/") and is_checkable("HTTP://example.com/")
    assert not any(is_checkable(url) for url in ("mailto:a@b.c", "ftp://example.com/", "doi:10.1000/x"))


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a",
        "http://example.com:8080/a?b=c",
        "https://example.com:443/a",
        "http://example.com:80/a",
        "ftp://example.com:21/f",
        "http://127.0.0.2:37425/ok/1",
        "http://example.com:99999/a",
        "http://example.com:0/a",
        "http://Example.com:8080/a",
        "http://example.com:8080",
        "http://example.com:8080/a b",
    ],
)
def test_the_fast_check_never_passes_a_url_normalising_would_change(url: str) -> None:
    try:
        normal = normalise_url(url)
    except MalformedURL:
        normal = None
    if is_normalised(url):
        assert normal == url


def test_urls_with_their_own_port_take_the_fast_path() -> None:
    assert is_normalised("http://example.com:8080/a?b=c")
    assert is_normalised("http://127.0.0.2:37425/ok/1")
    assert not is_normalised("http://example.com:80/a")  # the default port is dropped
    assert not is_normalised("https://example.com:443/a")
    assert not is_normalised("http://example.com:99999/a")  # not a port at all
