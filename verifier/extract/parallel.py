"""Extracting many files at once: worker processes, one a CPU, results in the order of the inputs.

Extraction is CPU-bound Python, so threads would take turns; processes do not. Workers are
only started when there is enough to read to pay for them (a few files of a few hundred
kilobytes in all), so a single document or a run served from the extraction cache starts
none. Each result comes back in the inputs' order whatever finishes first, so reports and
warnings read as they did when every file was read in turn.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from verifier.model import Document, Format, InputProblem

if TYPE_CHECKING:
    import multiprocessing.context
    from concurrent.futures import Future

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")
Result = tuple[Document | None, list[InputProblem]]

#: Below this many bytes in all, starting workers costs more than it saves.
MIN_PARALLEL_BYTES = 512 * 1024
#: Small files go to a worker together, up to this many bytes or files: a job's trip to a
#: worker and back costs about a millisecond, as much as reading a short README.
_BATCH_BYTES = 256 * 1024
_BATCH_FILES = 16
#: How many batches each worker may have queued, to keep it busy.
_QUEUED_PER_WORKER = 2
#: How many results a worker's share may hold back while the one first in line is read: a
#: bound on the memory results take, as each is given back only in the inputs' order.
_HELD_PER_WORKER = 64


@dataclass(frozen=True, slots=True)
class Job:
    """One file to extract: its bytes when the caller has them, else it is read where it runs."""

    display_path: str
    fs_path: Path | None
    data: bytes | None = None
    fmt: Format | None = None
    key: str | None = None  # the caller's, handed back with the result (an extraction cache key)


def run_job(job: Job) -> Result:
    """The document and problems of one job, in this process."""
    from verifier.extract import extract_bytes, extract_file

    if job.data is not None:
        return extract_bytes(job.data, job.display_path, job.fs_path, fmt=job.fmt)
    assert job.fs_path is not None
    return extract_file(job.fs_path, job.display_path, fmt=job.fmt)


def input_size(item: object) -> int:
    """The bytes a file waiting to be read holds (0 for anything else), to judge whether workers pay."""
    from verifier.extract.discover import InputFile

    if not isinstance(item, InputFile):
        return 0
    try:
        return item.fs_path.stat().st_size
    except OSError:
        return 0


def available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # Forking copies the imported extractors for free, but is unsafe once other threads may
    # hold locks; then each worker starts afresh.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _worker_count(sizes: list[int], workers: int | None) -> int:
    if workers is not None:
        return max(1, min(workers, len(sizes)))
    files = sum(1 for size in sizes if size > 0)
    if files < 2 or sum(sizes) < MIN_PARALLEL_BYTES:
        return 1
    return max(1, min(available_cpus(), files))


def extract_in_order(
    items: Iterable[Item],
    plan: Callable[[Item], Job | Result | None],
    *,
    size: Callable[[Item], int] = lambda item: 0,
    workers: int | None = None,
) -> Iterator[tuple[Item, Job | None, Result | None]]:
    """``run_in_order`` with ``run_job``: each item's document and problems."""
    return run_in_order(items, plan, run_job, size=size, workers=workers)


def run_in_order(
    items: Iterable[Item],
    plan: Callable[[Item], Job | Outcome | None],
    runner: Callable[[Job], Outcome],
    *,
    size: Callable[[Item], int] = lambda item: 0,
    workers: int | None = None,
) -> Iterator[tuple[Item, Job | None, Outcome | None]]:
    """Each item with its job and ``runner``'s outcome of it (or what ``plan`` gave instead), in order.

    ``runner`` must be a module-level function, as it may run in another process. ``plan``
    says what an item needs: a Job to run, the outcome it already has, or None (an item
    with nothing to extract); it is called for each item just before its turn, so no more
    than a few files' bytes are held at once. ``size`` tells how many bytes an item may have
    to extract, to judge whether workers pay. ``workers`` None uses one process a CPU when
    there is enough to read; 1 reads everything in this process.
    """
    listed = list(items)
    sizes = [size(item) for item in listed]
    count = _worker_count(sizes, workers)
    if count == 1:
        for item in listed:
            step = plan(item)
            if isinstance(step, Job):
                yield item, step, runner(step)
            else:
                yield item, None, step
        return
    yield from _in_workers(listed, sizes, plan, runner, count)


