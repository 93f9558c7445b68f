"""The PostgreSQL store: the same facts as the SQLite store, for many workers on many machines.

Rows mean what they mean in SQLite (:mod:`verifier.store.rows` encodes both); the SQL differs.
Connections come from a small pool so that the service's threads can share one store; writes
are queued and written in batches, as in SQLite, and each batch is one transaction.
Migrations are versioned in ``verifier_schema`` and applied on open under an advisory lock, so
two workers starting together never apply a step twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from verifier._exceptions import StoreError
from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.base import BatchedStore, steps_to_apply
from verifier.store.codec import extraction_from_json, extraction_json
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult
from verifier.store.rows import (
    HISTORY_COLUMNS,
    LOOKUP_COLUMNS,
    OUTCOMES,
    RESULT_COLUMNS,
    STORED_COLUMNS,
    Moments,
    epoch,
    history_row,
    history_values,
    lookup,
    lookup_values,
    result_values,
    stored_result,
)

#: (version, script), applied in order; a released step is never edited.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE runs (
            id BIGSERIAL PRIMARY KEY,
            started DOUBLE PRECISION NOT NULL,
            finished DOUBLE PRECISION,
            status TEXT NOT NULL
        );
        CREATE TABLE results (
            run BIGINT NOT NULL REFERENCES runs(id),
            url TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            live_outcome TEXT NOT NULL,
            live_reason TEXT NOT NULL,
            status INTEGER,
            final_url TEXT,
            redirects TEXT NOT NULL,
            checked_at DOUBLE PRECISION NOT NULL,
            from_cache INTEGER NOT NULL,
            archive_url TEXT,
            archive_timestamp TEXT,
            archive_original TEXT,
            original_outcome TEXT,
            saved_url TEXT,
            saved_timestamp TEXT,
            PRIMARY KEY (run, url)
        );
        CREATE INDEX results_by_url ON results (url, checked_at DESC) WHERE from_cache = 0;
        CREATE TABLE history (
            url TEXT PRIMARY KEY,
            first_seen DOUBLE PRECISION NOT NULL,
            last_live DOUBLE PRECISION,
            consecutive_failures INTEGER NOT NULL,
            last_outcome TEXT,
            last_failure DOUBLE PRECISION,
            counted_failure DOUBLE PRECISION
        );
        CREATE TABLE extractions (
            path TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE TABLE archive_lookups (
            url TEXT NOT NULL,
            target TEXT NOT NULL,
            found INTEGER NOT NULL,
            snapshot_url TEXT,
            timestamp TEXT,
            original TEXT,
            status INTEGER,
            mimetype TEXT,
            looked_up_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (url, target)
        );
        """,
    ),
    (2, "ALTER TABLE results ADD COLUMN warnings TEXT;"),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]
#: Any fixed number: the lock that serialises migrations across processes.
_MIGRATION_LOCK = 7_466_241


def _upsert(table: str, columns: str, keys: str) -> str:
    names = [name.strip() for name in columns.split(",")]
    marks = ", ".join(["%s"] * len(names))
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in names if name not in keys.split(", "))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({keys}) DO UPDATE SET {updates}"


_INSERT_RESULT = _upsert("results", RESULT_COLUMNS, "run, url")
_INSERT_HISTORY = _upsert("history", HISTORY_COLUMNS, "url")
_INSERT_LOOKUP = _upsert("archive_lookups", LOOKUP_COLUMNS, "url, target")
_INSERT_EXTRACTION = _upsert("extractions", "path, key, payload", "path")


