"""Many files read by worker processes give what reading them in turn gives, in the same order."""

from __future__ import annotations

from pathlib import Path

from verifier.extract import iter_documents
from verifier.extract.discover import iter_input_files
from verifier.extract.parallel import Job, extract_in_order, input_size
from verifier.model import Document, InputProblem

PAGE = (
    '<p>{n} <a href="https://example.org/{n}">x</a><sup class="reference"><a href="#n{n}">[1]</a></sup></p>'
)


def _folder(tmp_path: Path) -> Path:
    for n in range(12):
        body = PAGE.format(n=n) * (4000 if n == 3 else 200)
        (tmp_path / f"page-{n:02d}.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    return tmp_path


def _read(folder: Path, workers: int) -> list[tuple[str, object, object]]:
    def plan(item: object) -> Job | None:
        if isinstance(item, InputProblem):
            return None
        return Job(item.display_path, item.fs_path)  # type: ignore[attr-defined]

    found = extract_in_order(iter_input_files([str(folder)]), plan, size=input_size, workers=workers)
    return [
        (job.display_path if job else "", *result) if result else ("", None, None) for _, job, result in found
    ]


def test_workers_give_the_same_documents_in_the_same_order(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    in_turn = _read(folder, 1)
    assert _read(folder, 2) == in_turn
    assert [path for path, _, _ in in_turn] == sorted(path for path, _, _ in in_turn)


def test_the_extract_front_door_reads_a_folder_in_workers_the_same(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    items = list(iter_documents([str(folder)]))
    documents = [item for item in items if isinstance(item, Document)]
    problems = [item for item in items if isinstance(item, InputProblem)]
    assert [document.path.rsplit("/", 1)[-1] for document in documents][:2] == ["empty.md", "page-00.html"]
    assert sum(len(document.references) for document in documents) == 11 * 200 + 4000
    assert {problem.path.rsplit("/", 1)[-1] for problem in problems} == {"binary.md", "empty.md"}
