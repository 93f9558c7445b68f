"""Large documents are parsed piece by piece, with the same result as in one go."""

from __future__ import annotations

import pytest

from tests.unit.extract.markdown.bench_markdown import generate
from verifier.extract.base import Source
from verifier.extract.markdown import _extract
from verifier.extract.markdown_chunks import chunk_spans, may_hold_references


def test_pieces_cover_the_text_and_never_cut_inside_fences_or_html() -> None:
    text = (
        "para one\n\nPara two\n\n```\ncode\n\nInside fence\n```\n\nAfter\n\n- list\n\n- more\n\n"
        "<!-- c\n\nInside comment -->\n\n<PRE>\n\nInside pre\n</pre>\n\nEnd\n"
    )
    pieces = [text[start:end] for start, end in chunk_spans(text, 1)]
    assert "".join(pieces) == text
    assert pieces == [
        "para one\n\n",
        "Para two\n\n```\ncode\n\nInside fence\n```\n\n",
        "After\n\n- list\n\n- more\n\n<!-- c\n\nInside comment -->\n\n<PRE>\n\nInside pre\n</pre>\n\n",
        "End\n",
    ]


def test_unclosed_fence_keeps_the_rest_together() -> None:
    text = "a\n\nB\n```\nx\n\nC\n\nD\n"
    assert [text[s:e] for s, e in chunk_spans(text, 1)] == ["a\n\n", "B\n```\nx\n\nC\n\nD\n"]


def test_pieces_without_reference_material_are_skipped() -> None:
    assert not may_hold_references("Plain prose, with: colons and - dashes.\n\n## Heading\n")
    assert may_hold_references("See https://example.com\n")
    assert may_hold_references("Text\n\n  12. item\n")
    assert may_hold_references("A [link]\n")


@pytest.mark.parametrize("density", [1.0, 0.1])
def test_piecewise_extraction_equals_whole_document_extraction(density: float) -> None:
    text = generate(300_000, seed=3, density=density)
    # A definition far below its use must still resolve the use above it.
    text = "Early [use][late-def] of a label.\n\n" + text + "\n[late-def]: https://late.example.com/\n"
    whole = _extract(Source(text=text, path="big.md"), chunk_size=None)
    pieces = _extract(Source(text=text, path="big.md"), chunk_size=2_000)
    assert pieces.references == whole.references
    assert pieces.footnote_issues == whole.footnote_issues
    assert len(whole.references) > 300
    late = [r for r in whole.references if r.url == "https://late.example.com/"]
    assert [r.text for r in late] == ["use"]
