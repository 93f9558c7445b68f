"""The PDF-text seed against its hand-written golden file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import load_golden, reference_as_golden
from verifier.extract import extract_file
from verifier.extract.base import Source
from verifier.extract.text import extract_text
from verifier.model import Format

SEED = "003_a0175d8ff7ab9ad7.txt"


@pytest.fixture(scope="module")
def seed_text(seeds_dir: Path) -> str:
    return (seeds_dir / SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seeds_dir() -> Path:
    return Path(__file__).resolve().parents[4] / "seeds"


def test_references_match_the_golden_file(seed_text: str) -> None:
    golden = load_golden("seed_003.json")
    extraction = extract_text(Source(text=seed_text, path=golden["path"]))
    assert [reference_as_golden(r) for r in extraction.references] == golden["references"]


def test_footnote_issues_and_date_match_the_golden_file(seed_text: str) -> None:
    golden = load_golden("seed_003.json")
    extraction = extract_text(Source(text=seed_text, path=golden["path"]))
    found = [{"kind": i.kind.value, "label": i.label, "line": i.line} for i in extraction.footnote_issues]
    assert found == golden["footnote_issues"]
    assert extraction.date is golden["date"] is None


def test_every_raw_is_the_text_at_its_offsets(seed_text: str) -> None:
    extraction = extract_text(Source(text=seed_text, path=SEED))
    for reference in extraction.references:
        assert seed_text[reference.start : reference.end] == reference.raw
        line_start = seed_text.rfind("\n", 0, reference.start) + 1
        assert seed_text.count("\n", 0, reference.start) + 1 == reference.line
        assert reference.start - line_start + 1 == reference.column


def test_the_two_wrapped_urls_come_out_whole(seed_text: str) -> None:
    urls = {r.url for r in extract_text(Source(text=seed_text, path=SEED)).references}
    assert "http://www.nytimes.com/2010/04/14/world/14summit.html" in urls
    assert "http://www.sltrib.com/nationworld/ci_14875348" in urls
    assert not any(url.endswith((".", "/2010/04/", "sltrib.com/")) for url in urls)


def test_the_seed_is_read_as_plain_text_by_the_front_door(seeds_dir: Path) -> None:
    document, problems = extract_file(seeds_dir / SEED, f"seeds/{SEED}")
    assert document is not None, problems
    assert document.format is Format.TEXT
    golden = load_golden("seed_003.json")
    assert [reference_as_golden(r) for r in document.references] == golden["references"]
