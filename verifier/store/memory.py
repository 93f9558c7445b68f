"""A store that lives in memory: for tests, and for library use that needs no history on disk.

It keeps the same facts as the SQLite store (each URL's newest real check, its history, archive
answers, extractions, and the shared work of :class:`~verifier.store.base.SharedWork`) with the
same rules, so the runner cannot tell them apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass

from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult, WorkItem


@dataclass(slots=True)
class _Row:
    run_id: int
    result: LinkResult
    live_outcome: Outcome
    live_reason: str


class MemoryExtractionCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, Document | None, list[InputProblem]]] = {}

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None:
        found = self._entries.get(path)
        if found is None or found[0] != key:
            return None
        return found[1], list(found[2])

    def put(self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]) -> None:
        self._entries[path] = (key, document, list(problems))


@dataclass(slots=True)
class _Job:
    """One job's work: every item by URL, and the items not yet done by host.

    Keeping the undone items per host makes ``pending_work`` and ``work_hosts`` cost what they
    return rather than the whole job; dicts keep the order items were added in.
    """

    items: dict[str, WorkItem]
    undone: dict[str, dict[str, WorkItem]]
    done: int = 0


class MemoryStore:
    """Every write is visible at once; ``flush`` has nothing to do."""

    def __init__(self) -> None:
        self.extractions = MemoryExtractionCache()
        self.runs: dict[int, tuple[dt.datetime, dt.datetime | None, str]] = {}
        self._results: dict[str, _Row] = {}
        self._histories: dict[str, HistoryRow] = {}
        self._lookups: dict[tuple[str, str], ArchiveLookup] = {}
        # The service's threads share one store: a lease must go to one of them only.
        self._shared = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._leases: dict[str, tuple[str, float]] = {}
        self._cooldowns: dict[str, float] = {}
        self._quiet: dict[str, float] = {}

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start_run(self, now: dt.datetime) -> int:
        run_id = len(self.runs) + 1
        self.runs[run_id] = (now, None, "running")
        return run_id

    def finish_run(self, run_id: int, status: str, now: dt.datetime) -> None:
        started = self.runs[run_id][0]
        self.runs[run_id] = (started, now, status)

    def record_result(
        self,
        run_id: int,
        result: LinkResult,
        *,
        live_outcome: Outcome,
        live_reason: str,
        history: HistoryRow | None,
    ) -> None:
        # Like the SQLite store, a reused result never replaces the real check it came from.
        if not result.from_cache:
            self._results[result.url] = _Row(run_id, result, live_outcome, live_reason)
        if history is not None:
            self._histories[result.url] = history

    def record_history(self, url: str, history: HistoryRow) -> None:
        self._histories[url] = history

    def fresh_results(
        self, urls: Iterable[str], ttl: Mapping[Outcome, float], now: dt.datetime
    ) -> dict[str, StoredResult]:
        found: dict[str, StoredResult] = {}
        for url in urls:
            row = self._results.get(url)
            if row is None:
                continue
            age = (now - row.result.checked_at).total_seconds()
            if age >= ttl.get(row.result.outcome, 0.0):
                continue
            history = self._histories.get(url)
            result = row.result
            reused = LinkResult(
                result.url,
                result.outcome,
                result.reason,
                result.checked_at,
                result.http_status,
                result.final_url,
                result.redirects,
                result.archive,
                result.original_outcome,
                history.as_reported() if history else None,
                True,
                result.saved_snapshot,
            )
            found[url] = StoredResult(reused, row.live_outcome, row.live_reason, history)
        return found

    def histories(self, urls: Iterable[str]) -> dict[str, HistoryRow]:
        return {url: self._histories[url] for url in urls if url in self._histories}

    def archive_lookup(
        self, url: str, target: str, now: dt.datetime, *, found_ttl: float, none_ttl: float
    ) -> ArchiveLookup | None:
        found = self._lookups.get((url, target))
        if found is None:
            return None
        age = (now - found.looked_up_at).total_seconds()
        return None if age >= (found_ttl if found.snapshot else none_ttl) else found

    def record_archive_lookup(
        self, url: str, target: str, snapshot: Snapshot | None, now: dt.datetime
    ) -> None:
        self._lookups[(url, target)] = ArchiveLookup(snapshot, now)

    # Shared work

    def add_work(self, job: str, items: Iterable[WorkItem]) -> int:
        with self._shared:
            work = self._jobs.setdefault(job, _Job({}, {}))
            new = 0
            for item in items:
                if item.url in work.items:
                    continue
                work.items[item.url] = item
                work.undone.setdefault(item.host, {})[item.url] = item
                new += 1
            return new

    def work_hosts(self, job: str) -> dict[str, int]:
        with self._shared:
            work = self._jobs.get(job)
            if work is None:
                return {}
            return {host: len(items) for host, items in work.undone.items() if items}

    def pending_work(self, job: str, host: str) -> list[WorkItem]:
        with self._shared:
            work = self._jobs.get(job)
            return [] if work is None else list(work.undone.get(host, {}).values())

    def work_done(self, job: str, url: str) -> None:
        with self._shared:
            work = self._jobs.get(job)
            item = None if work is None else work.items.get(url)
            if work is None or item is None:
                return
            if work.undone.get(item.host, {}).pop(url, None) is not None:
                work.done += 1

    def work_progress(self, job: str) -> tuple[int, int]:
        with self._shared:
            work = self._jobs.get(job)
            return (0, 0) if work is None else (work.done, len(work.items))

    def drop_work(self, job: str) -> None:
        with self._shared:
            self._jobs.pop(job, None)

    def take_host(self, host: str, owner: str, until: float, now: float) -> bool:
        with self._shared:
            held = self._leases.get(host)
            if held is not None and held[0] != owner and held[1] > now:
                return False
            self._leases[host] = (owner, until)
            return True

    def release_host(self, host: str, owner: str) -> None:
        with self._shared:
            held = self._leases.get(host)
            if held is not None and held[0] == owner:
                del self._leases[host]

    def leased_hosts(self, hosts: Iterable[str], now: float) -> set[str]:
        with self._shared:
            return {host for host in hosts if (held := self._leases.get(host)) is not None and held[1] > now}

    def lease_owners(self, now: float) -> dict[str, str]:
        with self._shared:
            return {host: owner for host, (owner, until) in self._leases.items() if until > now}

    def cool_host(self, host: str, until: float) -> None:
        with self._shared:
            self._cooldowns[host] = max(until, self._cooldowns.get(host, 0.0))

    def host_cool_until(self, host: str) -> float:
        with self._shared:
            return self._cooldowns.get(host, 0.0)

    def quiet_archive(self, egress: str, until: float) -> None:
        with self._shared:
            self._quiet[egress] = max(until, self._quiet.get(egress, 0.0))

    def archive_quiet_until(self, egress: str) -> float:
        with self._shared:
            return self._quiet.get(egress, 0.0)

    # Durability

    def flush(self) -> None:
        return None

    @contextlib.asynccontextmanager
    async def flushing(self) -> AsyncIterator[None]:
        yield

    def close(self) -> None:
        return None
