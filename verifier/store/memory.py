"""A store that lives in memory: for tests, and for library use that needs no history on disk.

It keeps the same facts as the SQLite store (each URL's newest real check, its history, archive
answers, extractions) with the same rules, so the runner cannot tell them apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass

from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult


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


class MemoryStore:
    """Every write is visible at once; ``flush`` has nothing to do."""

    def __init__(self) -> None:
        self.extractions = MemoryExtractionCache()
        self.runs: dict[int, tuple[dt.datetime, dt.datetime | None, str]] = {}
        self._results: dict[str, _Row] = {}
        self._histories: dict[str, HistoryRow] = {}
        self._lookups: dict[tuple[str, str], ArchiveLookup] = {}

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

    def flush(self) -> None:
        return None

    @contextlib.asynccontextmanager
    async def flushing(self) -> AsyncIterator[None]:
        yield

    def close(self) -> None:
        return None
