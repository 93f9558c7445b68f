"""A dead domain or our own network down: the canaries tell them apart."""

from __future__ import annotations

import asyncio

from tests.integration.check_live.conftest import check_one, fast_settings
from verifier.check.live.probe import LiveChecker
from verifier.model import Outcome

GONE = "http://no-such-host.invalid/page"


async def test_nxdomain_is_dead_when_our_network_works() -> None:
    verdict = await check_one(GONE, network_canaries=("localhost",))
    assert verdict.outcome is Outcome.DEAD
    assert verdict.failure == "dns-not-found"
    assert not verdict.network_down


async def test_nothing_resolves_means_our_network_is_down() -> None:
    verdict = await check_one(GONE, network_canaries=("canary-one.invalid", "canary-two.invalid"))
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.network_down
    assert verdict.reason.startswith("our own network seems down:")


async def test_concurrent_failures_share_one_canary_lookup() -> None:
    settings = fast_settings(network_canaries=("canary.invalid",))
    async with LiveChecker(settings) as checker:
        verdicts = await asyncio.gather(*(checker.check(f"http://gone-{n}.invalid/") for n in range(10)))
        assert checker._network._task is not None
    assert all(v.network_down and v.outcome is Outcome.UNKNOWN for v in verdicts)
