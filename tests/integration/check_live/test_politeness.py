"""Per-host caps, spacing, backoff and the global cap, counted by a real server."""

from __future__ import annotations

import asyncio
import time

from tests.integration.check_live.conftest import fast_settings
from tests.servers.httpd import LocalServer
from verifier.check.live.probe import LiveChecker
from verifier.config import HostSettings
from verifier.model import Outcome


async def test_host_cap_holds_and_is_used() -> None:
    with LocalServer(latency=0.05) as server:
        urls = [server.url(f"/doc/{n}.html") for n in range(20)]
        async with LiveChecker(fast_settings(host_concurrency=2, soft404_probe=False)) as checker:
            verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        assert {v.outcome for v in verdicts} == {Outcome.LIVE}
        assert server.max_in_flight == 2
        assert server.max_connections <= 2


async def test_per_host_override_of_the_cap() -> None:
    with LocalServer(latency=0.05) as server:
        address, port = server.hosts[0]
        settings = fast_settings(
            host_concurrency=4, soft404_probe=False, hosts={f"{address}:{port}": HostSettings(concurrency=1)}
        )
        async with LiveChecker(settings) as checker:
            await asyncio.gather(*(checker.check(server.url(f"/doc/{n}.html")) for n in range(6)))
        assert server.max_in_flight == 1


async def test_global_cap_across_many_hosts() -> None:
    # Six names (loopback addresses): six ports of one address would be one host.
    addresses = [f"127.0.0.{n}" for n in range(1, 7)]
    with LocalServer(addresses=addresses, latency=0.05) as server:
        urls = [server.url(f"/doc/{n}.html", host=n % 6) for n in range(36)]
        settings = fast_settings(max_concurrency=3, host_concurrency=2, soft404_probe=False)
        async with LiveChecker(settings) as checker:
            await asyncio.gather(*(checker.check(url) for url in urls))
            assert checker.pools.max_in_flight == 3
        assert server.max_in_flight <= 2


async def test_minimum_interval_between_request_starts() -> None:
    with LocalServer() as server:
        settings = fast_settings(host_interval=0.1, host_concurrency=4, soft404_probe=False)
        async with LiveChecker(settings) as checker:
            started = time.monotonic()
            await asyncio.gather(*(checker.check(server.url(f"/doc/{n}.html")) for n in range(5)))
            elapsed = time.monotonic() - started
    assert elapsed >= 0.4  # five starts, four gaps of 0.1 s


async def test_a_429_pauses_the_whole_host() -> None:
    with LocalServer() as server:
        settings = fast_settings(soft404_probe=False, retries=1, host_concurrency=2)
        async with LiveChecker(settings) as checker:

            async def later() -> object:
                await asyncio.sleep(0.2)  # after the 429 has arrived
                return await checker.check(server.url("/doc/1.html"))

            limited, other = await asyncio.gather(
                checker.check(server.url("/429/pause-host?after=1")), later()
            )
        times: dict[str, float] = {}
        for (_, path), at in zip(server.requests, server.request_times, strict=True):
            times.setdefault(path, at)
    assert limited.outcome is Outcome.LIVE
    assert other.outcome is Outcome.LIVE  # type: ignore[attr-defined]
    # The other page waited out the host's pause although its own request was never refused.
    assert times["/doc/1.html"] - times["/429/pause-host?after=1"] >= 0.95


def test_the_penalty_grows_with_each_refusal_and_fades_after() -> None:
    from verifier.check.live.hosts import HostPool

    pool = HostPool("h:80", 2, 0.0, penalty_base=0.5, penalty_cap=4.0)
    pauses = [pool.back_off() for _ in range(5)]
    assert pauses == [0.5, 1.0, 2.0, 4.0, 4.0]
    pool.recovered()
    assert pool.penalty == 2.0
    for _ in range(3):
        pool.recovered()
    assert pool.penalty == 0.0


async def test_waiting_for_a_busy_host_does_not_use_up_the_url_budget() -> None:
    with LocalServer(latency=0.05) as server:
        settings = fast_settings(host_concurrency=1, url_budget=0.5, soft404_probe=False)
        async with LiveChecker(settings) as checker:
            verdicts = await asyncio.gather(*(checker.check(server.url(f"/doc/{n}.html")) for n in range(20)))
    # Twenty requests one at a time take a second, twice the budget of each URL.
    assert {v.outcome for v in verdicts} == {Outcome.LIVE}


async def test_loopback_addresses_count_as_separate_hosts_and_their_ports_as_one() -> None:
    with LocalServer(addresses=("127.0.0.1", "127.0.0.2"), ports=2, latency=0.05) as server:
        assert len(server.hosts) == 4
        urls = [server.url(f"/doc/{n}.html", host=n % 4) for n in range(16)]
        settings = fast_settings(host_concurrency=1, soft404_probe=False)
        async with LiveChecker(settings) as checker:
            verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
            assert sorted(checker.pools.pools) == ["127.0.0.1", "127.0.0.2"]
            assert checker.pools.max_in_flight == 2
    assert {v.outcome for v in verdicts} == {Outcome.LIVE}
    assert server.max_in_flight == 1
