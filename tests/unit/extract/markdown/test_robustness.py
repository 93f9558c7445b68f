"""Arbitrary Markdown-like input: never an exception, never an invented position."""

from __future__ import annotations

import random

import pytest

from tests.unit.extract.markdown.helpers import extract
from verifier.extract.base import Source
from verifier.extract.markdown import _extract

_PARTS = (
    "[", "]", "(", ")", "<", ">", "http://a.b/c", "https://x.org/p?q=1", "\n", "\n\n", " ", "`", "```",
    "\\", "*", "_", "![", "[^1]", "[^a]:", "\\[1\\]", "1. ", "2.", "- ", "> ", "    ", "|",
    "<a href='http://h.c/'>", "</a>", "&amp;", "中文", "\t", "\r\n", "[x]:", "[x]", "www.w.com",
    "mailto:a@b.c", "<!--", "-->", "<div>", "</div>", "word", "Word ", "#", "~~~", "<img src=x.png>",
    '"', "'", "doi:10.1000/x", "../Page/a.md", "]:", "^[", "<![", "http://[::1",
)  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_random_documents_extract_consistently(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        text = "".join(rng.choice(_PARTS) for _ in range(rng.randint(1, 60)))
        extract(text)
        pieces = _extract(Source(text=text, path="d.md"), chunk_size=5)
        whole = _extract(Source(text=text, path="d.md"), chunk_size=None)
        assert pieces.references == whole.references, text
        assert pieces.footnote_issues == whole.footnote_issues, text


def test_malformed_html_declaration_does_not_stop_extraction() -> None:
    text = "<div><a href='https://example.com/kept'>x</a><![junk https://example.com/after\n\n[y](https://example.com/y)\n"
    assert "https://example.com/y" in [r.url for r in extract(text).references]
