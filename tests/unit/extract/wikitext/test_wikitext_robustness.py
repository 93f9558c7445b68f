"""Odd wikitext: the extractor keeps going, and every position it reports is exact."""

from __future__ import annotations

import random

from verifier.extract.base import Source
from verifier.extract.wikitext import extract_wikitext

PIECES = [
    "<ref>",
    "</ref>",
    "<ref name=a/>",
    '<ref name="b">',
    "{{cite web|url=http://c.test/|title=t}}",
    "{{",
    "}}",
    "[",
    "]",
    "[[",
    "]]",
    "|",
    "=",
    "http://x.test/p",
    "<!--",
    "-->",
    "<nowiki>",
    "</nowiki>",
    "{{dead link}}",
    "\n",
    " ",
    "text",
    "{{reflist|refs=",
    "<references>",
    "</references>",
    "{{!}}",
    "''",
    "{|",
    "|}",
    "==",
    "&amp;",
    "{{URL|",
    "{{#tag:ref|",
    "<ref />",
    "日本",
    "\r\n",
    "{{{",
    "}}}",
]


def test_random_wikitext_never_raises_and_positions_are_exact() -> None:
    generator = random.Random(20260323)
    for _ in range(400):
        text = "".join(generator.choice(PIECES) for _ in range(generator.randint(1, 40)))
        for reference in extract_wikitext(Source(text, "fuzz.wiki")).references:
            assert text[reference.start : reference.end] == reference.raw
            line_start = text.rfind("\n", 0, reference.start) + 1
            assert reference.line == text.count("\n", 0, reference.start) + 1
            assert reference.column == reference.start - line_start + 1


def test_duplicate_urls_get_their_own_positions() -> None:
    text = "[http://same.test/ one]\n<ref>{{cite web|url=http://same.test/|title=T}}</ref> http://same.test/"
    found = extract_wikitext(Source(text, "dup.wiki"))
    assert [(r.line, r.column) for r in found.references] == [(1, 2), (2, 21), (2, 55)]


def test_unclosed_markup_is_read_as_text() -> None:
    text = "<ref>never closed [http://inside.test/ i]\n{{cite web|url=http://open.test/"
    found = extract_wikitext(Source(text, "open.wiki"))
    assert [r.url for r in found.references] == ["http://inside.test/", "http://open.test/"]
    assert all(r.footnote is None for r in found.references)
