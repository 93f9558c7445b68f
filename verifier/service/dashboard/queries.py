"""Reads the pages need that the API does not: newest first, and the choices for the filters."""

from __future__ import annotations

from typing import Any

from verifier.service.db import Run, ServiceDB


def runs_newest(db: ServiceDB, *, source: int | None, before: int | None, limit: int) -> list[Run]:
    return db.runs_newest(source=source, before=before, limit=limit)


def audit_newest(db: ServiceDB, *, before: int | None, limit: int) -> list[dict[str, Any]]:
    return db.audit_newest(before=before, limit=limit)


def source_names(db: ServiceDB) -> dict[int, str]:
    return {row[0]: row[1] for row in db.connection.execute("SELECT id, name FROM sources ORDER BY name")}


def flag_documents(db: ServiceDB, limit: int = 500) -> list[str]:
    rows = db.connection.execute(
        "SELECT DISTINCT json_each.value FROM flags, json_each(flags.documents) ORDER BY 1 LIMIT ?", (limit,)
    )
    return [row[0] for row in rows]


def flag_counts(db: ServiceDB) -> dict[str, int]:
    return dict(db.connection.execute("SELECT state, COUNT(*) FROM flags GROUP BY state").fetchall())


def flags_for_url(db: ServiceDB, url: str) -> list[tuple[int, int, str, str]]:
    """(flag id, source id, state, outcome) of every flag on ``url``."""
    rows = db.connection.execute(
        "SELECT id, source_id, state, outcome FROM flags WHERE url = ? ORDER BY id", (url,)
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]
