"""Which good capture a citation meant: pure rules over CDX rows, no I/O.

The rule, in days (a citation's date has no time of day):

* A capture made on the date itself is at distance 0 and counts as "on or before".
* A capture ``n`` days before the date is at distance ``n``.
* A capture ``n`` days after the date is at distance ``AFTER_WEIGHT * n``: a later capture
  may show a page that has changed since it was cited, or a parked domain answering 200,
  so it must be clearly nearer to win. With a weight of 3, a capture a week after beats
  one a month before; one a month after loses to one two months before.
* The smallest distance wins; on equal distance, the capture on or before the date; then,
  on the same side and day, the capture nearer the date (the later one before it, the
  earlier one after it).

Without a date, the newest good capture wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from verifier.check.archive.cdx import CDXRow

AFTER_WEIGHT = 3


def _distance(row: CDXRow, when: dt.date) -> tuple[int, int, float]:
    captured = row.captured_at
    days = (captured.date() - when).days
    moment = captured.timestamp()
    if days <= 0:
        return (-days, 0, -moment)
    return (days * AFTER_WEIGHT, 1, moment)


def choose_nearest(rows: Iterable[CDXRow], when: dt.date | None) -> CDXRow | None:
    """The good row the rule above picks, or None when no row is good."""
    good = [row for row in rows if row.is_good()]
    if not good:
        return None
    if when is None:
        return max(good, key=lambda row: row.timestamp)
    return min(good, key=lambda row: _distance(row, when))


def may_miss_earlier(rows: list[CDXRow], when: dt.date, asked: int) -> bool:
    """Whether a full page of captures, all after ``when``, may hide a better one before it.

    The server sorts by plain distance; when every row it sent is after the date and the
    page is full, a capture before the date just beyond the page could still win under the
    rule above, so it deserves one more question limited to captures up to the date.
    """
    if len(rows) < asked:
        return False
    return all(row.captured_at.date() > when for row in rows)
