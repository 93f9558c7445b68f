"""A URL between quotes keeps its closing bracket: it is no prose bracket there."""

from __future__ import annotations

import pytest

from verifier.extract.bareurls import find_bare_urls
from verifier.extract.base import Source
from verifier.extract.text import extract_text
from verifier.model import ReferenceIssueKind


def found(text: str) -> list[str]:
    return [text[start:end] for start, end in find_bare_urls(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<a href="http://localhost]">x</a>', ["http://localhost]"]),
        ("<a href='http://example.org/a)'>x</a>", ["http://example.org/a)"]),
        ('"http://localhost]"', ["http://localhost]"]),
        # Prose brackets around a URL are still left out.
        ("[see http://localhost]", ["http://localhost"]),
        ("(http://example.org/a)", ["http://example.org/a"]),
        ('"http://localhost]', ["http://localhost"]),
        # Sentence punctuation inside quotes is still the sentence's.
        ('He wrote "http://example.org/a."', ["http://example.org/a"]),
    ],
)
def test_quoted_urls_keep_their_closers(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_an_html_attribute_read_as_text_reports_the_broken_host() -> None:
    text = '<p>See <a href="http://localhost]">the server</a></p>\n'
    (reference,) = extract_text(Source(text, "doc.txt")).references
    assert (reference.raw, reference.url) == ("http://localhost]", "http://localhost]")
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MALFORMED_URL]