def _in_workers(
    items: list[Item],
    sizes: list[int],
    plan: Callable[[Item], Job | Outcome | None],
    runner: Callable[[Job], Outcome],
    count: int,
) -> Iterator[tuple[Item, Job | None, Outcome | None]]:
    # Outcomes arrive as thousands of long-lived records and no cycles: the cycle collector,
    # left on, would walk them again and again as they are unpickled.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield from _submitted(items, sizes, plan, runner, count)
    finally:
        if was_enabled:
            gc.enable()


class _Batch:
    """Jobs handed to a worker together, and the future of their outcomes (None until handed)."""

    __slots__ = ("future", "jobs")

    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.future: Future[list[Any]] | None = None


def run_batch(runner: Callable[[Job], Outcome], jobs: list[Job]) -> list[Outcome]:
    """Each job's outcome, in a worker."""
    return [runner(job) for job in jobs]


def _submitted(
    items: list[Item],
    sizes: list[int],
    plan: Callable[[Item], Job | Outcome | None],
    runner: Callable[[Job], Outcome],
    count: int,
) -> Iterator[tuple[Item, Job | None, Outcome | None]]:
    # Loaded only when workers are started: a run that reads one file never needs them.
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = _context()
    if context.get_start_method() == "fork":
        # Imported once here, decoding, sniffing and the extractors of text formats come with
        # every forked worker instead of being imported by each (PDF's are left to the rare
        # run that needs them).
        import verifier.extract.decode
        import verifier.extract.sniff  # noqa: F401
        from verifier.extract import import_extractors

        import_extractors([Format.HTML, Format.MARKDOWN, Format.WIKITEXT, Format.TEXT])
    executor = ProcessPoolExecutor(max_workers=count, mp_context=context)
    # In the items' order: the item, its job, the batch it went in and its place there, or
    # the result plan gave.
    pending: deque[tuple[Item, Job | None, _Batch | None, int, Outcome | None]] = deque()
    # Batches handed out and not finished. Work is handed out as batches finish, not as
    # results are given back in order: a long file first in line must not leave the other
    # workers idle until it is done.
    in_flight: set[Future[list[Any]]] = set()
    batch = _Batch()
    batch_bytes = 0
    position = 0
    broken = False

    def hand_out() -> None:
        nonlocal batch, batch_bytes, broken
        if not broken:
            try:
                batch.future = executor.submit(run_batch, runner, batch.jobs)
                in_flight.add(batch.future)
            except BrokenProcessPool:
                broken = True
        batch, batch_bytes = _Batch(), 0

    try:
        while True:
            while (
                len(in_flight) < count * _QUEUED_PER_WORKER
                and len(pending) < count * _HELD_PER_WORKER
                and position < len(items)
            ):
                item, item_size = items[position], sizes[position]
                position += 1
                step = plan(item)
                if not isinstance(step, Job):
                    pending.append((item, None, None, 0, step))
                    continue
                pending.append((item, step, batch, len(batch.jobs), None))
                batch.jobs.append(step)
                batch_bytes += item_size
                if batch_bytes >= _BATCH_BYTES or len(batch.jobs) >= _BATCH_FILES:
                    hand_out()
            if batch.jobs:
                hand_out()  # no job waits unhanded while the results before it are awaited
            if not pending:
                return
            item, job, in_batch, index, ready = pending[0]
            future = in_batch.future if in_batch is not None else None
            if future is not None and not future.done():
                # Wait for any batch, so that the next can be handed out while the first in line runs.
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                in_flight.difference_update(done)
                continue
            pending.popleft()
            if job is None:
                yield item, None, ready
                continue
            if future is None:
                yield item, job, runner(job)
                continue
            in_flight.discard(future)
            try:
                result = future.result()[index]
            except BrokenProcessPool:
                # A worker died (killed for memory, say): what is left is read here, in turn.
                broken = True
                result = runner(job)
            yield item, job, result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
