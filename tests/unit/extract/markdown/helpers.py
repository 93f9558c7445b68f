"""Helpers for the Markdown extractor tests."""

from __future__ import annotations

from pathlib import Path

from verifier.extract.base import Extraction, Source
from verifier.extract.markdown import extract_markdown


def extract(text: str, path: str = "doc.md", fs_path: Path | None = None) -> Extraction:
    """Extract ``text`` and check the promise every reference makes: ``raw`` is at ``start:end``."""
    extraction = extract_markdown(Source(text=text, path=path, fs_path=fs_path))
    for reference in extraction.references:
        assert text[reference.start : reference.end] == reference.raw, reference
        line_start = text.rfind("\n", 0, reference.start) + 1
        assert reference.line == text.count("\n", 0, reference.start) + 1, reference
        assert reference.column == reference.start - line_start + 1, reference
    return extraction


def urls(extraction: Extraction) -> list[str]:
    return [reference.url for reference in extraction.references]
