"""The editors' desk: one flag per dead or archive-only source, overrides, and each URL's checks.

A flag belongs to a (source, URL) pair and lives across runs: a later run updates it, never opens
a second. Its state is the editors' decision; the rules below say what a run does to each state:

| state          | a run that finds the URL dead or archived | the URL live, or no longer cited |
|----------------|-------------------------------------------|----------------------------------|
| open           | updated                                   | fixed, by "system"               |
| confirmed      | updated                                   | fixed, by "system"               |
| ignored        | reopened if it got worse (archived→dead)  | fixed, by "system"               |
| fixed          | reopened (the fix did not hold)           | stays fixed                      |
| false-positive | stays (its override makes the URL live)   | stays                            |

Every change is written to the audit log with who made it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from verifier._exceptions import ConfigError
from verifier.report.overrides import Override, make_override
from verifier.service.db import Conflict, ServiceDB

STATES = ("open", "false-positive", "confirmed", "fixed", "ignored")
FLAGGED_OUTCOMES = ("dead", "archived")
SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Flag:
    id: int
    source_id: int
    url: str
    outcome: str
    archive: Mapping[str, Any] | None
    occurrences: list[dict[str, Any]]
    documents: list[str]
    state: str
    note: str | None
    version: int
    created: float
    updated: float
    last_run: int | None


_FLAG_COLUMNS = (
    "id, source_id, url, outcome, archive, occurrences, documents, state, note, version, created, updated,"
    " last_run"
)


def _flag(row: Any) -> Flag:
    return Flag(
        id=row[0],
        source_id=row[1],
        url=row[2],
        outcome=row[3],
        archive=orjson.loads(row[4]) if row[4] else None,
        occurrences=orjson.loads(row[5]),
        documents=orjson.loads(row[6]),
        state=row[7],
        note=row[8],
        version=row[9],
        created=row[10],
        updated=row[11],
        last_run=row[12],
    )


class Desk:
    def __init__(self, db: ServiceDB) -> None:
        self.db = db

    # Flags

    def flag(self, flag_id: int) -> Flag | None:
        row = self.db.connection.execute(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id = ?", (flag_id,)
        ).fetchone()
        return _flag(row) if row else None

    def flags(
        self,
        *,
        state: str | None = None,
        outcome: str | None = None,
        source: int | None = None,
        document: str | None = None,
        after: int = 0,
        limit: int = 50,
    ) -> list[Flag]:
        where = ["id > ?"]
        values: list[Any] = [after]
        for column, value in (("state", state), ("outcome", outcome), ("source_id", source)):
            if value is not None:
                where.append(f"{column} = ?")
                values.append(value)
        if document is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(flags.documents) WHERE json_each.value = ?)")
            values.append(document)
        values.append(limit)
        rows = self.db.connection.execute(
            f"SELECT {_FLAG_COLUMNS} FROM flags WHERE {' AND '.join(where)} ORDER BY id LIMIT ?", values
        )
        return [_flag(row) for row in rows]

    def move(self, flag_id: int, state: str, *, note: str | None, version: int | None, actor: str) -> Flag:
        """An editor's decision on one flag. Conflict when ``version`` is stale or the move is not
        allowed; ConfigError when the request itself is wrong."""
        self._check_move_request(state, note)
        with self.db.transaction() as db:
            row = db.execute(f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id = ?", (flag_id,)).fetchone()
            if row is None:
                raise LookupError(flag_id)
            flag = _flag(row)
            if version is not None and version != flag.version:
                raise Conflict(f"flag {flag_id} changed meanwhile (version {flag.version}); reload it")
            self._move(db, flag, state, note, actor)
        moved = self.flag(flag_id)
        assert moved is not None
        return moved

    def move_many(self, ids: Sequence[int], state: str, *, note: str | None, actor: str) -> list[Flag]:
        self._check_move_request(state, note)
        with self.db.transaction() as db:
            found = []
            for flag_id in ids:
                row = db.execute(f"SELECT {_FLAG_COLUMNS} FROM flags WHERE id = ?", (flag_id,)).fetchone()
                if row is None:
                    raise LookupError(flag_id)
                found.append(_flag(row))
            for flag in found:
                self._move(db, flag, state, note, actor)
        return [moved for moved in (self.flag(flag_id) for flag_id in ids) if moved is not None]

    @staticmethod
    def _check_move_request(state: str, note: str | None) -> None:
        if state not in STATES:
            raise ConfigError(f"state: one of {', '.join(STATES)}")
        if state == "false-positive" and not (note and note.strip()):
            raise ConfigError("a false positive needs a note saying why the link is fine")

    def _move(self, db: Any, flag: Flag, state: str, note: str | None, actor: str) -> None:
        if state == flag.state:
            raise Conflict(f"flag {flag.id} is {state} already")
        if flag.state == "false-positive" and state != "open":
            raise Conflict("a false positive is closed: reopen it first")
        db.execute(
            "UPDATE flags SET state = ?, note = COALESCE(?, note), version = version + 1, updated = ?"
            " WHERE id = ?",
            (state, note, time.time(), flag.id),
        )
        self.db.audit_in(
            db, actor, "flag.move", f"flag:{flag.id}", {"from": flag.state, "to": state, "note": note}
        )
        if state == "false-positive":
            self._put_override(db, make_override(outcome="live", by=actor, url=flag.url, note=note), actor)

    def record_run(self, source_id: int, run_id: int, report: Mapping[str, Any]) -> None:
        """What a finished run says about the source's flags (see the table above)."""
        now = time.time()
        flagged: dict[str, Mapping[str, Any]] = {}
        present: dict[str, str] = {}
        for link in report.get("links", []):
            outcome = link["outcome"]
            checked = (link.get("override") or {}).get("checked", outcome)
            present[link["url"]] = outcome
            if checked in FLAGGED_OUTCOMES and "override" not in link:
                flagged[link["url"]] = link
        with self.db.transaction() as db:
            existing = {
                flag.url: flag
                for flag in (
                    _flag(row)
                    for row in db.execute(
                        f"SELECT {_FLAG_COLUMNS} FROM flags WHERE source_id = ?", (source_id,)
                    )
                )
            }
            for url, link in flagged.items():
                occurrences = link.get("occurrences", [])
                documents = sorted({place["path"] for place in occurrences})
                archive = orjson.dumps(link["archive"]).decode() if link.get("archive") else None
                fields = (
                    link["outcome"],
                    archive,
                    orjson.dumps(list(occurrences)).decode(),
                    orjson.dumps(documents).decode(),
                )
                flag = existing.get(url)
                if flag is None:
                    cursor = db.execute(
                        "INSERT INTO flags (source_id, url, outcome, archive, occurrences, documents, state,"
                        " version, created, updated, last_run) VALUES (?,?,?,?,?,?,'open',1,?,?,?)",
                        (source_id, url, *fields, now, now, run_id),
                    )
                    self.db.audit_in(db, SYSTEM, "flag.open", f"flag:{cursor.lastrowid}", {"url": url})
                    continue
                state = flag.state
                worse = flag.outcome == "archived" and link["outcome"] == "dead"
                if state == "fixed" or (state == "ignored" and worse):
                    state = "open"
                    self.db.audit_in(
                        db, SYSTEM, "flag.reopen", f"flag:{flag.id}", {"from": flag.state, "run": run_id}
                    )
                db.execute(
                    "UPDATE flags SET outcome = ?, archive = ?, occurrences = ?, documents = ?, state = ?,"
                    " version = version + ?, updated = ?, last_run = ? WHERE id = ?",
                    (*fields, state, int(state != flag.state), now, run_id, flag.id),
                )
            for url, flag in existing.items():
                if url in flagged or flag.state in ("fixed", "false-positive"):
                    continue
                db.execute(
                    "UPDATE flags SET state = 'fixed', version = version + 1, updated = ?, last_run = ?"
                    " WHERE id = ?",
                    (now, run_id, flag.id),
                )
                why = "no longer cited" if url not in present else f"now {present[url]}"
                self.db.audit_in(db, SYSTEM, "flag.fixed", f"flag:{flag.id}", {"why": why, "run": run_id})
            for link in report.get("links", []):
                db.execute(
                    "INSERT OR REPLACE INTO url_checks"
                    " (url, run_id, checked_at, outcome, reason, http_status) VALUES (?,?,?,?,?,?)",
                    (
                        link["url"],
                        run_id,
                        link["checked_at"],
                        (link.get("override") or {}).get("checked", link["outcome"]),
                        link["reason"],
                        link.get("http_status"),
                    ),
                )

    # Overrides

    def overrides(self) -> list[tuple[int, Override]]:
        rows = self.db.connection.execute(
            "SELECT id, url, domain, outcome, note, by, at FROM overrides ORDER BY id"
        )
        return [(row[0], self._override(row)) for row in rows]

    @staticmethod
    def _override(row: Any) -> Override:
        import datetime as dt

        at = dt.datetime.fromtimestamp(int(row[6]), dt.UTC).isoformat().replace("+00:00", "Z")
        return make_override(outcome=row[3], by=row[5], url=row[1], domain=row[2], note=row[4], at=at)

    def add_override(self, override: Override, actor: str) -> int:
        with self.db.transaction() as db:
            return self._put_override(db, override, actor)

    def _put_override(self, db: Any, override: Override, actor: str) -> int:
        column, value = ("url", override.url) if override.url is not None else ("domain", override.domain)
        db.execute(f"DELETE FROM overrides WHERE {column} = ?", (value,))
        cursor = db.execute(
            "INSERT INTO overrides (url, domain, outcome, note, by, at) VALUES (?,?,?,?,?,?)",
            (override.url, override.domain, override.outcome.value, override.note, override.by, time.time()),
        )
        self.db.audit_in(
            db, actor, "override.set", f"override:{cursor.lastrowid}",
            {column: value, "outcome": override.outcome.value, "note": override.note},
        )  # fmt: skip
        lastrowid: int = cursor.lastrowid
        return lastrowid

    def remove_override(self, override_id: int, actor: str) -> bool:
        with self.db.transaction() as db:
            gone = db.execute("DELETE FROM overrides WHERE id = ?", (override_id,)).rowcount > 0
            if gone:
                self.db.audit_in(db, actor, "override.remove", f"override:{override_id}", None)
            return gone

    # A URL's checks

    def checks(self, url: str, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.db.connection.execute(
            "SELECT checked_at, outcome, reason, http_status, run_id FROM url_checks WHERE url = ?"
            " ORDER BY run_id DESC LIMIT ?",
            (url, limit),
        )
        return [
            {
                "checked_at": row[0],
                "outcome": row[1],
                "reason": row[2],
                "http_status": row[3],
                "run_id": row[4],
            }
            for row in rows
        ]


def overrides_only(entries: Iterable[tuple[int, Override]]) -> list[Override]:
    return [override for _, override in entries]
