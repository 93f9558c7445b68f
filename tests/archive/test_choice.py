"""The choice among CDX rows: pure, no sockets."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.check.archive.cdx import CDXRow, parse_cdx
from verifier.check.archive.choice import AFTER_WEIGHT, choose_nearest, may_miss_earlier

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


def test_a_capture_made_on_the_day_counts_as_on_or_before_it() -> None:
    # Late on the day itself still beats a capture one second into the next day.
    assert chosen(DAY, ("20120326235959", "200"), ("20120327000001", "200")) == "20120326235959"
    assert chosen(DAY, ("20120326000001", "200"), ("20120326180000", "200")) == "20120326180000"


def test_equal_distance_goes_to_the_capture_before() -> None:
    assert chosen(DAY, ("20120325120000", "200"), ("20120327120000", "200")) == "20120325120000"


def test_a_capture_after_must_be_clearly_nearer_to_win() -> None:
    # 3 days before against 1 day after: 3 against 1 * AFTER_WEIGHT, a tie, so before.
    assert AFTER_WEIGHT == 3
    assert chosen(DAY, ("20120323000000", "200"), ("20120327000000", "200")) == "20120323000000"
    # 4 days before against 1 day after: the later one is clearly nearer.
    assert chosen(DAY, ("20120322000000", "200"), ("20120327000000", "200")) == "20120327000000"
    # A week after beats a month before; a month after loses to two months before.
    assert chosen(DAY, ("20120226000000", "200"), ("20120402000000", "200")) == "20120402000000"
    assert chosen(DAY, ("20120126000000", "200"), ("20120426000000", "200")) == "20120126000000"


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


def test_a_full_page_all_after_the_date_may_hide_a_better_capture_before() -> None:
    after = rows(*[(f"201204{day:02d}000000", "200") for day in range(1, 11)])
    assert may_miss_earlier(after, DAY, asked=10)
    assert not may_miss_earlier(after[:9], DAY, asked=10)
    mixed = rows(("20120301000000", "200"), *[(f"201204{day:02d}000000", "200") for day in range(1, 10)])
    assert not may_miss_earlier(mixed, DAY, asked=10)
