"""Several URLs of a host from one CDX listing, and one URL's several dates from one answer."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.integration.archive.conftest import SettingsFactory
from tests.servers.wayback import FakeWayback
from verifier.check.archive.batch import Batcher
from verifier.check.archive.client import ArchiveClient, ArchiveUnavailable, Choices

DAY = dt.date(2012, 3, 26)
HOST = "http://dead.example.net"


def add_pages(wayback: FakeWayback, count: int, prefix: str = "/story") -> list[str]:
    urls = [f"{HOST}{prefix}/{n:03d}.html" for n in range(count)]
    for n, url in enumerate(urls):
        wayback.add(
            url.replace("http://", "https://www."),  # the archive keys both alike
            (f"2011{1 + n % 12:02d}01000000", 200, "text/html", "then"),
            ("20120401000000", 404, "text/html", "gone"),
            (f"2014{1 + n % 12:02d}01000000", 200, "text/html", "later"),
        )
    return urls


def choices(answer: Choices | ArchiveUnavailable) -> Choices:
    assert not isinstance(answer, ArchiveUnavailable), answer
    return answer


async def test_one_listing_answers_for_every_url_of_a_host(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    urls = add_pages(wayback, 30)
    wayback.add(f"{HOST}/about", ("20100101000000", 200, "text/html", "not asked about"))
    never = f"{HOST}/never/archived"
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots_of({**{url: [DAY, None] for url in urls}, never: [DAY]})
    assert wayback.count() == 1
    query = wayback.requests[0].query
    assert query["matchType"] == ["host"] and query["url"] == ["dead.example.net"]
    assert query["filter"] == ["statuscode:200", "!mimetype:warc/revisit"]
    first = choices(found[urls[0]])
    assert first[DAY] is not None and first[DAY].timestamp == "20110101000000"
    assert first[None] is not None and first[None].timestamp == "20140101000000"
    assert first[DAY].original == urls[0].replace("http://", "https://www.")
    # The 404 of April 2012 is nearer the date but never chosen; the later good one is.
    eleventh = choices(found[urls[11]])
    assert eleventh[DAY] is not None and eleventh[DAY].timestamp == "20111201000000"
    assert choices(found[never]) == {DAY: None}


async def test_urls_that_share_a_folder_are_listed_by_prefix(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    urls = add_pages(wayback, 3, "/2011/news")
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots_of({url: [DAY] for url in urls})
    assert all(choices(found[url])[DAY] is not None for url in urls)
    query = wayback.requests[0].query
    assert (query["matchType"], query["url"]) == (["prefix"], ["dead.example.net/2011/news/"])
    assert wayback.count() == 1


async def test_a_big_host_settles_the_urls_before_the_cut_and_asks_for_the_rest_one_at_a_time(
    wayback: FakeWayback, quick: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("verifier.check.archive.client.LIST_ROWS", 10)
    urls = add_pages(wayback, 8)  # 16 good captures: the listing stops at 10, inside the fifth URL
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots_of({url: [DAY] for url in urls})
    exact = [request.query["url"][0] for request in wayback.requests[1:]]
    assert sorted(exact) == sorted(urls[4:])  # four complete before the cut, four asked alone
    assert all(request.query["sort"] == ["closest"] for request in wayback.requests[1:])
    for n, url in enumerate(urls):
        snapshot = choices(found[url])[DAY]
        assert snapshot is not None and snapshot.timestamp == f"2011{1 + n % 12:02d}01000000", url


async def test_one_url_with_several_dates_is_asked_about_once(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    url = f"{HOST}/one"
    wayback.add(url, *[(f"20{year:02d}0601000000", 200, "text/html", "x") for year in range(5, 20)])
    dates = [dt.date(2006, 1, 1), dt.date(2012, 9, 1), dt.date(2018, 6, 2), None]
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots(url, dates)
    assert wayback.count() == 1 and wayback.requests[0].query["matchType"] == ["exact"]
    assert {when: snapshot.timestamp if snapshot else None for when, snapshot in found.items()} == {
        dt.date(2006, 1, 1): "20060601000000",  # 151 days after against 214 before: the later is nearer
        dt.date(2012, 9, 1): "20120601000000",
        dt.date(2018, 6, 2): "20180601000000",
        None: "20190601000000",
    }


async def test_a_cut_listing_of_one_url_asks_again_only_for_dates_it_cannot_settle(
    wayback: FakeWayback, quick: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("verifier.check.archive.client.LIST_ROWS", 5)
    url = f"{HOST}/busy"
    wayback.add(url, *[(f"20{year:02d}0601000000", 200, "text/html", "x") for year in range(5, 20)])
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots(url, [dt.date(2006, 7, 1), dt.date(2016, 1, 1)])
    assert wayback.count() == 2  # the listing stops in 2009: 2016 is asked about on its own
    assert wayback.requests[1].query["closest"] == ["20160101120000"]
    assert [snapshot.timestamp if snapshot else None for snapshot in found.values()] == [
        "20060601000000",
        "20160601000000",
    ]


async def test_a_429_on_a_listing_is_every_urls_answer_and_stops_the_rest(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    urls = add_pages(wayback, 5)
    wayback.fail_next(429, retry_after="1", route="cdx")
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots_of({url: [DAY] for url in urls})
        assert all(isinstance(found[url], ArchiveUnavailable) for url in urls)
        assert {answer.kind for answer in found.values() if isinstance(answer, ArchiveUnavailable)} == {
            "quiet"
        }
        again = await archive.snapshots_of({url: [DAY] for url in urls})
        assert all(
            isinstance(answer, ArchiveUnavailable) and answer.kind == "quiet" for answer in again.values()
        )
    assert wayback.count() == 1


async def test_a_broken_cdx_api_falls_back_to_the_availability_api_per_url(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    urls = [f"{HOST}/page/{n}" for n in range(3)]
    for url in urls:
        wayback.add(url, ("20120301000000", 200, "text/html", "x"))
    wayback.fail_next(503, times=10, route="cdx")
    async with ArchiveClient(quick(retries=0)) as archive:
        found = await archive.snapshots_of({url: [DAY] for url in urls})
    assert all(choices(found[url])[DAY] is not None for url in urls)
    assert wayback.count("available") == 3


async def test_a_blocked_host_has_no_snapshots(wayback: FakeWayback, quick: SettingsFactory) -> None:
    urls = add_pages(wayback, 3)
    wayback.block(f"{HOST}/")
    async with ArchiveClient(quick()) as archive:
        found = await archive.snapshots_of({url: [DAY] for url in urls})
    assert all(choices(found[url]) == {DAY: None} for url in urls)
    assert wayback.count() == 1


async def test_the_batcher_waits_for_every_expected_link_of_a_host() -> None:
    asked: list[dict[str, list[dt.date | None]]] = []

    async def lookup(wanted: object) -> dict[str, Choices | ArchiveUnavailable]:
        assert isinstance(wanted, dict)
        asked.append(dict(wanted))
        return {url: dict.fromkeys(dates) for url, dates in wanted.items()}

    batcher = Batcher(lookup)
    for n in range(3):
        batcher.expect(f"t{n}", f"http://a.example/{n}")
    batcher.expect("other", "http://b.example/x")
    first = asyncio.create_task(batcher.lookup("t0", "http://a.example/0", [DAY]))
    second = asyncio.create_task(batcher.lookup("t1", "http://a.example/1", [None]))
    await asyncio.sleep(0.01)
    assert not asked  # t2 may still ask
    batcher.withdraw("t2")
    assert await first == {DAY: None} and await second == {None: None}
    assert asked == [{"http://a.example/0": [DAY], "http://a.example/1": [None]}]
    # A link of another host, and a lookup nobody expected, go at once.
    assert await batcher.lookup("other", "http://b.example/x", [DAY]) == {DAY: None}
    assert await batcher.lookup("late", "http://a.example/late", [DAY]) == {DAY: None}
    assert len(asked) == 3
