"""The SQLite store: runs, every result as it arrives, history per URL, archive lookups.

This is the only module that talks to SQLite. The database runs in WAL mode with one writer.
Results are queued and written in small batches (a few hundred rows or a quarter second,
whichever comes first), so a killed run loses at most that window and a big run does not
pay for a commit per link. Times are stored as UTC epoch seconds: TTLs are plain arithmetic.

The schema changes only through :data:`MIGRATIONS`, applied in order on open; the file's
``user_version`` says how far it got.

The same file holds the service's shared work (:class:`~verifier.store.base.SharedWork`): work
items, host leases, cool-downs and the archive's quiet. Several processes may open one file;
every lease is taken by one statement, which SQLite's single writer makes atomic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import orjson

from verifier._exceptions import StoreError
from verifier.model import Document, InputProblem, LinkResult, Outcome, Snapshot
from verifier.store.base import BatchedStore, steps_to_apply
from verifier.store.codec import extraction_from_json, extraction_json
from verifier.store.records import ArchiveLookup, HistoryRow, StoredResult, WorkItem
from verifier.store.rows import (
    HISTORY_COLUMNS,
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

_SCHEMA_2 = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    live_outcome TEXT NOT NULL,
    live_reason TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    redirects TEXT NOT NULL,
    checked_at REAL NOT NULL,
    from_cache INTEGER NOT NULL,
    archive_url TEXT,
    archive_timestamp TEXT,
    archive_original TEXT,
    original_outcome TEXT,
    saved_url TEXT,
    saved_timestamp TEXT,
    PRIMARY KEY (run, url)
);
CREATE INDEX IF NOT EXISTS results_by_url ON results (url, checked_at);
CREATE TABLE IF NOT EXISTS history (
    url TEXT PRIMARY KEY,
    first_seen REAL NOT NULL,
    last_live REAL,
    consecutive_failures INTEGER NOT NULL,
    last_outcome TEXT
);
CREATE TABLE IF NOT EXISTS extractions (
    path TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS archive_lookups (
    url TEXT NOT NULL,
    target TEXT NOT NULL,
    found INTEGER NOT NULL,
    snapshot_url TEXT,
    timestamp TEXT,
    original TEXT,
    status INTEGER,
    mimetype TEXT,
    looked_up_at REAL NOT NULL,
    PRIMARY KEY (url, target)
);
"""

# When a URL last failed, and when the last failure that counted towards its failures in a row
# did: failures count only --dead-after-interval apart.
_SCHEMA_3 = """
ALTER TABLE history ADD COLUMN last_failure REAL;
ALTER TABLE history ADD COLUMN counted_failure REAL;
"""

#: Each step takes a store from the version before it to its own; a step is never edited once
#: released, a change of schema is a new step. Version 1 had no history table; step 2 creates
#: whatever is missing.
# The warnings a check found (content drift), kept so a reused result still shows them.
_SCHEMA_4 = """
ALTER TABLE results ADD COLUMN warnings TEXT;
"""

# The service's shared work. ``seq`` is the rowid, so items come back in the order they were
# added without a counter to keep: a new rowid is always above every row still in the table.
# The partial index holds only what is left to do (a done item drops out of it); its entries
# end with the rowid, so it gives a host's undone items already in order, and with ``done`` in
# it the counts of work_hosts and work_progress read the index alone.
_SCHEMA_5 = """
CREATE TABLE work (
    seq INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    target BLOB NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job, url)
);
CREATE INDEX work_undone ON work (job, host, done) WHERE done = 0;
CREATE TABLE host_leases (
    host TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until REAL NOT NULL
);
CREATE TABLE host_cooldowns (
    host TEXT PRIMARY KEY,
    until REAL NOT NULL
);
CREATE TABLE archive_quiet (
    egress TEXT PRIMARY KEY,
    until REAL NOT NULL
);
"""

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (2, _SCHEMA_2),
    (3, _SCHEMA_3),
    (4, _SCHEMA_4),
    (5, _SCHEMA_5),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

# SQLite allows 999 bound parameters in older builds; stay well under it.
_CHUNK = 500


