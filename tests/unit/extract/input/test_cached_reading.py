"""Reading through the extraction cache: a large file is read again rather than held twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from verifier.extract import cache as extraction_cache
from verifier.extract.discover import InputFile
from verifier.extract.parallel import Job
from verifier.model import Document, InputProblem


class Cache:
    def __init__(self) -> None:
        self.kept: dict[str, tuple[str, Document | None, list[InputProblem]]] = {}

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None:
        found = self.kept.get(path)
        return None if found is None or found[0] != key else (found[1], found[2])

    def put(self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]) -> None:
        self.kept[path] = (key, document, list(problems))


def _read(folder: Path, cache: Cache) -> list[Document]:
    documents: list[Document] = []
    extraction_cache.read_inputs([str(folder)], documents, [], cache=cache)
    return documents


def _after_hashing(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object]) -> Callable[[], None]:
    """Every file read again by its extraction, and ``meanwhile`` done between its hashing and
    that reading; returns what puts planning back as it was."""
    monkeypatch.setattr(extraction_cache, "REREAD_BYTES", 1)
    planned = extraction_cache.plan_input

    def plan_then(item: InputFile, cache: Cache) -> object:
        step = planned(item, cache)
        meanwhile()
        return step

    monkeypatch.setattr(extraction_cache, "plan_input", plan_then)
    return lambda: monkeypatch.setattr(extraction_cache, "plan_input", planned)


def test_a_large_file_is_read_again_by_its_extraction_and_then_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extraction_cache, "REREAD_BYTES", 64)
    page = tmp_path / "a.md"
    page.write_text("See [a](http://a.test/one) and [b](http://a.test/two), at some length.\n")
    job = extraction_cache.plan_input(InputFile(page, "a.md"), Cache())
    assert isinstance(job, Job) and job.data is None and job.key is not None
    cache = Cache()
    (first,) = _read(tmp_path, cache)
    assert [reference.url for reference in first.references] == ["http://a.test/one", "http://a.test/two"]
    key = cache.kept[first.path][0]
    assert key.endswith(first.digest)
    (again,) = _read(tmp_path, cache)
    assert again == first


def test_a_small_file_is_handed_over_as_the_bytes_already_read(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_text("See [a](http://a.test/one).\n")
    job = extraction_cache.plan_input(InputFile(page, "a.md"), Cache())
    assert isinstance(job, Job) and job.data == page.read_bytes()


def test_a_file_changed_between_its_hashing_and_its_reading_is_kept_under_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "a.md"
    page.write_text("Old [a](http://a.test/old).\n")
    restore = _after_hashing(
        monkeypatch, lambda: page.write_text("New [b](http://a.test/new), changed meanwhile.\n")
    )
    cache = Cache()
    (document,) = _read(tmp_path, cache)
    assert [reference.url for reference in document.references] == ["http://a.test/new"]
    key = cache.kept[document.path][0]
    # The key names the text that was extracted, so the old text can never be answered with it.
    assert key.endswith(document.digest)
    restore()
    (again,) = _read(tmp_path, cache)
    assert again == document


def test_a_file_gone_between_its_hashing_and_its_reading_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "a.md"
    page.write_text("See [a](http://a.test/one).\n")
    aside = tmp_path.parent / f"{tmp_path.name}-aside.md"
    restore = _after_hashing(monkeypatch, lambda: page.rename(aside))
    cache = Cache()
    documents: list[Document] = []
    problems: list[InputProblem] = []
    extraction_cache.read_inputs([str(page)], documents, problems, cache=cache)
    assert documents == [] and "cannot read file" in problems[0].message
    assert cache.kept == {}
    # Back, unchanged: read as it is, not answered with the error.
    aside.rename(page)
    restore()
    (document,) = _read(tmp_path, cache)
    assert [reference.url for reference in document.references] == ["http://a.test/one"]
