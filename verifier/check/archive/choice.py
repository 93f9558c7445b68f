"""Which good capture a citation meant: pure rules over CDX rows, no I/O.

The rule is the Memento TimeGate's, as InternetArchiveBot applies it: the capture nearest the
date, in either direction, ties going to the earlier capture. A citation's date has no time
of day, so distance is counted in whole days: a capture made on the date itself is at
distance 0, one ``n`` days before or after it at distance ``n``. Among captures at the same
distance the earliest wins, so one the day before beats one the day after.

Without a date, the newest good capture wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from verifier.check.archive.cdx import CDXRow


def _distance(row: CDXRow, when: dt.date) -> tuple[int, str]:
    return (abs((row.captured_at.date() - when).days), row.timestamp)


def choose_nearest(rows: Iterable[CDXRow], when: dt.date | None) -> CDXRow | None:
    """The good row the rule above picks, or None when no row is good."""
    good = [row for row in rows if row.is_good()]
    if not good:
        return None
    if when is None:
        return max(good, key=lambda row: row.timestamp)
    return min(good, key=lambda row: _distance(row, when))


def settled_within(rows: Iterable[CDXRow], when: dt.date | None, cut: dt.date) -> bool:
    """Whether the choice for ``when`` among ``rows`` stands although captures after the
    answer's last row, made on the day ``cut``, are unknown (the answer reached its row limit).

    An unknown capture is made on ``cut`` or later and after every known one, so it is at
    least ``cut - when`` days from a date up to ``cut`` and loses a tie to a known capture.
    """
    if when is None or when > cut:
        return False
    chosen = choose_nearest(rows, when)
    return chosen is not None and _distance(chosen, when)[0] <= (cut - when).days
