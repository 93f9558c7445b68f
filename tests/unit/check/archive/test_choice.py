"""The choice among CDX rows: pure, no sockets."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.check.archive.cdx import CDXRow, parse_cdx
from verifier.check.archive.choice import choose_nearest, settled_within

URL = "http://example.com/article"


def rows(*specs: tuple[str, str] | tuple[str, str, str]) -> list[CDXRow]:
    """CDX rows from (timestamp, status[, mimetype]) through the real parser."""
    lines = []
    for spec in specs:
        timestamp, status, *rest = spec
        mimetype = rest[0] if rest else "text/html"
        lines.append(f"{timestamp} {URL} {status} {mimetype} DIGEST")
    return parse_cdx("\n".join(lines))


def chosen(when: dt.date | None, *specs: tuple[str, str] | tuple[str, str, str]) -> str | None:
    row = choose_nearest(rows(*specs), when)
    return row.timestamp if row is not None else None


DAY = dt.date(2012, 3, 26)


def test_the_seed_case_a_capture_from_the_year_cited_beats_a_later_one() -> None:
    assert chosen(DAY, ("20150611000000", "200"), ("20120401000000", "200")) == "20120401000000"


def test_nearest_by_date_on_either_side() -> None:
    assert chosen(DAY, ("20100101000000", "200"), ("20120301000000", "200")) == "20120301000000"
    assert chosen(DAY, ("20100101000000", "200"), ("20120330000000", "200")) == "20120330000000"


def test_a_later_capture_wins_whenever_it_is_nearer() -> None:
    # No weight on captures after the date: one day nearer is enough, as the Memento TimeGate does.
    assert chosen(DAY, ("20120322000000", "200"), ("20120329000000", "200")) == "20120329000000"
    assert chosen(DAY, ("20120226000000", "200"), ("20120324000000", "200")) == "20120324000000"
    assert chosen(DAY, ("20120126000000", "200"), ("20120425000000", "200")) == "20120425000000"


def test_a_capture_made_on_the_day_is_at_distance_nought() -> None:
    # Late on the day itself still beats a capture one second into the next day.
    assert chosen(DAY, ("20120326235959", "200"), ("20120327000001", "200")) == "20120326235959"
    assert chosen(DAY, ("20120325000000", "200"), ("20120326235959", "200")) == "20120326235959"


def test_ties_go_to_the_earlier_capture() -> None:
    assert chosen(DAY, ("20120325120000", "200"), ("20120327120000", "200")) == "20120325120000"
    # A day before at midnight against a day after at noon: both one day away, so the earlier.
    assert chosen(DAY, ("20120325000000", "200"), ("20120327120000", "200")) == "20120325000000"
    # Two the same day: the earlier.
    assert chosen(DAY, ("20120326180000", "200"), ("20120326000001", "200")) == "20120326000001"


@pytest.mark.parametrize("status", ["404", "301", "302", "500", "-"])
def test_only_a_200_counts(status: str) -> None:
    assert chosen(DAY, ("20120326000000", status), ("20140101000000", "200")) == "20140101000000"
    assert chosen(DAY, ("20120326000000", status)) is None


def test_a_revisit_record_never_counts() -> None:
    assert chosen(DAY, ("20120326000000", "200", "warc/revisit")) is None


def test_without_a_date_the_newest_good_capture() -> None:
    got = chosen(None, ("20100101000000", "200"), ("20200101000000", "200"), ("20230101000000", "404"))
    assert got == "20200101000000"


def test_no_rows_no_choice() -> None:
    assert chosen(DAY) is None
    assert chosen(None) is None


def test_a_choice_stands_in_a_cut_listing_only_when_no_unknown_capture_can_be_nearer() -> None:
    known = rows(("20100101000000", "200"), ("20120320000000", "200"), ("20120401000000", "200"))
    cut = dt.date(2012, 4, 1)  # captures after the last row, from that day on, are unknown
    # Six days before: an unknown capture is at least six days after.
    assert settled_within(known, DAY, cut)
    assert not settled_within(known, dt.date(2012, 3, 30), dt.date(2012, 3, 31))
    # Past the cut, or the newest: nothing known settles it.
    assert not settled_within(known, dt.date(2012, 4, 2), cut)
    assert not settled_within(known, None, cut)
    assert not settled_within([], DAY, cut)
