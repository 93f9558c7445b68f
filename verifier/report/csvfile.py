"""CSV for spreadsheets: one row per place a checked URL is cited.

The file is UTF-8 with a byte order mark (the registry writes it so), which is how Excel and
LibreOffice recognise UTF-8 and show Chinese text instead of mojibake.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from verifier.report.rows import Row, reference_rows

COLUMNS: tuple[str, ...] = (
    "document",
    "line",
    "column",
    "footnote",
    "link_text",
    "url",
    "outcome",
    "reason",
    "http_status",
    "final_url",
    "redirects",
    "archive_url",
    "archive_date",
    "accessed",
    "checked_at",
    "content_drift",
)

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _drift(row: Row) -> str:
    drift = row.drift
    if drift is None:
        return ""
    return f"cited “{drift.cited_title}”, page shows “{drift.found_title}” ({drift.percent} alike)"


def render(report: Mapping[str, Any], fail_on: Sequence[str] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in reference_rows(report):
        cells: list[str | int] = [
            row.path,
            row.line,
            row.column,
            row.footnote or "",
            row.text or "",
            row.url,
            row.outcome,
            row.reason,
            "" if row.http_status is None else row.http_status,
            row.final_url or "",
            " -> ".join(row.redirects),
            row.archive_url or "",
            row.archive_date or "",
            row.accessed or "",
            row.checked_at,
            _drift(row),
        ]
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells])
    return buffer.getvalue()
