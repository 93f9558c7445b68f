"""Store rows to records and back, the same for every SQL store.

Every SQL store keeps the same columns in the same order, with times as UTC epoch seconds, so
one codec serves them all: SQLite and PostgreSQL differ in their SQL, never in what a row means.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import orjson

from verifier.model import LinkResult, LinkWarning, LinkWarningKind, Outcome, Snapshot
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult

#: The columns of ``results`` in the order :func:`result_values` gives them.
RESULT_COLUMNS = (
    "run, url, outcome, reason, live_outcome, live_reason, status, final_url, redirects, checked_at,"
    " from_cache, archive_url, archive_timestamp, archive_original, original_outcome, saved_url,"
    " saved_timestamp, warnings"
)
HISTORY_COLUMNS = (
    "url, first_seen, last_live, consecutive_failures, last_outcome, last_failure, counted_failure"
)
#: What :func:`stored_result` reads, ``r`` being ``results`` and ``h`` its URL's ``history``.
STORED_COLUMNS = (
    "r.url, r.outcome, r.reason, r.live_outcome, r.live_reason, r.status, r.final_url,"
    " r.redirects, r.checked_at, r.archive_url, r.archive_timestamp, r.archive_original,"
    " r.original_outcome, r.saved_url, r.saved_timestamp,"
    " h.first_seen, h.last_live, h.consecutive_failures, h.last_outcome,"
    " h.last_failure, h.counted_failure, r.warnings"
)
LOOKUP_COLUMNS = "url, target, found, snapshot_url, timestamp, original, status, mimetype, looked_up_at"

# Dictionary lookups: calling an Enum to convert a stored value costs several times more, and a
# warm run converts tens of thousands of them.
OUTCOMES: dict[str, Outcome] = {outcome.value: outcome for outcome in Outcome}


def epoch(moment: dt.datetime) -> float:
    return moment.timestamp()


def moment(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


class Moments:
    """Stored epoch seconds as datetimes to the whole second, each second converted once.

    Reports show no finer time, and TTLs are reckoned from the stored values themselves. The
    exact moments of one run's results are all distinct, but they fall in a few distinct
    seconds, so a warm run converts a handful of values instead of three per link.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, dt.datetime] = {}

    def __call__(self, seconds: float) -> dt.datetime:
        second = int(seconds)  # epoch values are positive, so this floors
        found = self._seen.get(second)
        if found is None:
            found = self._seen[second] = dt.datetime.fromtimestamp(second, dt.UTC)
        return found


def result_values(
    run_id: int, result: LinkResult, live_outcome: Outcome, live_reason: str
) -> tuple[object, ...]:
    archive, saved = result.archive, result.saved_snapshot
    return (
        run_id,
        result.url,
        result.outcome.value,
        result.reason,
        live_outcome.value,
        live_reason,
        result.http_status,
        result.final_url,
        json.dumps(list(result.redirects), ensure_ascii=False) if result.redirects else "[]",
        epoch(result.checked_at),
        int(result.from_cache),
        archive.url if archive else None,
        archive.timestamp if archive else None,
        archive.original if archive else None,
        result.original_outcome.value if result.original_outcome else None,
        saved.url if saved else None,
        saved.timestamp if saved else None,
        _warnings_json(result.warnings),
    )


def _snapshot_json(snapshot: Snapshot | None) -> list[object] | None:
    if snapshot is None:
        return None
    return [snapshot.url, snapshot.timestamp, snapshot.original, snapshot.status, snapshot.mimetype]


def _warnings_json(warnings: tuple[LinkWarning, ...]) -> str | None:
    """Warnings kept with the result, so a reused result still shows them."""
    if not warnings:
        return None
    return orjson.dumps(
        [
            [w.kind.value, w.cited_title, w.found_title, w.similarity, _snapshot_json(w.snapshot)]
            for w in warnings
        ]
    ).decode("utf-8")


def _warnings(text: str | None) -> tuple[LinkWarning, ...]:
    if not text:
        return ()
    try:
        return tuple(
            LinkWarning(
                LinkWarningKind(kind), cited, found, similarity, Snapshot(*snapshot) if snapshot else None
            )
            for kind, cited, found, similarity, snapshot in orjson.loads(text)
        )
    except (TypeError, ValueError):
        return ()  # written by another layout: the next check makes them again


def history_values(url: str, history: HistoryRow) -> tuple[object, ...]:
    return (
        url,
        epoch(history.first_seen),
        epoch(history.last_live) if history.last_live else None,
        history.consecutive_failures,
        history.last_outcome.value if history.last_outcome else None,
        epoch(history.last_failure) if history.last_failure else None,
        epoch(history.counted_failure) if history.counted_failure else None,
    )


def history_row(row: Sequence[Any]) -> HistoryRow:
    """A ``HISTORY_COLUMNS`` row, its URL first."""
    _, first_seen, last_live, failures, last_outcome, last_failure, counted = row
    return HistoryRow(
        first_seen=dt.datetime.fromtimestamp(first_seen, dt.UTC),
        last_live=moment(last_live),
        consecutive_failures=failures,
        last_outcome=OUTCOMES[last_outcome] if last_outcome else None,
        last_failure=moment(last_failure),
        counted_failure=moment(counted),
    )


def stored_result(row: Sequence[Any], when: Moments) -> StoredResult:
    """A ``STORED_COLUMNS`` row as the runner reuses it."""
    url = row[0]
    archive = Snapshot(url=row[9], timestamp=row[10], original=row[11] or url) if row[9] else None
    saved = Snapshot(url=row[13], timestamp=row[14], original=url) if row[13] else None
    history: HistoryRow | None = None
    if row[15] is not None:
        history = HistoryRow(
            when(row[15]),
            when(row[16]) if row[16] is not None else None,
            row[17],
            OUTCOMES[row[18]] if row[18] else None,
            moment(row[19]),
            moment(row[20]),
        )
    result = LinkResult(
        url,
        OUTCOMES[row[1]],
        row[2],
        when(row[8]),
        row[5],
        row[6],
        tuple(orjson.loads(row[7])) if row[7] != "[]" else (),
        archive,
        OUTCOMES[row[12]] if row[12] else None,
        history.as_reported() if history else None,
        True,
        saved,
        _warnings(row[21]),
    )
    return StoredResult(result, OUTCOMES[row[3]], row[4], history)


def lookup_values(url: str, target: str, snapshot: Snapshot | None, now: dt.datetime) -> tuple[object, ...]:
    return (
        url,
        target,
        int(snapshot is not None),
        snapshot.url if snapshot else None,
        snapshot.timestamp if snapshot else None,
        snapshot.original if snapshot else None,
        snapshot.status if snapshot else None,
        snapshot.mimetype if snapshot else None,
        epoch(now),
    )


def lookup(
    row: Sequence[Any], now: dt.datetime, *, found_ttl: float, none_ttl: float
) -> ArchiveLookup | None:
    """A ``LOOKUP_COLUMNS`` row (without url and target) as a cached answer, if still fresh."""
    found, snapshot_url, timestamp, original, status, mimetype, looked_up_at = row
    if epoch(now) - looked_up_at >= (found_ttl if found else none_ttl):
        return None
    snapshot = (
        Snapshot(url=snapshot_url, timestamp=timestamp, original=original, status=status, mimetype=mimetype)
        if found
        else None
    )
    return ArchiveLookup(snapshot, dt.datetime.fromtimestamp(looked_up_at, dt.UTC))
