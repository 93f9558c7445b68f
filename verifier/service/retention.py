"""How long runs are kept (``--keep-runs 90d``): older run rows and their reports are removed.

What a URL went through stays: its history in the check store and its checks (``url_checks``)
are per URL, not per run, and are what editors look back on. Each source's newest complete
run is kept whatever its age, so a source checked rarely still has a report to show. The
scheduler prunes once a day and when the service starts.
"""

from __future__ import annotations

import re
import time

from verifier._exceptions import ConfigError
from verifier.service.db import FINISHED
from verifier.service.paths import ServicePaths
from verifier.service.runs import ServiceContext

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0}
_AGE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", re.IGNORECASE)


def parse_age(text: str) -> float:
    """``90d``, ``12h``, ``2w``, ``30m``, ``45s`` (a bare number is days) as seconds."""
    found = _AGE.fullmatch(text)
    if found is None:
        raise ConfigError(f"--keep-runs {text!r}: an age such as 90d, 2w or 36h")
    seconds = float(found.group(1)) * _UNITS[(found.group(2) or "d").lower()]
    if seconds <= 0:
        raise ConfigError(f"--keep-runs {text!r}: more than nothing")
    return seconds


def prune_runs(context: ServiceContext, keep: float, *, now: float | None = None) -> list[int]:
    """Remove finished runs that ended more than ``keep`` seconds ago; the ids removed."""
    cutoff = (time.time() if now is None else now) - keep
    marks = ",".join("?" * len(FINISHED))
    db = context.db
    with db.transaction() as connection:
        rows = connection.execute(
            f"SELECT id FROM service_runs WHERE status IN ({marks})"
            " AND COALESCE(finished_at, queued_at) < ?"
            " AND id NOT IN (SELECT MAX(id) FROM service_runs WHERE status = 'complete' GROUP BY source_id)"
            " ORDER BY id",
            (*FINISHED, cutoff),
        ).fetchall()
        gone = [int(row[0]) for row in rows]
        connection.executemany("DELETE FROM service_runs WHERE id = ?", [(run_id,) for run_id in gone])
        if gone:
            db.audit_in(
                connection, "system", "runs.prune", "runs", {"count": len(gone), "older_than": cutoff}
            )
    # After the rows: a report with no row is only litter, a row with no report a broken link.
    _remove_reports(context.paths, gone)
    return gone


def _remove_reports(paths: ServicePaths, run_ids: list[int]) -> None:
    for run_id in run_ids:
        report = paths.report(run_id)
        report.unlink(missing_ok=True)
        # What a write killed half-way left: today's temporary name and the one used before.
        for partial in (*paths.reports.glob(f".{report.name}.*.tmp"), report.with_suffix(".json.tmp")):
            partial.unlink(missing_ok=True)
