"""A run whose archive lookups meet a 429: the rest are not made, each link says why, nothing is cached."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from tests.integration.check_run.conftest import Site
from tests.servers.wayback import FakeWayback
from verifier.check.plan import plan_urls
from verifier.check.runner import Runner
from verifier.config import Settings
from verifier.model import Outcome
from verifier.store import MemoryStore


def test_the_default_archive_rate_is_twenty_a_minute() -> None:
    assert Settings().archive_rate == 20.0


def test_after_a_429_the_archive_is_not_consulted_and_links_say_so(site: Site) -> None:
    gone = [site.set(f"/gone/{n}", 404) for n in range(5)]
    with FakeWayback() as wayback:
        for url in gone:
            wayback.add(url, ("20200101000000", 200, "text/html", "x"))
        wayback.fail_next(429, times=1, retry_after="1", route="cdx")
        settings = dataclasses.replace(
            wayback.settings(archive_rate=60_000.0, archive_concurrency=1, retry_backoff=0.01),
            network_canaries=("localhost",),
            soft404_probe=False,
            retries=0,
        )
        store = MemoryStore()
        now = dt.datetime.now(dt.UTC)

        async def run() -> Runner:
            runner = Runner(settings, store)
            runner.prepare_plan(plan_urls(gone, settings, now))
            await runner.check_pending()
            return runner

        runner = asyncio.run(run())
        assert wayback.count() == 1
    for url in gone:
        result = runner.results[url]
        assert result.outcome is Outcome.DEAD
        assert result.reason.endswith("(archive not consulted: the archive asked for quiet)")
        # Asked again next run: a quiet archive is not an archive without a snapshot.
        assert store.archive_lookup(url, "newest", now, found_ttl=1e9, none_ttl=1e9) is None
