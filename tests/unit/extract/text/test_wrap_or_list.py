"""A URL wrapped onto the next line against a list of URLs, one to a line."""

from __future__ import annotations

import pytest

from verifier.extract.base import Source
from verifier.extract.text import extract_text
from verifier.model import ReferenceKind


def urls(text: str) -> list[str]:
    extraction = extract_text(Source(text=text, path="doc.txt"))
    for reference in extraction.references:
        assert text[reference.start : reference.end] == reference.raw
    return [r.url for r in extraction.references if r.kind is not ReferenceKind.CITATION]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "see http://www.ietf.org/rfc/rfc2396.txt\n\nldap://[2001:db8::7]/c=GB\n",
            ["http://www.ietf.org/rfc/rfc2396.txt"],
        ),
        ("http://foo.bar.invalid\nfoo.bar.invalid/some/path\n", ["http://foo.bar.invalid/"]),
        # Never across a blank line, whatever the next paragraph starts with.
        ("See http://example.com/a/\n\nb/c.html is next\n", ["http://example.com/a/"]),
        ("See http://example.com/a/\n  \t\n14/world/x.html\n", ["http://example.com/a/"]),
        # A next line that is an address of its own: any scheme, "//", a host, an IP address.
        ("http://example.com/a/\nfile:///etc/hosts\n", ["http://example.com/a/"]),
        (
            "http://example.com/a/\nmailto:someone@example.org\n",
            ["http://example.com/a/", "mailto:someone@example.org"],
        ),
        ("http://example.com/a/\nurn:isbn:0451450523\n", ["http://example.com/a/"]),
        ("http://example.com/a/\n//cdn.example.net/lib.js\n", ["http://example.com/a/"]),
        ("http://example.com/a/\nexample.org/docs\n", ["http://example.com/a/"]),
        ("http://example.com/a/\ndocs.example.org:8080/x\n", ["http://example.com/a/"]),
        ("http://example.com/a/\n192.0.2.1/status\n", ["http://example.com/a/"]),
        ("http://example.com/a/\nlocalhost/admin\n", ["http://example.com/a/"]),
        # A URL ending in a whole file name is not continued by a word.
        ("http://example.com/rfc2396.txt\nnotes/more.html\n", ["http://example.com/rfc2396.txt"]),
        ("http://example.com/index.pdf\nappendix_2\n", ["http://example.com/index.pdf"]),
    ],
)
def test_a_list_of_addresses_is_not_one_url(text: str, expected: list[str]) -> None:
    assert urls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The PDF seed's two wraps.
        (
            "① http://www.nytimes.com/2010/04/ \n14/world/14summit.html. \n",
            "http://www.nytimes.com/2010/04/14/world/14summit.html",
        ),
        (
            "② http://www.sltrib.com/ \nnationworld/ci_14875348. \n",
            "http://www.sltrib.com/nationworld/ci_14875348",
        ),
        # A host cut at a hyphen or a dot goes on with the rest of the host.
        ("see http://www.exam-\nple.com/page now\n", "http://www.exam-ple.com/page"),
        # A file name goes on with its query or fragment.
        ("see http://example.com/index.php\n?id=12&lang=en\n", "http://example.com/index.php?id=12&lang=en"),
        # A path segment with a dot in it is no host name.
        ("http://example.com/docs/\nv1.2/index.html\n", "http://example.com/docs/v1.2/index.html"),
        ("http://example.com/files/\nreport.html/print\n", "http://example.com/files/report.html/print"),
    ],
)
def test_a_wrapped_url_is_still_joined(text: str, expected: str) -> None:
    assert urls(text) == [expected]


def test_each_url_of_a_list_is_its_own_reference() -> None:
    text = (
        "Sources:\n"
        "http://www.ietf.org/rfc/rfc2396.txt\n"
        "https://example.org/a/\n"
        "www.example.net/b\n"
        "ftp://ftp.example.com/pub/\n"
        "\n"
        "https://example.org/c/\n"
    )
    assert urls(text) == [
        "http://www.ietf.org/rfc/rfc2396.txt",
        "https://example.org/a/",
        "http://www.example.net/b",
        "ftp://ftp.example.com/pub/",
        "https://example.org/c/",
    ]
