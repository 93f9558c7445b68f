"""The Markdown seed against its hand-written golden file."""

from __future__ import annotations

from pathlib import Path

from tests.golden import load_golden, reference_as_golden
from tests.unit.extract.markdown.helpers import extract
from verifier.extract.base import Extraction

SEED = "seeds/000_c3dc2c98d2c962ed.txt"


def _extract_seed(seeds_dir: Path) -> Extraction:
    path = seeds_dir / "000_c3dc2c98d2c962ed.txt"
    return extract(path.read_text(encoding="utf-8"), path=SEED, fs_path=path)


def test_seed_references_match_the_golden_file(seeds_dir: Path) -> None:
    golden = load_golden("seed_000.json")
    extraction = _extract_seed(seeds_dir)
    assert [reference_as_golden(r) for r in extraction.references] == golden["references"]


def test_seed_footnote_issues_match_the_golden_file(seeds_dir: Path) -> None:
    golden = load_golden("seed_000.json")
    extraction = _extract_seed(seeds_dir)
    found = [{"kind": i.kind.value, "label": i.label, "line": i.line} for i in extraction.footnote_issues]
    assert found == golden["footnote_issues"]


def test_seed_figures(seeds_dir: Path) -> None:
    references = _extract_seed(seeds_dir).references
    assert len(references) == 25
    missing = [r.raw for r in references if r.issues]
    assert missing == [
        "../Page/國際會議暨展示中心.md",
        "../Page/美国.md",
        "../Page/俄罗斯.md",
        "../Page/国际原子能机构.md",
    ]
    assert [r.kind.value for r in references].count("archive") == 1
