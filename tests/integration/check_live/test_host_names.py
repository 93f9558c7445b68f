"""Politeness counts a host name, whatever the port or scheme; a back-off holds only its own host."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tests.integration.check_live.conftest import fast_settings
from tests.servers.httpd import LocalServer
from verifier.check.live.probe import LiveChecker
from verifier.model import Outcome


@dataclass
class TwoPorts:
    """One machine listening on two ports, counting the requests it answers at once across both."""

    ports: list[int] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    starts: list[tuple[float, int, str]] = field(default_factory=list)
    limited: set[str] = field(default_factory=set)


@pytest.fixture
async def two_ports() -> AsyncIterator[TwoPorts]:
    shared = TwoPorts()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.decode("latin-1").split(" ", 2)[1]
                shared.starts.append((time.monotonic(), port, target))
                shared.in_flight += 1
                shared.peak = max(shared.peak, shared.in_flight)
                try:
                    await asyncio.sleep(0.05)
                finally:
                    shared.in_flight -= 1
                if target.startswith("/limited") and target not in shared.limited:
                    shared.limited.add(target)
                    writer.write(
                        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
                    )
                else:
                    body = b"<html><title>Page</title>Text.</html>"
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
                        % len(body)
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    servers = [await asyncio.start_server(serve, "127.0.0.1", 0) for _ in range(2)]
    shared.ports = [server.sockets[0].getsockname()[1] for server in servers]
    try:
        yield shared
    finally:
        for server in servers:
            server.close()


def _settings(ports: list[int], **overrides: object) -> object:
    # Both ports answer for one made-up name, as http and https of one host would.
    resolve = tuple(f"shared.test:{port}=127.0.0.1:{port}" for port in ports)
    return fast_settings(resolve=resolve, soft404_probe=False, **overrides)


async def test_two_ports_of_one_name_share_the_host_cap(two_ports: TwoPorts) -> None:
    urls = [f"http://shared.test:{two_ports.ports[n % 2]}/page/{n}" for n in range(16)]
    async with LiveChecker(_settings(two_ports.ports, host_concurrency=2)) as checker:  # type: ignore[arg-type]
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        assert list(checker.pools.pools) == ["shared.test"]
    assert {v.outcome for v in verdicts} == {Outcome.LIVE}
    assert {port for _, port, _ in two_ports.starts} == set(two_ports.ports)
    assert two_ports.peak == 2  # not 2 per port


async def test_a_429_on_one_port_holds_the_name_for_as_long_as_it_asked(two_ports: TwoPorts) -> None:
    first, second = two_ports.ports
    settings = _settings(two_ports.ports, host_concurrency=1, retries=1)
    async with LiveChecker(settings) as checker:  # type: ignore[arg-type]

        async def later(url: str) -> object:
            await asyncio.sleep(0.2)  # after the 429 has arrived
            return await checker.check(url)

        await asyncio.gather(
            checker.check(f"http://shared.test:{first}/limited/a"),
            later(f"http://shared.test:{second}/page/b"),
        )
    refused = next(at for at, _, target in two_ports.starts if target == "/limited/a")
    other = next(at for at, _, target in two_ports.starts if target == "/page/b")
    # Retry-After: 1 holds the other port of the name that long, and not much longer.
    assert 0.95 <= other - refused < 1.6


async def test_a_host_backing_off_holds_no_global_slot() -> None:
    with LocalServer(addresses=("127.0.0.1", "127.0.0.2")) as server:
        paused = [
            server.url("/429/hold?after=1", host=0),
            *(server.url(f"/doc/{n}.html", host=0) for n in range(8)),
        ]
        others = [server.url(f"/ok/other-{n}", host=1) for n in range(3)]
        # One global slot; the paused host has the longest queue, so it would get the slot first.
        settings = fast_settings(max_concurrency=1, host_concurrency=2, soft404_probe=False, retries=1)
        async with LiveChecker(settings) as checker:

            async def after_the_429(url: str) -> object:
                await asyncio.sleep(0.15)
                return await checker.check(url)

            verdicts = await asyncio.gather(
                *(checker.check(url) for url in paused), *(after_the_429(url) for url in others)
            )
        starts = {
            path: at
            for (_, path), at in reversed(list(zip(server.requests, server.request_times, strict=True)))
        }
    assert {v.outcome for v in verdicts} == {Outcome.LIVE}  # type: ignore[attr-defined]
    refused_at = starts["/429/hold?after=1"]
    other_starts = [starts[f"/ok/other-{n}"] for n in range(3)]
    # The other host's pages went while the first one waited out its second of quiet.
    assert max(other_starts) - refused_at < 0.6
    first_host_after = [at for path, at in starts.items() if path.startswith("/doc/") and at > refused_at]
    assert all(at - refused_at >= 0.95 for at in first_host_after)
