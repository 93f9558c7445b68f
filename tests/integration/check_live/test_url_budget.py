"""Every URL's worst case is its budget: slow bodies, endless bodies, slow soft-404 probes, retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tests.integration.check_live.conftest import check_one
from tests.servers.httpd import LocalServer
from verifier.config import Settings
from verifier.model import Outcome

BUDGET = 1.5
MARGIN = 0.6


async def _read_head(reader: asyncio.StreamReader) -> str:
    head = await reader.readuntil(b"\r\n\r\n")
    method, target = head.decode("latin-1").split(" ", 2)[:2]
    return f"{method} {target}"


@pytest.fixture
async def endless() -> AsyncIterator[str]:
    """HEAD 405; GET sends its headers and a little of a long body, then nothing, never closing."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_head(reader)
                if request.startswith("HEAD"):
                    writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 900000\r\n\r\n<html>"
                )
                await writer.drain()
                await asyncio.sleep(3600)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


@pytest.fixture
async def slow_nonsense() -> AsyncIterator[str]:
    """``/real`` answers at once; any other path (the soft-404 probe's made-up one) after 20 s."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_head(reader)
                if " /real" not in request:
                    await asyncio.sleep(20)
                body = b"" if request.startswith("HEAD") else b"<html><title>Real</title>A real page.</html>"
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body) or 45}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def _timed(url: str, **settings: object) -> tuple[float, object]:
    begun = time.monotonic()
    verdict = await check_one(url, **settings)
    return time.monotonic() - begun, verdict


def test_the_default_budget_is_45_seconds() -> None:
    assert Settings().url_budget == 45.0


async def test_a_body_trickling_a_byte_a_second_ends_within_the_budget(server: LocalServer) -> None:
    took, verdict = await _timed(server.url("/trickle?interval=1"), timeout=30.0, url_budget=BUDGET)
    assert took < BUDGET + MARGIN
    assert verdict.outcome is Outcome.UNKNOWN  # type: ignore[attr-defined]


async def test_a_body_that_never_ends_ends_within_the_budget(endless: str) -> None:
    took, verdict = await _timed(f"{endless}/page", timeout=30.0, url_budget=BUDGET, retries=5)
    assert took < BUDGET + MARGIN
    assert verdict.outcome is Outcome.UNKNOWN  # type: ignore[attr-defined]


async def test_a_slow_soft404_probe_is_not_waited_for_past_the_budget(slow_nonsense: str) -> None:
    took, verdict = await _timed(f"{slow_nonsense}/real", timeout=30.0, url_budget=BUDGET, soft404_probe=True)
    assert took < BUDGET + MARGIN
    assert verdict.outcome is Outcome.LIVE  # type: ignore[attr-defined]


async def test_retry_waits_count_against_the_budget(fresh_server: LocalServer) -> None:
    url = fresh_server.url("/429/waits?after=1&times=always")
    took, verdict = await _timed(url, retries=10, url_budget=BUDGET, retry_after_cap=5.0)
    assert took < BUDGET + MARGIN
    assert verdict.outcome is Outcome.UNKNOWN  # type: ignore[attr-defined]


async def test_a_slow_redirect_chain_ends_within_the_budget() -> None:
    with LocalServer(latency=0.4) as slow:
        took, verdict = await _timed(
            slow.url("/chain/8"), timeout=30.0, url_budget=BUDGET, soft404_probe=False
        )
    assert took < BUDGET + MARGIN
    assert verdict.outcome is Outcome.UNKNOWN  # type: ignore[attr-defined]