class PostgresStore(BatchedStore):
    """A store on a PostgreSQL database named by ``url`` (``postgresql://user@host/db``)."""

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 500,
        batch_seconds: float = 0.25,
        pool_size: int = 4,
        timeout: float = 15.0,
    ) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._lock = threading.Lock()
        self._pending_results: list[tuple[object, ...]] = []
        self._pending_history: list[tuple[object, ...]] = []
        self._pending_extractions: list[tuple[str, str, str]] = []
        self._flushed_at = time.monotonic()
        self.extractions = PostgresExtractionCache(self)
        try:
            self._pool = ConnectionPool(
                url, min_size=1, max_size=pool_size, open=True, timeout=timeout, kwargs={"autocommit": True}
            )
            self._pool.wait(timeout=timeout)
            self._migrate()
        except (psycopg.Error, Exception) as error:
            if isinstance(error, StoreError):
                raise
            raise StoreError(f"{_safe(url)}: cannot use this PostgreSQL store: {error}") from None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        with self._pool.connection() as connection:
            yield connection

    def _migrate(self) -> None:
        with self._connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS verifier_schema (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM verifier_schema").fetchone()
            version = row[0] if row else 0
            for step, script in steps_to_apply(version, MIGRATIONS, _safe(self.url)):
                db.execute(script)
                db.execute("DELETE FROM verifier_schema")
                db.execute("INSERT INTO verifier_schema (version) VALUES (%s)", (step,))

    def _close(self) -> None:
        self._pool.close()

    # Runs

    def start_run(self, now: dt.datetime) -> int:
        with self._connection() as db:
            row = db.execute(
                "INSERT INTO runs (started, status) VALUES (%s, 'running') RETURNING id", (epoch(now),)
            ).fetchone()
        run_id: int = row[0]
        return run_id

    def finish_run(self, run_id: int, status: str, now: dt.datetime) -> None:
        self.flush()
        with self._connection() as db, db.transaction():
            db.execute(
                "UPDATE runs SET finished = %s, status = %s WHERE id = %s", (epoch(now), status, run_id)
            )
            # As in SQLite: this run's checks supersede earlier rows of the same URLs.
            db.execute(
                "DELETE FROM results WHERE run < %(run)s AND url IN"
                " (SELECT url FROM results WHERE run = %(run)s AND from_cache = 0)",
                {"run": run_id},
            )

    def runs(self) -> list[tuple[int, str]]:
        with self._connection() as db:
            return [(row[0], row[1]) for row in db.execute("SELECT id, status FROM runs ORDER BY id")]

    # Results and history

    def record_result(
        self,
        run_id: int,
        result: LinkResult,
        *,
        live_outcome: Outcome,
        live_reason: str,
        history: HistoryRow | None,
    ) -> None:
        with self._lock:
            self._pending_results.append(result_values(run_id, result, live_outcome, live_reason))
            if history is not None:
                self._pending_history.append(history_values(result.url, history))
            due = (
                len(self._pending_results) >= self.batch_size
                or time.monotonic() - self._flushed_at >= self.batch_seconds
            )
        if due:
            self.flush()

    def record_history(self, url: str, history: HistoryRow) -> None:
        with self._lock:
            self._pending_history.append(history_values(url, history))

    def flush(self) -> None:
        with self._lock:
            self._flushed_at = time.monotonic()
            results, histories, extractions = (
                self._pending_results,
                self._pending_history,
                self._pending_extractions,
            )
            if not results and not histories and not extractions:
                return
            self._pending_results, self._pending_history, self._pending_extractions = [], [], []
        with self._connection() as db, db.transaction(), db.cursor() as cursor:
            if results:
                cursor.executemany(_INSERT_RESULT, results)
            if histories:
                cursor.executemany(_INSERT_HISTORY, histories)
            if extractions:
                cursor.executemany(_INSERT_EXTRACTION, extractions)

    def fresh_results(
        self, urls: Iterable[str], ttl: Mapping[Outcome, float], now: dt.datetime
    ) -> dict[str, StoredResult]:
        self.flush()
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return {}
        current = epoch(now)
        when = Moments()
        found: dict[str, StoredResult] = {}
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {STORED_COLUMNS} FROM (SELECT DISTINCT ON (url) * FROM results"
                " WHERE url = ANY(%s) AND from_cache = 0 ORDER BY url, checked_at DESC) r"
                " LEFT JOIN history h ON h.url = r.url",
                (wanted,),
            ).fetchall()
        for row in rows:
            if current - row[8] >= ttl.get(OUTCOMES[row[1]], 0.0):
                continue
            found[row[0]] = stored_result(row, when)
        return found

    def histories(self, urls: Iterable[str]) -> dict[str, HistoryRow]:
        self.flush()
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return {}
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {HISTORY_COLUMNS} FROM history WHERE url = ANY(%s)", (wanted,)
            ).fetchall()
        return {row[0]: history_row(row) for row in rows}

    # Archive lookups

    def archive_lookup(
        self, url: str, target: str, now: dt.datetime, *, found_ttl: float, none_ttl: float
    ) -> ArchiveLookup | None:
        with self._connection() as db:
            row = db.execute(
                "SELECT found, snapshot_url, timestamp, original, status, mimetype, looked_up_at"
                " FROM archive_lookups WHERE url = %s AND target = %s",
                (url, target),
            ).fetchone()
        return None if row is None else lookup(row, now, found_ttl=found_ttl, none_ttl=none_ttl)

    def record_archive_lookup(
        self, url: str, target: str, snapshot: Snapshot | None, now: dt.datetime
    ) -> None:
        with self._connection() as db:
            db.execute(_INSERT_LOOKUP, lookup_values(url, target, snapshot, now))


class PostgresExtractionCache:
    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None:
        with self._store._connection() as db:
            row = db.execute("SELECT key, payload FROM extractions WHERE path = %s", (path,)).fetchone()
        if row is None or row[0] != key:
            return None
        try:
            return extraction_from_json(orjson.loads(row[1]))
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]) -> None:
        payload = orjson.dumps(extraction_json(document, problems)).decode("utf-8")
        with self._store._lock:
            self._store._pending_extractions.append((path, key, payload))


def _safe(url: str) -> str:
    """The URL without its password, fit for a message."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
