"""The service's own tables, beside the check store's in ``service.sqlite``.

They are versioned on their own (table ``service_schema``), so that the check store's
migrations and the service's never compete for SQLite's single ``user_version``.
"""

from __future__ import annotations

import sqlite3

from verifier.store.base import steps_to_apply

#: (version, script): applied in order; a released step is never edited, a change is a new step.
SERVICE_MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            spec TEXT NOT NULL,
            schedule TEXT,
            created REAL NOT NULL,
            updated REAL NOT NULL
        );
        CREATE TABLE service_runs (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            force INTEGER NOT NULL,
            queued_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL,
            checked INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            waiting_on TEXT,
            summary TEXT,
            network_down INTEGER,
            exit_code INTEGER,
            error TEXT
        );
        CREATE INDEX service_runs_by_source ON service_runs (source_id, id);
        CREATE TABLE tokens (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            created REAL NOT NULL,
            revoked REAL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            detail TEXT
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            outcome TEXT NOT NULL,
            archive TEXT,
            occurrences TEXT NOT NULL,
            documents TEXT NOT NULL,
            state TEXT NOT NULL,
            note TEXT,
            version INTEGER NOT NULL,
            created REAL NOT NULL,
            updated REAL NOT NULL,
            last_run INTEGER,
            UNIQUE (source_id, url)
        );
        CREATE INDEX flags_by_state ON flags (state, id);
        CREATE TABLE overrides (
            id INTEGER PRIMARY KEY,
            url TEXT UNIQUE,
            domain TEXT UNIQUE,
            outcome TEXT NOT NULL,
            note TEXT,
            by TEXT NOT NULL,
            at REAL NOT NULL,
            CHECK ((url IS NULL) != (domain IS NULL))
        );
        CREATE TABLE url_checks (
            url TEXT NOT NULL,
            run_id INTEGER NOT NULL,
            checked_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            http_status INTEGER,
            PRIMARY KEY (url, run_id)
        );
        """,
    ),
    (
        3,
        """
        CREATE TABLE dashboard_sessions (
            id TEXT PRIMARY KEY,
            token_digest TEXT NOT NULL,
            csrf TEXT NOT NULL,
            flash TEXT,
            created REAL NOT NULL,
            seen REAL NOT NULL
        );
        CREATE INDEX dashboard_sessions_by_token ON dashboard_sessions (token_digest);
        """,
    ),
)

SERVICE_SCHEMA_VERSION = SERVICE_MIGRATIONS[-1][0]


def migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS service_schema (version INTEGER NOT NULL)")
    row = db.execute("SELECT version FROM service_schema").fetchone()
    version = row[0] if row else 0
    for step, script in steps_to_apply(version, SERVICE_MIGRATIONS, "the service store"):
        db.executescript(f"BEGIN;{script}")
        db.execute("DELETE FROM service_schema")
        db.execute("INSERT INTO service_schema (version) VALUES (?)", (step,))
        db.execute("COMMIT")
