"""`verifier extract --fail-on-issues`: the offline pre-commit gate on footnotes and references."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier import cli


def test_clean_document_passes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text("# Notes\n\nText[^1].\n\n[^1]: A source <https://example.org/a>.\n", encoding="utf-8")
    assert cli.main(["extract", str(clean), "--fail-on-issues"]) == 0


@pytest.mark.parametrize(
    "text",
    [
        "# Notes\n\nText[^1].\n",  # cited, never defined
        "# Notes\n\nText.\n\n[^1]: defined, never cited\n",
        "# Notes\n\nSee [a page](missing/page.md).\n",  # links to a file that does not exist
    ],
)
def test_footnote_and_reference_issues_fail(tmp_path: Path, text: str) -> None:
    document = tmp_path / "doc.md"
    document.write_text(text, encoding="utf-8")
    assert cli.main(["extract", str(document)]) == 0
    assert cli.main(["extract", str(document), "--fail-on-issues"]) == 1


def test_the_markdown_seed_has_an_issue(seeds_dir: Path) -> None:
    # Reference 2 of the seed is empty and four internal pages are missing.
    assert cli.main(["extract", str(seeds_dir / "000_c3dc2c98d2c962ed.txt"), "--fail-on-issues"]) == 1
