"""Dates as citations write them: access dates, publication dates, a document's own date."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.extract.dates import (
    find_access_date,
    find_date,
    find_document_date,
    find_publication_date,
    parse_date,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-03-26", D(2012, 3, 26)),
        ("2012-3-6", D(2012, 3, 6)),
        ("2012年3月26日", D(2012, 3, 26)),
        ("2012年 3月 26日", D(2012, 3, 26)),
        ("2012/03/26", D(2012, 3, 26)),
        ("2012.03.26", D(2012, 3, 26)),
        ("26 March 2012", D(2012, 3, 26)),
        ("3 Mar. 2012", D(2012, 3, 3)),
        ("March 26, 2012", D(2012, 3, 26)),
        ("Sept 1 2012", D(2012, 9, 1)),
        ("2012-02-30", None),
        ("2012-13-01", None),
        ("not a date", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Retrieved 2012-03-26.", D(2012, 3, 26)),
        ("Retrieved on 26 March 2012", D(2012, 3, 26)),
        ("accessed 3 March 2012", D(2012, 3, 3)),
        ("Accessed: March 3, 2012", D(2012, 3, 3)),
        ("access-date=2012-03-26", D(2012, 3, 26)),
        ("检索于2012-03-26", D(2012, 3, 26)),
        ("检索于 2012年3月26日", D(2012, 3, 26)),
        ("访问日期：2012年3月26日", D(2012, 3, 26)),
        ("訪問日期: 2012-03-26", D(2012, 3, 26)),
        ("[EB/OL]. (2010-04-14)[2012-03-26]. http://example.com/", D(2012, 3, 26)),
        ("Published 2010-04-14. Retrieved 2012-03-26.", D(2012, 3, 26)),
        ("Published 2010-04-14.", None),
        ("Retrieved yesterday, 2012", None),
    ],
)
def test_find_access_date(text: str, expected: dt.date | None) -> None:
    assert find_access_date(text) == expected


def test_find_date_takes_the_earliest_valid_date() -> None:
    assert find_date("on May 3, 2012 and 2011-01-01") == D(2012, 5, 3)
    assert find_date("bad 2012-13-45 then good 2012-03-04") == D(2012, 3, 4)
    assert find_date("第 1373（2001）号决议，2001年\n9月 28日") == D(2001, 9, 28)


@pytest.mark.parametrize("text", ["12012-03-265", "12012-03-26", "2012年第 3期", "p. 83", "1990-91 season"])
def test_no_date_inside_longer_numbers_or_issue_numbers(text: str) -> None:
    assert find_date(text) is None


def test_publication_date_skips_the_access_date() -> None:
    assert find_publication_date("Retrieved 2012-03-26. Published 2010-04-14.") == D(2010, 4, 14)
    assert find_publication_date("[EB/OL]. (2010-04-14)[2012-03-26].") == D(2010, 4, 14)
    assert find_publication_date("访问日期：2012-03-26") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title\nPublished: 3 March 2012\nBody", D(2012, 3, 3)),
        ("Title\nDate: 2012-03-26\n", D(2012, 3, 26)),
        ("标题\n发布日期：2012年3月26日\n正文", D(2012, 3, 26)),
        ("标题\n发表时间: 2012-03-26\n", D(2012, 3, 26)),
        ("Body that mentions 2012-03-26 in passing.", None),
        ("x\n" * 3000 + "Published: 2012-03-26\n", None),
    ],
)
def test_find_document_date(text: str, expected: dt.date | None) -> None:
    assert find_document_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 ſep 2010", dt.date(2010, 9, 14)),
        ("ſeptember 14, 2010", dt.date(2010, 9, 14)),
        ("3 Auguſt 2011", dt.date(2011, 8, 3)),
    ],
)
def test_a_month_named_with_a_long_s_is_read_as_its_month(text: str, expected: dt.date) -> None:
    # Matched ignoring case, "ſ" stands for "s"; looking the name up lowercased found no month
    # and failed the whole file's extraction.
    assert parse_date(text) == expected
