"""verify() and save() against the fake Wayback Machine."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.archive.conftest import SettingsFactory
from tests.servers.wayback import Capture, FakeWayback
from verifier.check.archive.client import ArchiveClient, ArchiveUnavailable
from verifier.model import Snapshot

PAGE = "http://example.com/page?id=7"


async def test_verify_fetches_the_id_form_once(wayback: FakeWayback, quick: SettingsFactory) -> None:
    wayback.add(PAGE, ("20120326000000", 200, "text/html", "the page"))
    async with ArchiveClient(quick()) as archive:
        snapshot = await archive.nearest_snapshot(PAGE, dt.date(2012, 3, 26))
        assert snapshot is not None
        assert await archive.verify(snapshot) is True
    replay = [r for r in wayback.requests if r.route == "web"]
    assert len(replay) == 1
    assert replay[0].path.startswith("/web/20120326000000id_/http://example.com/page")


async def test_verify_is_false_for_a_capture_that_does_not_serve_200(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.add(PAGE, Capture("20120326000000", 404, "text/html", b"gone"))
    wayback.add(PAGE, Capture("20120101000000", 302, "text/html", b"", location="http://example.com/"))
    gone = Snapshot(url="", timestamp="20120326000000", original=PAGE)
    moved = Snapshot(url="", timestamp="20120101000000", original=PAGE)
    elsewhere = Snapshot(url="", timestamp="20110101000000", original=PAGE)  # redirected to another capture
    never = Snapshot(url="", timestamp="20110101000000", original="http://never.example.com/")
    async with ArchiveClient(quick()) as archive:
        assert [await archive.verify(s) for s in (gone, moved, elsewhere, never)] == [False] * 4
        assert archive.requests_made == 4


async def test_verify_raises_when_the_archive_cannot_answer(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.fail_next(503, times=10)
    async with ArchiveClient(quick(retries=1)) as archive:
        with pytest.raises(ArchiveUnavailable):
            await archive.verify(Snapshot(url="", timestamp="20120326000000", original=PAGE))


@pytest.mark.parametrize("reply", ["location", "content-location", "link"])
async def test_save_returns_the_new_capture(wayback: FakeWayback, quick: SettingsFactory, reply: str) -> None:
    wayback.save_reply = reply
    async with ArchiveClient(quick()) as archive:
        saved = await archive.save(PAGE)
        assert saved is not None
        assert saved.original == PAGE
        assert saved.url == f"{wayback.url}/web/{saved.timestamp}/{PAGE}"
        assert abs(saved.captured_at - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
        # The capture is in the archive now: the newest good snapshot is the one just saved.
        newest = await archive.nearest_snapshot(PAGE, None)
    assert newest is not None and newest.timestamp == saved.timestamp
    assert wayback.count("save") == 1


async def test_save_without_a_named_capture_or_refused_is_none(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.save_reply = "none"
    async with ArchiveClient(quick(save_rate=6000.0)) as archive:
        assert await archive.save(PAGE) is None
        wayback.fail_next(403, route="save")
        assert await archive.save(PAGE) is None


async def test_saves_keep_to_the_save_rate(wayback: FakeWayback, quick: SettingsFactory) -> None:
    async with ArchiveClient(quick(save_rate=200.0)) as archive:  # one every 0.3 s
        first = await archive.save("http://example.com/a")
        second = await archive.save("http://example.com/b")
        lookup = await archive.nearest_snapshot("http://example.com/a", None)
    assert first is not None and second is not None and lookup is not None
    saves = wayback.starts("save")
    # The first save may reach the server a little late (a new connection), never the second early.
    assert saves[1] - saves[0] >= 0.3 - 0.05
    assert saves[1] - saves[0] < 0.3 + 0.2
    # Lookups are not held back by the save rate, only by the archive rate.
    assert wayback.starts("cdx")[0] - saves[1] < 0.2


async def test_a_throttled_save_quiets_every_archive_call(
    wayback: FakeWayback, quick: SettingsFactory
) -> None:
    wayback.fail_next(429, route="save", retry_after="0.2")
    async with ArchiveClient(quick(save_rate=6000.0)) as archive:
        with pytest.raises(ArchiveUnavailable) as caught:
            await archive.save(PAGE)
        assert caught.value.kind == "quiet"
        with pytest.raises(ArchiveUnavailable):
            await archive.nearest_snapshot(PAGE, dt.date(2020, 1, 1))
    assert wayback.count() == 1
