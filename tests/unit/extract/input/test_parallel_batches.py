"""Files handed to workers in batches come back in the inputs' order, whatever finishes first."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from verifier.extract import parallel
from verifier.extract.parallel import Job, run_in_order


def _outcome(job: Job) -> tuple[str, int]:
    assert job.fs_path is not None
    return job.display_path, len(job.fs_path.read_bytes())


def _dying(job: Job) -> tuple[str, int]:
    """A worker that dies on one file, as one killed for its memory would."""
    if job.display_path.endswith("die.txt") and multiprocessing.parent_process() is not None:
        os._exit(1)
    return _outcome(job)


def _folder(tmp_path: Path) -> list[Path]:
    paths = []
    for n in range(60):
        # A long file first in line, then many short ones, and long ones among them.
        size = 3_000_000 if n == 0 else 200_000 if n % 17 == 0 else 2_000
        path = tmp_path / f"{n:02d}.txt"
        path.write_bytes(b"x" * size)
        paths.append(path)
    return paths


def _read(paths: list[Path], runner: object, workers: int) -> list[tuple[Path, object]]:
    found = run_in_order(
        paths,
        lambda path: Job(path.name, path),
        runner,  # type: ignore[arg-type]
        size=lambda path: path.stat().st_size,
        workers=workers,
    )
    return [(path, outcome) for path, _job, outcome in found]


def test_batches_come_back_in_order(tmp_path: Path) -> None:
    paths = _folder(tmp_path)
    assert _read(paths, _outcome, 2) == _read(paths, _outcome, 1)


def test_items_with_nothing_to_run_keep_their_place(tmp_path: Path) -> None:
    paths = _folder(tmp_path)

    def plan(path: Path) -> Job | tuple[str, int] | None:
        number = int(path.stem)
        return None if number % 5 == 0 else ("planned", number) if number % 7 == 0 else Job(path.name, path)

    found = [(path, outcome) for path, _job, outcome in run_in_order(paths, plan, _outcome, workers=2)]
    assert [path for path, _ in found] == paths
    assert found[5][1] is None and found[7][1] == ("planned", 7) and found[8][1] == ("08.txt", 2000)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the runner is found by forking")
def test_a_dead_worker_leaves_the_rest_read_here_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "_BATCH_FILES", 3)
    paths = _folder(tmp_path)
    (tmp_path / "30.txt").rename(tmp_path / "30-die.txt")
    paths[30] = tmp_path / "30-die.txt"
    found = _read(paths, _dying, 2)
    assert found == [(path, (path.name, path.stat().st_size)) for path in paths]
