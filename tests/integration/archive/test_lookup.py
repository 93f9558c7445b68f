"""nearest_snapshot against the fake Wayback Machine over real sockets."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from tests.integration.archive.conftest import SettingsFactory
from tests.servers.wayback import Capture, FakeWayback
from verifier._exceptions import ConfigError
from verifier.check.archive.client import ArchiveClient, ArchiveUnavailable
from verifier.model import Snapshot

ARTICLE = "http://news.example.com/2012/03/26/story.html"
RETRIEVED = dt.date(2012, 3, 26)


async def nearest(
    settings_factory: SettingsFactory, url: str, when: dt.date | None, **overrides: Any
) -> Snapshot | None:
    async with ArchiveClient(settings_factory(**overrides)) as archive:
        return await archive.nearest_snapshot(url, when)


async def test_the_seed_case_a_2012_capture_beats_a_2015_one(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(
        ARTICLE,
        ("20150611093000", 200, "text/html", "<html>2015</html>"),
        ("20120327101500", 200, "text/html", "<html>2012</html>"),
        ("20100101000000", 200, "text/html", "<html>2010</html>"),
    )
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None
    assert snapshot.timestamp == "20120327101500"
    assert snapshot.url == f"{wayback.url}/web/20120327101500/{ARTICLE}"
    assert snapshot.original == ARTICLE
    assert snapshot.status == 200
    assert wayback.count("cdx") == 1
    query = wayback.requests[0].query
    assert query["closest"] == ["20120326120000"]
    assert query["sort"] == ["closest"]
    assert query["filter"] == ["statuscode:200", "!mimetype:warc/revisit"]


async def test_before_is_preferred_on_a_tie(wayback: FakeWayback, quick: SettingsFactory) -> None:
    wayback.add(ARTICLE, ("20120325120000", 200, "text/html", "a"), ("20120327120000", 200, "text/html", "b"))
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None and snapshot.timestamp == "20120325120000"


async def test_archived_404_and_redirects_are_never_chosen(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(
        ARTICLE,
        Capture("20120326000000", 404, "text/html", b"not found"),
        Capture("20120325000000", 301, "text/html", b"", location="http://news.example.com/"),
        Capture("20120324000000", 200, "warc/revisit", b""),
        Capture("20111201000000", 200, "text/html", b"the article"),
    )
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None and snapshot.timestamp == "20111201000000"


async def test_only_bad_captures_means_none(wayback: FakeWayback, quick: SettingsFactory) -> None:
    wayback.add(ARTICLE, ("20120326000000", 404, "text/html", ""), ("20130101000000", 302, "text/html", ""))
    assert await nearest(quick, ARTICLE, RETRIEVED) is None
    assert await nearest(quick, ARTICLE, None) is None


async def test_rows_are_checked_even_when_the_server_ignores_the_filters(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.honour_filters = False
    wayback.add(ARTICLE, ("20120326000000", 404, "text/html", ""), ("20090101000000", 200, "text/html", "ok"))
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None and snapshot.timestamp == "20090101000000"


async def test_without_a_date_the_newest_good_capture(wayback: FakeWayback, quick: SettingsFactory) -> None:
    wayback.add(
        ARTICLE,
        ("20050101000000", 200, "text/html", "old"),
        ("20190101000000", 200, "text/html", "newest good"),
        ("20230101000000", 404, "text/html", "gone"),
    )
    snapshot = await nearest(quick, ARTICLE, None)
    assert snapshot is not None and snapshot.timestamp == "20190101000000"


async def test_a_url_never_archived_or_excluded_means_none(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    assert await nearest(quick, "http://never.example.org/", RETRIEVED) is None
    wayback.add("http://excluded.example.org/", ("20120326000000", 200, "text/html", "x"))
    wayback.block("http://excluded.example.org/")
    assert await nearest(quick, "http://excluded.example.org/", RETRIEVED) is None


async def test_one_question_for_one_date_even_when_every_capture_on_the_page_is_after_it(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    # Ten captures four and five days after the date fill the page; one six days before is further
    # both in days and to the server, which sorts by plain distance: the page holds the nearest.
    wayback.add(
        ARTICLE, *[(f"2012033{hour // 6}{hour:02d}0000", 200, "text/html", "x") for hour in range(10)]
    )
    wayback.add(ARTICLE, ("20120320000000", 200, "text/html", "before"))
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None and snapshot.timestamp == "20120330000000"
    assert wayback.count("cdx") == 1


async def test_a_lookup_takes_well_under_a_second_with_the_default_rate(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(ARTICLE, ("20120326000000", 200, "text/html", "x"))
    settings = quick(archive_rate=30.0)  # the default: one request every two seconds
    async with ArchiveClient(settings) as archive:
        begun = time.monotonic()
        snapshot = await archive.nearest_snapshot(ARTICLE, RETRIEVED)
        elapsed = time.monotonic() - begun
    assert snapshot is not None
    assert elapsed < 0.3, elapsed


async def test_availability_api_answers_when_the_cdx_api_is_broken(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(ARTICLE, ("20120301000000", 200, "text/html", "x"))
    wayback.fail_next(503, times=3, route="cdx")
    async with ArchiveClient(quick(retries=2)) as archive:
        snapshot = await archive.nearest_snapshot(ARTICLE, RETRIEVED)
        assert archive.requests_made == 4
    assert snapshot is not None and snapshot.timestamp == "20120301000000"
    assert snapshot.url == f"{wayback.url}/web/20120301000000/{ARTICLE}"
    assert wayback.count("cdx") == 3 and wayback.count("available") == 1
    assert wayback.requests[-1].query["timestamp"] == ["20120326120000"]


async def test_an_availability_answer_naming_a_bad_capture_is_inconclusive(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(
        ARTICLE, ("20120326000000", 404, "text/html", "gone"), ("20100101000000", 200, "text/html", "x")
    )
    wayback.fail_next(500, times=10, route="cdx")
    with pytest.raises(ArchiveUnavailable) as caught:
        await nearest(quick, ARTICLE, RETRIEVED, retries=0)
    assert "404" in str(caught.value)
    wayback.fail_next(500, times=10, route="cdx")
    assert await nearest(quick, "http://never.example.org/", RETRIEVED, retries=0) is None


async def test_a_cdx_reply_that_is_not_cdx_falls_back_too(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(ARTICLE, ("20120301000000", 200, "text/html", "x"))
    wayback.fail_next(200, route="cdx", body=b"<html>maintenance</html>")
    snapshot = await nearest(quick, ARTICLE, RETRIEVED)
    assert snapshot is not None and snapshot.timestamp == "20120301000000"
    assert wayback.count("cdx") == 1 and wayback.count("available") == 1


async def test_requests_made_counts_every_request(wayback: FakeWayback, quick: SettingsFactory) -> None:
    wayback.fail_next(503, times=1, route="cdx")
    async with ArchiveClient(quick()) as archive:
        await archive.nearest_snapshot(ARTICLE, RETRIEVED)
        await archive.nearest_snapshot(ARTICLE, None)
        assert archive.requests_made == 3 == wayback.count()


async def test_the_client_must_be_entered(quick: SettingsFactory) -> None:
    with pytest.raises(RuntimeError):
        await ArchiveClient(quick()).nearest_snapshot(ARTICLE, RETRIEVED)


@pytest.mark.parametrize(
    "overrides",
    [{"archive_rate": 0.0}, {"archive_concurrency": 0}, {"save_rate": -1.0}, {"archive_timeout": 0.0}],
)
def test_settings_that_would_hammer_or_hang_are_refused(
    quick: SettingsFactory, overrides: dict[str, float]
) -> None:
    with pytest.raises(ConfigError):
        ArchiveClient(quick(**overrides))
