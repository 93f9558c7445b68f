"""The PostgreSQL store: the same facts as the SQLite store, for many workers on many machines.

Rows mean what they mean in SQLite (:mod:`verifier.store.rows` encodes both); the SQL differs.
Connections come from a small pool so that the service's threads can share one store; writes
are queued and written in batches, as in SQLite, and each batch is one transaction.
Migrations are versioned in ``verifier_schema`` and applied on open under an advisory lock, so
two workers starting together never apply a step twice.

The service's shared work (:class:`~verifier.store.base.SharedWork`) lives here too: each lease
is taken by one upsert, so of the workers racing for a host on any number of machines exactly
one gets it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

import orjson

from verifier._exceptions import StoreError
from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.base import BatchedStore, steps_to_apply
from verifier.store.codec import extraction_from_json, extraction_json
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult, WorkItem
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
    (
        3,
        # The service's shared work. ``seq`` keeps the order items were added in; the partial
        # index holds only what is left to do, already in that order for each host.
        """
        CREATE TABLE work (
            job TEXT NOT NULL,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            target BYTEA NOT NULL,
            done BOOLEAN NOT NULL DEFAULT FALSE,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            PRIMARY KEY (job, url)
        );
        CREATE INDEX work_undone ON work (job, host, seq) WHERE NOT done;
        CREATE TABLE host_leases (
            host TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            until DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE host_cooldowns (
            host TEXT PRIMARY KEY,
            until DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE archive_quiet (
            egress TEXT PRIMARY KEY,
            until DOUBLE PRECISION NOT NULL
        );
        """,
    ),
    # finish_run removes every earlier row of the URLs a run checked, reused rows included,
    # which the partial results_by_url cannot find: without this each run walked every earlier
    # run's rows, a cost that grew with the table (a service run of host batches finishes a run
    # per host).
    (4, "CREATE INDEX results_by_url_run ON results (url, run);"),
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
_MARK_DONE = "UPDATE work SET done = TRUE WHERE job = %s AND url = %s"
# One statement per chunk of items: arrays are one parameter each, and the ordinality keeps the
# items' order in ``seq``.
_ADD_WORK = (
    "INSERT INTO work (job, url, host, target)"
    " SELECT %s, url, host, target FROM unnest(%s::text[], %s::text[], %s::bytea[])"
    " WITH ORDINALITY AS item (url, host, target, n) ORDER BY n"
    " ON CONFLICT (job, url) DO NOTHING"
)
#: Items per statement of ``add_work``.
_WORK_CHUNK = 5000


_P = ParamSpec("_P")
_T = TypeVar("_T")
_retrying = threading.local()

#: How long an operation is tried again while PostgreSQL cannot be reached (a restart, a
#: failover, a dropped connection) before it is given up as a :class:`StoreError`.
RETRY_SECONDS = 30.0


_Operation = Callable[Concatenate["PostgresStore", _P], _T]


def _retried(operation: _Operation[_P, _T]) -> _Operation[_P, _T]:
    """Run ``operation`` again on a fresh connection when the connection fails under it.

    Every operation is safe to repeat: reads, upserts, and a flush that puts back what it could
    not write. Operations called inside another one are not retried on their own, so a long
    outage costs one retry budget, not one per level.
    """

    def retried(store: PostgresStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        import psycopg
        from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

        if getattr(_retrying, "active", False):
            return operation(store, *args, **kwargs)
        _retrying.active = True
        began = time.monotonic()
        try:
            for attempt in Retrying(
                retry=retry_if_exception_type(psycopg.OperationalError),
                stop=stop_after_delay(store.retry_seconds),
                wait=wait_exponential(multiplier=0.1, max=2.0),
                reraise=True,
            ):
                with attempt:
                    return operation(store, *args, **kwargs)
        except psycopg.OperationalError as error:
            raise StoreError(
                f"{_safe(store.url)}: PostgreSQL could not be reached for {time.monotonic() - began:.0f} s"
                f" ({str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__});"
                " check that the server is up and reachable"
            ) from None
        finally:
            _retrying.active = False
        raise AssertionError("unreachable")  # Retrying either returns or raises

    functools.update_wrapper(retried, operation)
    return retried


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
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.retry_seconds = retry_seconds
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._lock = threading.Lock()
        self._pending_results: list[tuple[object, ...]] = []
        self._pending_history: list[tuple[object, ...]] = []
        self._pending_extractions: list[tuple[str, str, str]] = []
        self._pending_done: list[tuple[str, str]] = []
        # URL -> jobs: items handed out by pending_work whose done mark has not come yet.
        self._awaiting: dict[str, set[str]] = {}
        self._flushed_at = time.monotonic()
        self.extractions = PostgresExtractionCache(self)
        try:
            # A connection the server dropped while it sat in the pool fails its next statement
            # and is discarded; the operation is tried again on a fresh one (see _retried). No
            # check before each use: that would be a round trip more for every operation.
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=pool_size,
                open=True,
                # A wait for a connection is one try: the retry budget decides how long in all.
                timeout=min(timeout, retry_seconds),
                kwargs={"autocommit": True},
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

    @_retried
    def start_run(self, now: dt.datetime) -> int:
        with self._connection() as db:
            row = db.execute(
                "INSERT INTO runs (started, status) VALUES (%s, 'running') RETURNING id", (epoch(now),)
            ).fetchone()
        run_id: int = row[0]
        return run_id

    @_retried
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

    @_retried
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
            # A work item's done mark follows its result: the check for a due batch waits for
            # it, so that the two share a transaction (see work_done).
            due = result.url not in self._awaiting and self._batch_due()
        if due:
            self.flush()

    def _batch_due(self) -> bool:
        return (
            len(self._pending_results) >= self.batch_size
            or time.monotonic() - self._flushed_at >= self.batch_seconds
        )

    def record_history(self, url: str, history: HistoryRow) -> None:
        with self._lock:
            self._pending_history.append(history_values(url, history))

    @_retried
    def flush(self) -> None:
        """Write every queued result, history row, extraction and done mark in one transaction."""
        with self._lock:
            self._flushed_at = time.monotonic()
            results, histories, extractions, done = (
                self._pending_results,
                self._pending_history,
                self._pending_extractions,
                self._pending_done,
            )
            if not results and not histories and not extractions and not done:
                return
            self._pending_results, self._pending_history = [], []
            self._pending_extractions, self._pending_done = [], []
        try:
            with self._connection() as db, db.transaction(), db.cursor() as cursor:
                if results:
                    cursor.executemany(_INSERT_RESULT, results)
                if histories:
                    cursor.executemany(_INSERT_HISTORY, histories)
                if extractions:
                    cursor.executemany(_INSERT_EXTRACTION, extractions)
                if done:
                    cursor.executemany(_MARK_DONE, done)
        except BaseException:
            # The transaction was rolled back: what it held goes back in front of the queue,
            # to be written by the next try.
            with self._lock:
                self._pending_results[:0] = results
                self._pending_history[:0] = histories
                self._pending_extractions[:0] = extractions
                self._pending_done[:0] = done
            raise

    @_retried
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

    @_retried
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

    @_retried
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

    @_retried
    def record_archive_lookup(
        self, url: str, target: str, snapshot: Snapshot | None, now: dt.datetime
    ) -> None:
        with self._connection() as db:
            db.execute(_INSERT_LOOKUP, lookup_values(url, target, snapshot, now))

    # Shared work

    @_retried
    def add_work(self, job: str, items: Iterable[WorkItem]) -> int:
        """Add the job's items in one transaction; returns how many were new."""
        rows = list(items)
        self.flush()
        new = 0
        with self._connection() as db, db.transaction(), db.cursor() as cursor:
            for start in range(0, len(rows), _WORK_CHUNK):
                chunk = rows[start : start + _WORK_CHUNK]
                cursor.execute(
                    _ADD_WORK,
                    (
                        job,
                        [item.url for item in chunk],
                        [item.host for item in chunk],
                        [item.target for item in chunk],
                    ),
                )
                new += cursor.rowcount
        return new

    @_retried
    def work_hosts(self, job: str) -> dict[str, int]:
        self.flush()
        with self._connection() as db:
            rows = db.execute(
                "SELECT host, count(*) FROM work WHERE job = %s AND NOT done GROUP BY host", (job,)
            ).fetchall()
        return dict(rows)

    @_retried
    def pending_work(self, job: str, host: str) -> list[WorkItem]:
        """The host's undone items, oldest first. Each is expected to get a result and then its
        done mark: until the mark comes, that result does not make a full batch flush."""
        self.flush()
        with self._connection() as db:
            rows = db.execute(
                "SELECT url, target FROM work WHERE job = %s AND host = %s AND NOT done ORDER BY seq",
                (job, host),
            ).fetchall()
        with self._lock:
            for url, _ in rows:
                self._awaiting.setdefault(url, set()).add(job)
        return [WorkItem(url, host, bytes(target)) for url, target in rows]

    def work_done(self, job: str, url: str) -> None:
        """Queue the done mark; the batch is flushed here, when due, so that a result and its
        mark share a transaction."""
        with self._lock:
            self._pending_done.append((job, url))
            jobs = self._awaiting.get(url)
            if jobs is not None:
                jobs.discard(job)
                if not jobs:
                    del self._awaiting[url]
            due = self._batch_due()
        if due:
            self.flush()

    @_retried
    def work_progress(self, job: str) -> tuple[int, int]:
        self.flush()
        with self._connection() as db:
            row = db.execute(
                "SELECT count(*) FILTER (WHERE done), count(*) FROM work WHERE job = %s", (job,)
            ).fetchone()
        return int(row[0]), int(row[1])

    @_retried
    def drop_work(self, job: str) -> None:
        # Flushed first: a queued done mark must not land on an item added again later.
        self.flush()
        with self._connection() as db:
            db.execute("DELETE FROM work WHERE job = %s", (job,))
        with self._lock:
            for url in [url for url, jobs in self._awaiting.items() if job in jobs]:
                self._awaiting[url].discard(job)
                if not self._awaiting[url]:
                    del self._awaiting[url]

    @_retried
    def take_host(self, host: str, owner: str, until: float, now: float) -> bool:
        # One statement: PostgreSQL serialises the racing inserts on the host's key, and the
        # loser's WHERE is judged against the winner's row, so it changes nothing.
        with self._connection() as db:
            row = db.execute(
                "INSERT INTO host_leases (host, owner, until) VALUES (%s, %s, %s)"
                " ON CONFLICT (host) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until"
                " WHERE host_leases.until <= %s OR host_leases.owner = EXCLUDED.owner"
                " RETURNING 1",
                (host, owner, until, now),
            ).fetchone()
        return row is not None

    @_retried
    def release_host(self, host: str, owner: str) -> None:
        # The results checked under the lease are written before the next owner can look.
        self.flush()
        with self._connection() as db:
            db.execute("DELETE FROM host_leases WHERE host = %s AND owner = %s", (host, owner))

    @_retried
    def leased_hosts(self, hosts: Iterable[str], now: float) -> set[str]:
        wanted = list(dict.fromkeys(hosts))
        if not wanted:
            return set()
        with self._connection() as db:
            rows = db.execute(
                "SELECT host FROM host_leases WHERE until > %s AND host = ANY(%s)", (now, wanted)
            ).fetchall()
        return {row[0] for row in rows}

    @_retried
    def lease_owners(self, now: float) -> dict[str, str]:
        with self._connection() as db:
            rows = db.execute("SELECT host, owner FROM host_leases WHERE until > %s", (now,)).fetchall()
        return dict(rows)

    @_retried
    def cool_host(self, host: str, until: float) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT INTO host_cooldowns (host, until) VALUES (%s, %s) ON CONFLICT (host)"
                " DO UPDATE SET until = GREATEST(host_cooldowns.until, EXCLUDED.until)",
                (host, until),
            )

    @_retried
    def host_cool_until(self, host: str) -> float:
        with self._connection() as db:
            row = db.execute("SELECT until FROM host_cooldowns WHERE host = %s", (host,)).fetchone()
        return 0.0 if row is None else float(row[0])

    @_retried
    def quiet_archive(self, egress: str, until: float) -> None:
        with self._connection() as db:
            db.execute(
                "INSERT INTO archive_quiet (egress, until) VALUES (%s, %s) ON CONFLICT (egress)"
                " DO UPDATE SET until = GREATEST(archive_quiet.until, EXCLUDED.until)",
                (egress, until),
            )

    @_retried
    def extraction_row(self, path: str) -> tuple[str, str] | None:
        """The cached extraction of ``path``: its key and payload (see :class:`PostgresExtractionCache`)."""
        with self._connection() as db:
            row = db.execute("SELECT key, payload FROM extractions WHERE path = %s", (path,)).fetchone()
        return None if row is None else (row[0], row[1])

    @_retried
    def archive_quiet_until(self, egress: str) -> float:
        with self._connection() as db:
            row = db.execute("SELECT until FROM archive_quiet WHERE egress = %s", (egress,)).fetchone()
        return 0.0 if row is None else float(row[0])


class PostgresExtractionCache:
    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None:
        row = self._store.extraction_row(path)
        if row is None or row[0] != key:
            return None
        try:
            return extraction_from_json(orjson.loads(row[1]))
        except ValueError:
            return None  # written by another layout, or damaged: extract again

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
