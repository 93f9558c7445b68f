"""Soft-404 sites against real servers: wording, and the once-per-host nonsense probe."""

from __future__ import annotations

import asyncio
import re

from tests.integration.check_live.conftest import check_one, fast_settings
from tests.servers.httpd import LocalServer
from verifier.check.live.probe import LiveChecker
from verifier.model import Outcome


async def test_a_site_that_says_page_not_found_with_200_is_dead(soft404_server: LocalServer) -> None:
    verdict = await check_one(soft404_server.url("/reports/2009/annual.html"))
    assert verdict.outcome is Outcome.DEAD
    assert verdict.http_status == 200
    assert "soft 404" in verdict.reason


async def test_real_pages_on_a_soft404_site_stay_live(soft404_server: LocalServer) -> None:
    verdict = await check_one(soft404_server.url("/doc/7.html"))
    assert verdict.outcome is Outcome.LIVE


async def test_the_nonsense_probe_catches_a_soft404_without_telltale_words() -> None:
    with LocalServer(mode="soft404-plain") as plain:
        gone = await check_one(plain.url("/news/2014/election-results"))
        kept = await check_one(plain.url("/doc/3.html"))
    assert gone.outcome is Outcome.DEAD
    assert "made-up address" in gone.reason
    assert kept.outcome is Outcome.LIVE


async def test_a_site_that_sends_made_up_addresses_home_is_caught() -> None:
    with LocalServer(mode="home") as home:
        verdict = await check_one(home.url("/blog/2010/old-post"))
    assert verdict.outcome is Outcome.DEAD
    assert verdict.final_url == home.url("/")


async def test_one_probe_per_host_shared_by_concurrent_checks() -> None:
    with LocalServer(mode="soft404-plain") as plain:
        pages = [plain.url(f"/doc/{n}.html") for n in range(12)]
        async with LiveChecker(fast_settings(host_concurrency=4)) as checker:
            verdicts = await asyncio.gather(*(checker.check(url) for url in pages))
        made_up = [p for _, p in plain.requests if not re.fullmatch(r"/doc/\d+\.html", p)]
    assert {v.outcome for v in verdicts} == {Outcome.LIVE}
    assert len(made_up) == 1
    assert re.fullmatch(r"/doc/[0-9a-f]{24}", made_up[0])  # a sibling: same folder, random name


async def test_an_honest_host_costs_one_probe_and_no_extra_gets(fresh_server: LocalServer) -> None:
    async with LiveChecker(fast_settings()) as checker:
        for n in range(5):
            assert (await checker.check(fresh_server.url(f"/doc/{n}.html"))).outcome is Outcome.LIVE
    methods = [m for m, _ in fresh_server.requests]
    assert methods.count("HEAD") == 5
    assert methods.count("GET") == 1  # the made-up sibling, once


async def test_the_probe_can_be_turned_off(fresh_server: LocalServer) -> None:
    await check_one(fresh_server.url("/doc/1.html"), soft404_probe=False)
    assert fresh_server.requests == [("HEAD", "/doc/1.html")]
