"""Retry-After is honoured, capped, and the per-URL budget is kept."""

from __future__ import annotations

import time

from tests.integration.check_live.conftest import check_one
from tests.servers.httpd import LocalServer
from verifier.model import Outcome


async def test_retry_after_seconds_is_honoured(server: LocalServer) -> None:
    started = time.monotonic()
    verdict = await check_one(server.url("/429/seconds-a?after=1"))
    elapsed = time.monotonic() - started
    assert verdict.outcome is Outcome.LIVE
    assert verdict.attempts == 2
    assert 1.0 <= elapsed < 2.5


async def test_retry_after_http_date_is_honoured(server: LocalServer) -> None:
    started = time.monotonic()
    verdict = await check_one(server.url("/429/date-a?after=date"))
    elapsed = time.monotonic() - started
    assert verdict.outcome is Outcome.LIVE
    # The date is two seconds ahead at one-second resolution: between one and two seconds.
    assert 0.9 <= elapsed < 2.6


async def test_retry_after_is_capped(server: LocalServer) -> None:
    started = time.monotonic()
    verdict = await check_one(server.url("/429/capped-a?after=30"), retry_after_cap=0.3)
    elapsed = time.monotonic() - started
    assert verdict.outcome is Outcome.LIVE
    assert 0.3 <= elapsed < 2.0


async def test_the_url_budget_stops_retries(server: LocalServer) -> None:
    started = time.monotonic()
    verdict = await check_one(server.url("/429/budget-a?after=1&times=always"), retries=10, url_budget=1.5)
    elapsed = time.monotonic() - started
    assert verdict.outcome is Outcome.UNKNOWN
    assert elapsed < 2.0
    assert 1 <= verdict.attempts <= 2
