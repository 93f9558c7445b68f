"""From paths as typed to files: directories, globs, hidden folders, duplicates, missing paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.extract.discover import InputFile, StandardInput, iter_input_files
from verifier.model import InputProblem


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Path]:
    files = [
        "docs/b.md",
        "docs/a.txt",
        "docs/sub/c.html",
        "docs/sub/deeper/d.wiki",
        "docs/.hidden.md",
        "docs/.git/config",
        "docs/.venv/lib/readme.md",
        "docs/__pycache__/x.txt",
        "docs/node_modules/pkg/README.md",
        "docs/.github/workflows/notes.md",
        "other/e.md",
    ]
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"document {name}\n", encoding="utf-8")
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(previous)


def shown(paths: list[str]) -> list[str]:
    out: list[str] = []
    for item in iter_input_files(paths):
        if isinstance(item, InputFile):
            out.append(item.display_path)
        elif isinstance(item, InputProblem):
            out.append(f"problem {item.path}: {item.message}")
        else:
            out.append(item.display_path)
    return out


def test_a_directory_is_walked_recursively_in_sorted_order_skipping_hidden_and_tool_folders(
    tree: Path,
) -> None:
    assert shown(["docs"]) == ["docs/a.txt", "docs/b.md", "docs/sub/c.html", "docs/sub/deeper/d.wiki"]


def test_display_paths_are_as_written_without_dot_segments_or_trailing_slashes(tree: Path) -> None:
    assert shown(["./docs/sub/"]) == ["docs/sub/c.html", "docs/sub/deeper/d.wiki"]
    assert shown(["./docs/b.md"]) == ["docs/b.md"]


def test_an_absolute_path_stays_absolute(tree: Path) -> None:
    assert shown([str(tree / "other")]) == [str(tree / "other" / "e.md")]


def test_a_hidden_file_named_explicitly_is_read(tree: Path) -> None:
    assert shown(["docs/.hidden.md"]) == ["docs/.hidden.md"]


def test_a_hidden_directory_named_explicitly_is_walked(tree: Path) -> None:
    assert shown(["docs/.github"]) == ["docs/.github/workflows/notes.md"]


def test_globs_expand_sorted_with_double_star_reaching_any_depth(tree: Path) -> None:
    assert shown(["docs/**/*.md", "docs/*.txt"]) == ["docs/b.md", "docs/a.txt"]
    assert shown(["**/*.wiki"]) == ["docs/sub/deeper/d.wiki"]
    assert shown(["docs/su?"]) == ["docs/sub/c.html", "docs/sub/deeper/d.wiki"]


def test_a_glob_matching_nothing_is_a_problem(tree: Path) -> None:
    assert shown(["docs/*.pdf"]) == ["problem docs/*.pdf: no files match this pattern"]


def test_a_missing_path_is_a_problem_and_the_others_still_come(tree: Path) -> None:
    assert shown(["other", "nowhere/x.md", "docs/b.md"]) == [
        "other/e.md",
        "problem nowhere/x.md: no such file or directory",
        "docs/b.md",
    ]


def test_each_file_comes_once_however_many_arguments_name_it(tree: Path) -> None:
    assert shown(["docs/b.md", "docs", "./docs/b.md", str(tree / "docs" / "b.md")]) == [
        "docs/b.md",
        "docs/a.txt",
        "docs/sub/c.html",
        "docs/sub/deeper/d.wiki",
    ]


def test_dangling_symbolic_links_are_passed_over(tree: Path) -> None:
    (tree / "docs" / "zz-link.md").symlink_to(tree / "gone.md")
    assert "docs/zz-link.md" not in shown(["docs"])


def test_a_fifo_is_not_read(tree: Path) -> None:
    os.mkfifo(tree / "pipe")
    items = list(iter_input_files(["pipe"]))
    assert items == [InputProblem("pipe", None, "not a regular file, skipped", severity="warning")]


def test_a_dash_means_standard_input_once(tree: Path) -> None:
    items = list(iter_input_files(["-", "other", "-"]))
    assert items == [StandardInput(), InputFile(Path("other/e.md"), "other/e.md")]


def test_globs_skip_tool_folders_unless_the_pattern_names_them(tree: Path) -> None:
    assert shown(["docs/node_modules/**/*.md"]) == ["docs/node_modules/pkg/README.md"]
    assert shown(["docs/**/*.txt"]) == ["docs/a.txt"]
