"""The service's tables: sources, runs, tokens and the audit log.

One SQLite connection per thread (the web app answers in a thread pool, the queue's workers
are threads of their own), all on the same WAL file as the check store, so a reader never
waits for a run's writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from verifier._exceptions import StoreError, VerifierError
from verifier.service.schema import migrate

#: Run states; a run is "active" while queued or running.
ACTIVE = ("queued", "running")
FINISHED = ("complete", "failed", "interrupted")


class Conflict(VerifierError):
    """The request clashes with what is there: a taken name, a run already active."""

    def __init__(self, message: str, existing: int | None = None) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    name: str
    spec: Mapping[str, Any]
    schedule: str | None
    created: float
    updated: float


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    source_id: int
    status: str
    force: bool
    queued_at: float
    started_at: float | None
    finished_at: float | None
    checked: int
    total: int
    waiting_on: str | None
    summary: Mapping[str, int] | None
    network_down: bool | None
    exit_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Token:
    name: str
    role: str
    created: float
    revoked: float | None


def _source(row: sqlite3.Row) -> Source:
    return Source(row[0], row[1], orjson.loads(row[2]), row[3], row[4], row[5])


def _run(row: sqlite3.Row) -> Run:
    return Run(
        id=row[0],
        source_id=row[1],
        status=row[2],
        force=bool(row[3]),
        queued_at=row[4],
        started_at=row[5],
        finished_at=row[6],
        checked=row[7],
        total=row[8],
        waiting_on=row[9],
        summary=orjson.loads(row[10]) if row[10] else None,
        network_down=None if row[11] is None else bool(row[11]),
        exit_code=row[12],
        error=row[13],
    )


#: Above every id SQLite hands out: "below this" means "all".
_NO_ID_ABOVE = 2**62


def _audit_item(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row[0],
        "at": row[1],
        "actor": row[2],
        "action": row[3],
        "subject": row[4],
        "detail": orjson.loads(row[5]) if row[5] else None,
    }


_RUN_COLUMNS = (
    "id, source_id, status, force, queued_at, started_at, finished_at, checked, total, waiting_on,"
    " summary, network_down, exit_code, error"
)


class ServiceDB:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            migrate(self._db)
            # Damage inside a file whose header is intact shows only when a page is read:
            # find it now, not half way through a run.
            verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
        except sqlite3.DatabaseError as error:
            # The service's store is never moved aside: it holds editors' decisions.
            raise StoreError(
                f"{path}: the service store is damaged ({error}); stop the service and restore"
                " this file from a backup (or move it away to start afresh)"
            ) from None

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return db

    @property
    def connection(self) -> sqlite3.Connection:
        """This thread's connection, for the modules that keep tables of their own here."""
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._transaction() as db:
            yield db

    def audit_in(
        self, db: sqlite3.Connection, actor: str, action: str, subject: str, detail: Mapping[str, Any] | None
    ) -> None:
        """Record a change inside the caller's transaction."""
        self._audit(db, actor, action, subject, detail)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # Sources

    def create_source(self, name: str, spec: Mapping[str, Any], schedule: str | None, actor: str) -> int:
        now = time.time()
        with self._transaction() as db:
            if db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a source named {name!r} exists")
            cursor = db.execute(
                "INSERT INTO sources (name, spec, schedule, created, updated) VALUES (?,?,?,?,?)",
                (name, orjson.dumps(spec).decode(), schedule, now, now),
            )
            assert cursor.lastrowid is not None
            self._audit(db, actor, "source.create", f"source:{cursor.lastrowid}", {"name": name})
            return cursor.lastrowid

    def source(self, source_id: int) -> Source | None:
        row = self._db.execute(
            "SELECT id, name, spec, schedule, created, updated FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return _source(row) if row else None

    def sources(self, *, after: int = 0, limit: int = 50) -> list[Source]:
        rows = self._db.execute(
            "SELECT id, name, spec, schedule, created, updated FROM sources WHERE id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [_source(row) for row in rows]

    def scheduled_sources(self) -> list[Source]:
        rows = self._db.execute(
            "SELECT id, name, spec, schedule, created, updated FROM sources WHERE schedule IS NOT NULL"
        )
        return [_source(row) for row in rows]

    def update_source(
        self, source_id: int, *, name: str, spec: Mapping[str, Any], schedule: str | None, actor: str
    ) -> None:
        with self._transaction() as db:
            clash = db.execute(
                "SELECT id FROM sources WHERE name = ? AND id != ?", (name, source_id)
            ).fetchone()
            if clash:
                raise Conflict(f"a source named {name!r} exists")
            db.execute(
                "UPDATE sources SET name = ?, spec = ?, schedule = ?, updated = ? WHERE id = ?",
                (name, orjson.dumps(spec).decode(), schedule, time.time(), source_id),
            )
            self._audit(db, actor, "source.update", f"source:{source_id}", {"name": name})

    def delete_source(self, source_id: int, actor: str) -> bool:
        with self._transaction() as db:
            gone = db.execute("DELETE FROM sources WHERE id = ?", (source_id,)).rowcount > 0
            if gone:
                self._audit(db, actor, "source.delete", f"source:{source_id}", None)
            return gone

    # Runs

    def create_run(self, source_id: int, *, force: bool, actor: str) -> int:
        """A new queued run, or :class:`Conflict` naming the run already queued or running."""
        with self._transaction() as db:
            active = db.execute(
                "SELECT id FROM service_runs WHERE source_id = ? AND status IN ('queued', 'running')"
                " ORDER BY id LIMIT 1",
                (source_id,),
            ).fetchone()
            if active:
                raise Conflict("a run of this source is already queued or running", existing=active[0])
            cursor = db.execute(
                "INSERT INTO service_runs (source_id, status, force, queued_at) VALUES (?, 'queued', ?, ?)",
                (source_id, int(force), time.time()),
            )
            assert cursor.lastrowid is not None
            self._audit(
                db, actor, "run.create", f"run:{cursor.lastrowid}", {"source": source_id, "force": force}
            )
            return cursor.lastrowid

    def run(self, run_id: int) -> Run | None:
        row = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE id = ?", (run_id,)).fetchone()
        return _run(row) if row else None

    def runs(self, *, source_id: int | None = None, after: int = 0, limit: int = 50) -> list[Run]:
        if source_id is None:
            rows = self._db.execute(
                f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
            )
        else:
            rows = self._db.execute(
                f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE source_id = ? AND id > ? ORDER BY id LIMIT ?",
                (source_id, after, limit),
            )
        return [_run(row) for row in rows]

    def latest_run(self, source_id: int) -> Run | None:
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE source_id = ? ORDER BY id DESC LIMIT 1",
            (source_id,),
        ).fetchone()
        return _run(row) if row else None

    def runs_in(self, *statuses: str) -> list[Run]:
        marks = ",".join("?" * len(statuses))
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE status IN ({marks}) ORDER BY id", statuses
        )
        return [_run(row) for row in rows]

    def start_run(self, run_id: int) -> bool:
        """Claim a queued (or, after a restart, running) run; False when it ended meanwhile."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE service_runs SET status = 'running', started_at = COALESCE(started_at, ?)"
                " WHERE id = ? AND status IN ('queued', 'running')",
                (time.time(), run_id),
            ).rowcount
            return changed > 0

    def progress(self, run_id: int, checked: int, total: int, waiting_on: str | None) -> None:
        self._db.execute(
            "UPDATE service_runs SET checked = ?, total = ?, waiting_on = ? WHERE id = ?",
            (checked, total, waiting_on, run_id),
        )

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        summary: Mapping[str, int] | None = None,
        network_down: bool | None = None,
        exit_code: int | None = None,
        error: str | None = None,
    ) -> None:
        self._db.execute(
            "UPDATE service_runs SET status = ?, finished_at = ?, summary = ?, network_down = ?,"
            " exit_code = ?, error = ?, waiting_on = NULL WHERE id = ? AND status IN ('queued', 'running')",
            (
                status,
                time.time(),
                orjson.dumps(summary).decode() if summary is not None else None,
                None if network_down is None else int(network_down),
                exit_code,
                error,
                run_id,
            ),
        )

    def cancel_run(self, run_id: int, actor: str) -> bool:
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE service_runs SET status = 'interrupted', finished_at = ?, waiting_on = NULL"
                " WHERE id = ? AND status IN ('queued', 'running')",
                (time.time(), run_id),
            ).rowcount
            if changed:
                self._audit(db, actor, "run.cancel", f"run:{run_id}", None)
            return changed > 0

    # Tokens

    def add_token(self, name: str, role: str, digest: str, actor: str) -> None:
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM tokens WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a token named {name!r} exists")
            db.execute(
                "INSERT INTO tokens (name, role, digest, created) VALUES (?,?,?,?)",
                (name, role, digest, time.time()),
            )
            self._audit(db, actor, "token.create", f"token:{name}", {"role": role})

    def token_by_digest(self, digest: str) -> Token | None:
        row = self._db.execute(
            "SELECT name, role, created, revoked FROM tokens WHERE digest = ? AND revoked IS NULL", (digest,)
        ).fetchone()
        return Token(*row) if row else None

    def tokens(self) -> list[Token]:
        rows = self._db.execute("SELECT name, role, created, revoked FROM tokens ORDER BY created, name")
        return [Token(*row) for row in rows]

    def revoke_token(self, name: str, actor: str) -> bool:
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL", (time.time(), name)
            ).rowcount
            if changed:
                self._audit(db, actor, "token.revoke", f"token:{name}", None)
            return changed > 0

    def has_admin(self) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM tokens WHERE role = 'admin' AND revoked IS NULL LIMIT 1"
        ).fetchone()
        return row is not None

    # Audit

    @staticmethod
    def _audit(
        db: sqlite3.Connection, actor: str, action: str, subject: str, detail: Mapping[str, Any] | None
    ) -> None:
        db.execute(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES (?,?,?,?,?)",
            (time.time(), actor, action, subject, orjson.dumps(detail).decode() if detail else None),
        )

    def audit(self, *, after: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, at, actor, action, subject, detail FROM audit WHERE id > ? ORDER BY id LIMIT ?",
            (after, limit),
        )
        return [_audit_item(row) for row in rows]

    def audit_newest(self, *, before: int | None, limit: int) -> list[dict[str, Any]]:
        """The audit log newest first, below ``before`` (an entry's id) when given."""
        rows = self._db.execute(
            "SELECT id, at, actor, action, subject, detail FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before if before is not None else _NO_ID_ABOVE, limit),
        )
        return [_audit_item(row) for row in rows]

    def runs_newest(self, *, source: int | None, before: int | None, limit: int) -> list[Run]:
        """Runs newest first (of one source, when given), below ``before`` when given."""
        where = ["id < ?"]
        values: list[Any] = [before if before is not None else _NO_ID_ABOVE]
        if source is not None:
            where.append("source_id = ?")
            values.append(source)
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM service_runs WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
            (*values, limit),
        )
        return [_run(row) for row in rows]

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
