"""What a check run needs from a store, whatever keeps the data.

The runner and the library API speak only to :class:`ResultStore`; the SQLite file of the
command line (:mod:`verifier.store.sqlite`) and the in-memory store of tests and short-lived
library use (:mod:`verifier.store.memory`) are two implementations, and a server database is
meant to be a third. What a scheduled service adds later (each URL's next due time, leases on
hosts, cool-downs after a 429) extends this protocol rather than the runner.

Writes may be queued: ``record_*`` calls are cheap, and :meth:`ResultStore.flush` (or the
background flushing of :meth:`ResultStore.flushing`) makes them durable. Reads flush first, so
a reader always sees every write made before it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol, Self

from verifier._exceptions import StoreError
from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult, WorkItem


class ExtractionCache(Protocol):
    """What extracting a file gave last time, keyed by its path and a key of its bytes."""

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None: ...

    def put(
        self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]
    ) -> None: ...


class ResultStore(Protocol):
    """Runs, each URL's newest result and history, and cached archive answers."""

    @property
    def extractions(self) -> ExtractionCache | None:
        """Where extracted documents are cached, or None when this store keeps none."""
        ...

    # Runs

    def start_run(self, now: dt.datetime) -> int: ...

    def finish_run(self, run_id: int, status: str, now: dt.datetime) -> None:
        """Mark the run ``complete`` or ``interrupted``, every queued write made durable first."""
        ...

    # Results and history

    def record_result(
        self,
        run_id: int,
        result: LinkResult,
        *,
        live_outcome: Outcome,
        live_reason: str,
        history: HistoryRow | None,
    ) -> None: ...

    def record_history(self, url: str, history: HistoryRow) -> None: ...

    def fresh_results(
        self, urls: Iterable[str], ttl: Mapping[Outcome, float], now: dt.datetime
    ) -> dict[str, StoredResult]:
        """Each URL's newest real check still within its outcome's TTL, with its history."""
        ...

    def histories(self, urls: Iterable[str]) -> dict[str, HistoryRow]: ...

    # Archive lookups

    def archive_lookup(
        self, url: str, target: str, now: dt.datetime, *, found_ttl: float, none_ttl: float
    ) -> ArchiveLookup | None: ...

    def record_archive_lookup(
        self, url: str, target: str, snapshot: Snapshot | None, now: dt.datetime
    ) -> None: ...

    # Durability

    def flush(self) -> None: ...

    def flushing(self) -> AbstractAsyncContextManager[None]:
        """While entered, queued writes reach the store within its batch interval even if
        answers are slow; an async context so that it runs beside the checks."""
        ...

    def close(self) -> None: ...


class SharedWork(Protocol):
    """What the service's processes, on one machine or many, share through the store.

    The store is the truth of what is due: a run writes its due URLs here as work items, a
    queue task checks one host's items, and an item is marked done in the same transaction as
    its result, so a task that dies is simply run again and nothing is recorded twice. Leases
    give a host to one worker at a time; cool-downs and the archive's quiet hold every worker.
    Times are UTC epoch seconds; every call except :meth:`work_done` is durable on return.
    """

    # Work items

    def add_work(self, job: str, items: Iterable[WorkItem]) -> int:
        """Add the job's items; an item already there (same job and URL) is kept as it is.
        Returns how many were new."""
        ...

    def work_hosts(self, job: str) -> dict[str, int]:
        """Each host with items of the job not yet done, and how many."""
        ...

    def pending_work(self, job: str, host: str) -> list[WorkItem]:
        """The job's items for ``host`` not yet done, in the order they were added."""
        ...

    def work_done(self, job: str, url: str) -> None:
        """Mark an item done; queued like a result, and written in the same transaction as
        the writes queued before it."""
        ...

    def work_progress(self, job: str) -> tuple[int, int]:
        """(done, total) for the job."""
        ...

    def drop_work(self, job: str) -> None:
        """Forget the job's items (a cancelled or finished run)."""
        ...

    # Hosts

    def take_host(self, host: str, owner: str, until: float, now: float) -> bool:
        """Lease ``host`` to ``owner`` until ``until``: True when it was free (never leased,
        expired by ``now``, or already ``owner``'s, whose lease is then extended)."""
        ...

    def release_host(self, host: str, owner: str) -> None:
        """End ``owner``'s lease on ``host`` (another owner's lease is left alone)."""
        ...

    def leased_hosts(self, hosts: Iterable[str], now: float) -> set[str]:
        """Those of ``hosts`` under a lease that has not expired by ``now``."""
        ...

    def lease_owners(self, now: float) -> dict[str, str]:
        """Every lease that has not expired by ``now``: host to owner (a process starting on a
        machine lets go of the leases its dead predecessors held there)."""
        ...

    def cool_host(self, host: str, until: float) -> None:
        """No request to ``host`` before ``until`` (never shortens an earlier cool-down)."""
        ...

    def host_cool_until(self, host: str) -> float:
        """When the host's cool-down ends (0 when it has none)."""
        ...

    # The archive

    def quiet_archive(self, egress: str, until: float) -> None:
        """No archive call from ``egress`` before ``until`` (never shortens an earlier quiet)."""
        ...

    def archive_quiet_until(self, egress: str) -> float:
        """When the archive's quiet for ``egress`` ends (0 when there is none)."""
        ...


class BatchedStore:
    """What every store that queues its writes shares: periodic flushing and closing.

    A subclass sets ``batch_seconds`` and defines ``flush`` and ``_close``.
    """

    batch_seconds: float

    def flush(self) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def flushing(self) -> AsyncIterator[None]:
        """Results reach the store within ``batch_seconds`` even when answers are slow."""
        import asyncio  # a warm run never starts an event loop

        async def now_and_then() -> None:
            while True:
                await asyncio.sleep(self.batch_seconds)
                self.flush()

        task = asyncio.create_task(now_and_then())
        try:
            yield
        finally:
            task.cancel()

    def close(self) -> None:
        """Write what is queued, then let go of the connection."""
        try:
            self.flush()
        finally:
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def steps_to_apply(version: int, migrations: Sequence[tuple[int, str]], where: str) -> list[tuple[int, str]]:
    """The migration steps a store at ``version`` still needs, oldest first.

    A store written by a newer verifier is refused rather than read wrongly.
    """
    newest = migrations[-1][0]
    if version > newest:
        raise StoreError(f"{where}: written by a newer verifier (schema {version}, this one knows {newest})")
    return [(step, script) for step, script in migrations if version < step]