def _marks(columns: str) -> str:
    return ",".join("?" * len(columns.split(",")))


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class StoreDamaged(StoreError):
    """The file is an SQLite database whose content is damaged."""


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def move_damaged(path: Path, now: dt.datetime) -> Path:
    """Set a damaged store aside as ``<name>.damaged-<UTC time>`` (its journal files with it)."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            journal.rename(target.with_name(target.name + suffix))
    return target


class SQLiteStore(BatchedStore):
    """One connection to the store file; use as a context manager or call ``close``."""

    def __init__(
        self, path: Path, *, batch_size: int = 200, batch_seconds: float = 0.25, verify: bool = True
    ) -> None:
        self.path = path
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self._pending_results: list[tuple[object, ...]] = []
        self._pending_history: list[tuple[object, ...]] = []
        self._pending_extractions: list[tuple[str, str, bytes]] = []
        self._pending_done: list[tuple[str, str]] = []
        # URL -> jobs: items handed out by pending_work whose done mark has not come yet.
        self._awaiting: dict[str, set[str]] = {}
        self._flushed_at = time.monotonic()
        self.extractions = SQLiteExtractionCache(self)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL keeps every commit across a crash of the process.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
            # A page damaged inside a file whose header is intact fails only when it is read,
            # perhaps half way through a run: find out now, while starting cold is still cheap.
            verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()[0] if verify else "ok"
        except sqlite3.DatabaseError as error:
            self._close_quietly()
            if _looks_like_sqlite(path):
                raise StoreDamaged(f"{path}: the store is damaged ({error})") from None
            raise StoreError(f"{path}: not a usable verifier store: {error}") from None
        if verdict != "ok":
            self._close_quietly()
            raise StoreDamaged(f"{path}: the store is damaged ({verdict})")

    def _close_quietly(self) -> None:
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        for step, script in steps_to_apply(version, MIGRATIONS, str(self.path)):
            self._db.executescript(f"BEGIN;{script}PRAGMA user_version={step};COMMIT;")

    def _close(self) -> None:
        self._db.close()

    # Runs

    def start_run(self, now: dt.datetime) -> int:
        cursor = self._db.execute("INSERT INTO runs (started, status) VALUES (?, 'running')", (epoch(now),))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, now: dt.datetime) -> None:
        self.flush()
        self._db.execute("BEGIN")
        try:
            self._db.execute(
                "UPDATE runs SET finished = ?, status = ? WHERE id = ?", (epoch(now), status, run_id)
            )
            # This run's checks supersede the rows of earlier runs for the same URLs: the history
            # table keeps what spans runs, and a nightly run would otherwise add a row per link.
            self._db.execute(
                "DELETE FROM results WHERE run < ?1 AND url IN"
                " (SELECT url FROM results WHERE run = ?1 AND from_cache = 0)",
                (run_id,),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def runs(self) -> list[tuple[int, str]]:
        """Every run as (id, status), oldest first."""
        return [(row[0], row[1]) for row in self._db.execute("SELECT id, status FROM runs ORDER BY id")]

    # Results

    def record_result(
        self,
        run_id: int,
        result: LinkResult,
        *,
        live_outcome: Outcome,
        live_reason: str,
        history: HistoryRow | None,
    ) -> None:
        """Queue one result (and the URL's new history, when given); written by the next ``flush``.

        The queue is flushed once it holds ``batch_size`` rows or ``batch_seconds`` have passed
        since the last flush, so a killed run loses at most that short window, while a run of
        thousands of links does not pay for a commit per link.
        """
        self._pending_results.append(result_values(run_id, result, live_outcome, live_reason))
        if history is not None:
            self._pending_history.append(history_values(result.url, history))
        # A work item's done mark follows its result: flushing now would commit the result
        # alone, so the check for a due batch waits for the mark (see work_done).
        if result.url not in self._awaiting and self._batch_due():
            self.flush()

    def _batch_due(self) -> bool:
        return (
            len(self._pending_results) >= self.batch_size
            or time.monotonic() - self._flushed_at >= self.batch_seconds
        )

    def record_history(self, url: str, history: HistoryRow) -> None:
        """Queue a new history row for ``url`` alone (a reused result whose final outcome changed)."""
        self._pending_history.append(history_values(url, history))

    @property
    def pending(self) -> int:
        """Results recorded but not yet on disk."""
        return len(self._pending_results)

    def flush(self) -> None:
        """Write every queued result, history row, extraction and done mark in one transaction."""
        self._flushed_at = time.monotonic()
        if (
            not self._pending_results
            and not self._pending_history
            and not self._pending_extractions
            and not self._pending_done
        ):
            return
        results, histories, done = self._pending_results, self._pending_history, self._pending_done
        self._pending_results, self._pending_history, self._pending_done = [], [], []
        self._db.execute("BEGIN")
        try:
            self._db.executemany(
                f"INSERT OR REPLACE INTO results ({RESULT_COLUMNS}) VALUES ({_marks(RESULT_COLUMNS)})",
                results,
            )
            self._db.executemany(
                f"INSERT OR REPLACE INTO history ({HISTORY_COLUMNS}) VALUES (?,?,?,?,?,?,?)", histories
            )
            self._write_extractions()
            self._db.executemany("UPDATE work SET done = 1 WHERE job = ? AND url = ?", done)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def fresh_results(
        self, urls: Iterable[str], ttl: Mapping[Outcome, float], now: dt.datetime
    ) -> dict[str, StoredResult]:
        """The newest fresh check of each URL, when it is still within its outcome's TTL.

        Only rows of real checks count: a reused row carries the age of the check it reused.
        """
        self.flush()
        found: dict[str, StoredResult] = {}
        wanted = list(dict.fromkeys(urls))
        moment = epoch(now)
        when = Moments()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {STORED_COLUMNS}"
                " FROM results r LEFT JOIN history h ON h.url = r.url"
                f" WHERE r.url IN ({marks}) AND r.from_cache = 0 AND r.checked_at ="
                " (SELECT MAX(checked_at) FROM results WHERE url = r.url AND from_cache = 0)",
                chunk,
            )
            for row in rows:
                if moment - row[8] >= ttl.get(OUTCOMES[row[1]], 0.0):
                    continue
                found[row[0]] = stored_result(row, when)
        return found

    def run_results(self, run_id: int) -> dict[str, Outcome]:
        """The outcome of every URL recorded in one run and not checked again by a later one."""
        self.flush()
        rows = self._db.execute("SELECT url, outcome FROM results WHERE run = ?", (run_id,))
        return {url: Outcome(outcome) for url, outcome in rows}

    # History

    def histories(self, urls: Iterable[str]) -> dict[str, HistoryRow]:
        self.flush()
        found: dict[str, HistoryRow] = {}
        for chunk in _chunks(list(dict.fromkeys(urls))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT {HISTORY_COLUMNS} FROM history WHERE url IN ({marks})", chunk)
            for row in rows:
                found[row[0]] = history_row(row)
        return found

    # Archive lookups

    def archive_lookup(
        self, url: str, target: str, now: dt.datetime, *, found_ttl: float, none_ttl: float
    ) -> ArchiveLookup | None:
        """The cached answer for (url, target date key) if it is younger than its TTL."""
        row = self._db.execute(
            "SELECT found, snapshot_url, timestamp, original, status, mimetype, looked_up_at"
            " FROM archive_lookups WHERE url = ? AND target = ?",
            (url, target),
        ).fetchone()
        return None if row is None else lookup(row, now, found_ttl=found_ttl, none_ttl=none_ttl)

    def record_archive_lookup(
        self, url: str, target: str, snapshot: Snapshot | None, now: dt.datetime
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO archive_lookups VALUES (?,?,?,?,?,?,?,?,?)",
            lookup_values(url, target, snapshot, now),
        )

    # Shared work

    def add_work(self, job: str, items: Iterable[WorkItem]) -> int:
        """Add the job's items in one transaction; returns how many were new."""
        rows = [(job, item.url, item.host, item.target) for item in items]
        self.flush()
        before = self._db.total_changes
        self._db.execute("BEGIN")
        try:
            # One prepared statement for every row: as fast as multi-row VALUES here, and no
            # bound-parameter limit to chunk around.
            self._db.executemany(
                "INSERT INTO work (job, url, host, target) VALUES (?,?,?,?)"
                " ON CONFLICT (job, url) DO NOTHING",
                rows,
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return self._db.total_changes - before

    def work_hosts(self, job: str) -> dict[str, int]:
        self.flush()
        rows = self._db.execute(
            "SELECT host, COUNT(*) FROM work WHERE job = ? AND done = 0 GROUP BY host", (job,)
        )
        return dict(rows)

    def pending_work(self, job: str, host: str) -> list[WorkItem]:
        """The host's undone items, oldest first. Each is expected to get a result and then its
        done mark: until the mark comes, that result does not make a full batch flush."""
        self.flush()
        rows = self._db.execute(
            "SELECT url, target FROM work WHERE job = ? AND host = ? AND done = 0 ORDER BY seq",
            (job, host),
        ).fetchall()
        for url, _ in rows:
            self._awaiting.setdefault(url, set()).add(job)
        return [WorkItem(url, host, bytes(target)) for url, target in rows]

    def work_done(self, job: str, url: str) -> None:
        """Queue the done mark; the batch is flushed here, when due, so that a result and its
        mark always share a transaction."""
        self._pending_done.append((job, url))
        jobs = self._awaiting.get(url)
        if jobs is not None:
            jobs.discard(job)
            if not jobs:
                del self._awaiting[url]
        if self._batch_due():
            self.flush()

    def work_progress(self, job: str) -> tuple[int, int]:
        self.flush()
        # Two counts that each read one index alone, rather than one that reads every row.
        total = self._db.execute("SELECT COUNT(*) FROM work WHERE job = ?", (job,)).fetchone()[0]
        left = self._db.execute("SELECT COUNT(*) FROM work WHERE job = ? AND done = 0", (job,)).fetchone()[0]
        return total - left, total

    def drop_work(self, job: str) -> None:
        # Flushed first: a queued done mark must not land on an item added again later.
        self.flush()
        self._db.execute("DELETE FROM work WHERE job = ?", (job,))
        for url in [url for url, jobs in self._awaiting.items() if job in jobs]:
            self._awaiting[url].discard(job)
            if not self._awaiting[url]:
                del self._awaiting[url]

    def take_host(self, host: str, owner: str, until: float, now: float) -> bool:
        # One statement, so one transaction under SQLite's write lock: of two stores racing
        # for a free host, the second finds the first one's lease and changes nothing.
        cursor = self._db.execute(
            "INSERT INTO host_leases (host, owner, until) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (host) DO UPDATE SET owner = excluded.owner, until = excluded.until"
            " WHERE host_leases.until <= ?4 OR host_leases.owner = excluded.owner",
            (host, owner, until, now),
        )
        return cursor.rowcount == 1

    def release_host(self, host: str, owner: str) -> None:
        # The results checked under the lease are written before the next owner can look.
        self.flush()
        self._db.execute("DELETE FROM host_leases WHERE host = ? AND owner = ?", (host, owner))

    def leased_hosts(self, hosts: Iterable[str], now: float) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(hosts))):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT host FROM host_leases WHERE until > ? AND host IN ({marks})", (now, *chunk)
            )
            found.update(row[0] for row in rows)
        return found

    def lease_owners(self, now: float) -> dict[str, str]:
        rows = self._db.execute("SELECT host, owner FROM host_leases WHERE until > ?", (now,))
        return dict(rows)

    def cool_host(self, host: str, until: float) -> None:
        self._db.execute(
            "INSERT INTO host_cooldowns (host, until) VALUES (?, ?)"
            " ON CONFLICT (host) DO UPDATE SET until = MAX(until, excluded.until)",
            (host, until),
        )

    def host_cool_until(self, host: str) -> float:
        row = self._db.execute("SELECT until FROM host_cooldowns WHERE host = ?", (host,)).fetchone()
        return 0.0 if row is None else float(row[0])

    def quiet_archive(self, egress: str, until: float) -> None:
        self._db.execute(
            "INSERT INTO archive_quiet (egress, until) VALUES (?, ?)"
            " ON CONFLICT (egress) DO UPDATE SET until = MAX(until, excluded.until)",
            (egress, until),
        )

    def archive_quiet_until(self, egress: str) -> float:
        row = self._db.execute("SELECT until FROM archive_quiet WHERE egress = ?", (egress,)).fetchone()
        return 0.0 if row is None else float(row[0])

    def _write_extractions(self) -> None:
        if self._pending_extractions:
            self._db.executemany(
                "INSERT OR REPLACE INTO extractions VALUES (?,?,?)", self._pending_extractions
            )
            self._pending_extractions = []


class SQLiteExtractionCache:
    """The extraction cache in the store's own file, written with the store's batches."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store

    def get(self, path: str, key: str) -> tuple[Document | None, list[InputProblem]] | None:
        """What extracting the file at ``path`` gave last time, if its ``key`` is unchanged."""
        row = self._store._db.execute(
            "SELECT key, payload FROM extractions WHERE path = ?", (path,)
        ).fetchone()
        if row is None or row[0] != key:
            return None
        text = row[1]
        del row
        try:
            payload = orjson.loads(text)
            # The payload's text can be tens of megabytes: gone before the references are made.
            del text
            return extraction_from_json(payload)
        except ValueError:
            return None  # written by another layout, or damaged: extract again

    def put(self, path: str, key: str, document: Document | None, problems: Iterable[InputProblem]) -> None:
        # Kept as bytes (a BLOB): decoding to text would only copy a payload of many megabytes.
        payload = orjson.dumps(extraction_json(document, problems))
        self._store._pending_extractions.append((path, key, payload))
