"""Waits that buy nothing: a host found unreachable or silent is asked once; resets and timeouts twice."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.integration.check_live.conftest import check_one, fast_settings
from tests.servers.httpd import LocalServer
from verifier.check.http.failures import FailureKind
from verifier.check.live.probe import LiveChecker
from verifier.check.live.unreachable import Unreachable
from verifier.check.live.verdict import LiveVerdict
from verifier.model import Outcome

_PAGE = b"<html><head><title>A page</title></head><body>A page.</body></html>"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unaccepting() -> Iterator[int]:
    """A port whose accept queue is full: a new connection is never accepted, so connecting times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.05)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.fixture
async def quiet() -> AsyncIterator[str]:
    """A host that accepts every connection; what it does with a request depends on the path.

    ``/silent/…`` reads the request and never sends a byte; ``/once/…`` is silent the first time
    its path is asked, then answers; ``/trickle/…`` sends its status line a byte every 0.2 s,
    for ever; ``/slowbody/…`` refuses HEAD, and to GET sends its headers at once and then its
    body a byte every 0.2 s;
    ``/late/…`` answers after 0.5 s; anything else answers at once.
    """
    asked: set[str] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                method, path = head.split(" ", 2)[:2]
                first = path not in asked
                asked.add(path)
                if path.startswith("/silent/") or (path.startswith("/once/") and first):
                    await reader.read()  # until the client gives up
                    return
                if path.startswith("/trickle/"):
                    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n":
                        writer.write(bytes([byte]))
                        await writer.drain()
                        await asyncio.sleep(0.2)
                    await reader.read()
                    return
                if path.startswith("/slowbody/") and method == "HEAD":
                    writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                    await writer.drain()
                    continue
                if path.startswith("/slowbody/"):
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 999\r\n\r\n")
                    for byte in _PAGE:
                        writer.write(bytes([byte]))
                        await writer.drain()
                        await asyncio.sleep(0.2)
                    return
                if path.startswith("/late/"):
                    await asyncio.sleep(0.5)
                body = b"" if method == "HEAD" else _PAGE
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    + f"Content-Length: {len(_PAGE)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def _timed_check(checker: LiveChecker, url: str, begun: float) -> tuple[LiveVerdict, float]:
    verdict = await checker.check(url)
    return verdict, time.monotonic() - begun


async def test_a_silent_host_costs_one_timeout_not_one_per_url(quiet: str) -> None:
    urls = [f"{quiet}/silent/{n}" for n in range(6)]
    settings = fast_settings(timeout=1.0, retries=3, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        begun = time.monotonic()
        timed = await asyncio.gather(*(_timed_check(checker, url, begun) for url in urls))
        took = time.monotonic() - begun
        # The first URL tries twice (a timeout is asked again once), the second in line once.
        assert checker.requests_made <= 3
    verdicts = [verdict for verdict, _ in timed]
    assert {v.failure for v in verdicts} == {FailureKind.TIMEOUT}
    assert {v.outcome for v in verdicts} == {Outcome.UNKNOWN}  # never dead
    assert verdicts[0].attempts == 2
    assert "sent nothing back within 1 s" in verdicts[0].reason
    # The second in line met the silence itself; its retry, and every later URL, is told at once.
    remembered = [(v, at) for v, at in timed if "not asked again" in v.reason]
    assert len(remembered) >= 4
    for verdict, at in remembered:
        assert f"found for {quiet} earlier in this run; not asked again" in verdict.reason
        assert at < 1.6  # as soon as the first request's deadline passed, not after a retry
    assert all(verdict.attempts == 1 for verdict, _ in timed[2:])
    # One deadline per URL would be 6 URLs x 2 tries x 1 s, two at a time: 6 s.
    assert took < 3.0


async def test_a_host_trickling_its_headers_costs_one_deadline_not_one_per_url(quiet: str) -> None:
    urls = [f"{quiet}/trickle/{n}" for n in range(6)]
    settings = fast_settings(timeout=1.0, url_budget=2.0, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        begun = time.monotonic()
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        took = time.monotonic() - begun
        assert checker.requests_made <= 3
    assert {v.failure for v in verdicts} == {FailureKind.TIMEOUT}
    assert {v.outcome for v in verdicts} == {Outcome.UNKNOWN}
    assert "had not sent its headers within 1 s" in verdicts[0].reason
    # Not asked again: a server that trickles its headers will trickle them again.
    assert verdicts[0].attempts == 1
    assert sum("not asked again" in v.reason for v in verdicts) >= 4
    # One deadline per URL would be 6 URLs x 2 s of budget, two at a time: 6 s.
    assert took < 3.0


async def test_a_host_trickling_its_body_is_asked_for_every_url(quiet: str) -> None:
    urls = [f"{quiet}/slowbody/{n}" for n in range(4)]
    settings = fast_settings(timeout=0.8, url_budget=1.0, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        assert checker.requests_made >= len(urls)
    assert not any("not asked again" in v.reason for v in verdicts)
    assert not any("sent nothing back" in v.reason for v in verdicts)


async def test_a_silent_host_that_answers_is_forgotten(quiet: str) -> None:
    settings = fast_settings(timeout=1.0, host_concurrency=1, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        # Silent the first time, so found out; its own retry is answered, which forgets it.
        first = await checker.check(f"{quiet}/once/1")
        later = await asyncio.gather(*(checker.check(f"{quiet}/page/{n}") for n in range(3)))
        assert checker.requests_made == 2 + 3
    assert first.outcome is Outcome.LIVE
    assert first.attempts == 2
    assert {v.outcome for v in later} == {Outcome.LIVE}


async def test_a_host_that_answers_while_one_path_is_silent_is_not_found_out(quiet: str) -> None:
    settings = fast_settings(timeout=1.0, retries=0, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        silent, answered = await asyncio.gather(
            checker.check(f"{quiet}/silent/1"), checker.check(f"{quiet}/late/1")
        )
        later = await asyncio.gather(*(checker.check(f"{quiet}/page/{n}") for n in range(3)))
    assert silent.failure is FailureKind.TIMEOUT
    assert answered.outcome is Outcome.LIVE
    assert {v.outcome for v in later} == {Outcome.LIVE}


async def test_a_host_that_refuses_is_asked_once_per_run() -> None:
    port = _closed_port()
    urls = [f"http://127.0.0.1:{port}/page/{n}" for n in range(20)]
    async with LiveChecker(fast_settings(host_concurrency=1, soft404_probe=False)) as checker:
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        assert checker.requests_made == 1
    assert {v.failure for v in verdicts} == {FailureKind.REFUSED}
    assert {v.outcome for v in verdicts} == {Outcome.DEAD}  # the runner keeps it unknown at first
    remembered = [v for v in verdicts if "earlier in this run; not asked again" in v.reason]
    assert len(remembered) == 19
    assert f"found for http://127.0.0.1:{port} earlier in this run" in remembered[0].reason


async def test_another_port_of_a_refusing_host_is_still_asked(server: LocalServer) -> None:
    port = _closed_port()
    async with LiveChecker(fast_settings(soft404_probe=False)) as checker:
        refused = await checker.check(f"http://127.0.0.1:{port}/a")
        served = await checker.check(server.url("/doc/1.html"))
    assert refused.failure is FailureKind.REFUSED
    assert served.outcome is Outcome.LIVE


async def test_a_host_whose_connect_times_out_costs_one_url_not_every_url(unaccepting: int) -> None:
    urls = [f"http://127.0.0.1:{unaccepting}/page/{n}" for n in range(12)]
    settings = fast_settings(connect_timeout=0.3, timeout=2.0, retries=3, soft404_probe=False)
    async with LiveChecker(settings) as checker:
        begun = time.monotonic()
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        took = time.monotonic() - begun
        # The two first in line each try twice (a timeout is asked again once); the rest never.
        assert checker.requests_made <= 4
    assert {v.failure for v in verdicts} == {FailureKind.CONNECT_TIMEOUT}
    assert {v.outcome for v in verdicts} == {Outcome.UNKNOWN}
    assert sum("not asked again" in v.reason for v in verdicts) >= 10
    # Once per URL would be 12 URLs x 2 tries x 0.3 s, spread over 2 at a time: 3.6 s.
    assert took < 2.0


async def test_a_name_that_does_not_resolve_is_looked_up_once_whatever_the_port_or_scheme() -> None:
    urls = [
        *(f"http://nowhere.invalid/{n}" for n in range(5)),
        "https://nowhere.invalid/secure",
        "http://nowhere.invalid:8080/other-port",
    ]
    async with LiveChecker(fast_settings(host_concurrency=1, soft404_probe=False)) as checker:
        verdicts = await asyncio.gather(*(checker.check(url) for url in urls))
        assert checker.requests_made <= 2  # the first, and its retry if the failure was temporary
    kinds = {v.failure for v in verdicts}
    assert kinds <= {FailureKind.DNS_NOT_FOUND, FailureKind.DNS_TEMPORARY}
    assert sum("found for nowhere.invalid earlier in this run" in v.reason for v in verdicts) == 6


def test_what_is_remembered_and_for_whom() -> None:
    memory = Unreachable()
    assert not memory
    memory.learn("http://a.example:81/x", FailureKind.REFUSED, "refused", owner="http://a.example:81/x")
    memory.learn(
        "https://b.example/x", FailureKind.DNS_NOT_FOUND, "no such name", owner="https://b.example/x"
    )
    memory.learn("https://c.example/x", FailureKind.RESET, "dropped", owner="https://c.example/x")
    assert len(memory) == 2  # a reset says nothing about the next request
    # The check that found out still makes its own retry.
    assert memory.known("http://a.example:81/y", owner="http://a.example:81/x") is None
    found = memory.known("http://a.example:81/y", owner="http://a.example:81/y")
    assert found is not None and found.kind is FailureKind.REFUSED
    assert memory.known("http://a.example:82/y", owner="z") is None  # another port
    assert memory.known("https://a.example:81/y", owner="z") is None  # another scheme
    assert memory.known("http://b.example:8080/", owner="z") is not None  # a name, any port
    memory.forget("http://a.example:81/answered")
    assert memory.known("http://a.example:81/y", owner="z") is None
    # Silence: a timeout is remembered only as such, and not from a place that answered meanwhile.
    memory.learn("http://d.example/x", FailureKind.TIMEOUT, "slow", owner="http://d.example/x")
    assert memory.known("http://d.example/y", owner="z") is not None  # told so explicitly
    memory.answered("http://d.example/z")
    assert memory.known("http://d.example/y", owner="z") is None
    asked = time.monotonic()
    memory.silent("http://d.example/x", "nothing back", owner="http://d.example/x", since=asked - 5)
    assert memory.known("http://d.example/y", owner="z") is None  # it answered after that request went
    memory.silent("http://d.example/x", "nothing back", owner="http://d.example/x", since=asked + 1)
    found = memory.known("http://d.example/y", owner="z")
    assert found is not None and found.kind is FailureKind.TIMEOUT
    assert found.detail == "nothing back (found for http://d.example:80 earlier in this run; not asked again)"
    assert memory.known("https://d.example/y", owner="z") is None  # another scheme
    memory.answered("http://d.example/w")
    assert memory.known("http://d.example/y", owner="z") is None


async def test_a_reset_is_asked_again_once_and_soon(server: LocalServer) -> None:
    begun = time.monotonic()
    verdict = await check_one(server.url("/reset"), retries=5, retry_backoff=5.0)
    took = time.monotonic() - begun
    assert verdict.failure is FailureKind.RESET
    assert verdict.attempts == 2
    assert took < 2.0  # a backoff of 5 s would be cut to at most a second


async def test_a_timeout_is_asked_again_once(server: LocalServer) -> None:
    verdict = await check_one(server.url("/slow?delay=3"), retries=5, timeout=0.2, url_budget=5.0)
    assert verdict.failure is FailureKind.TIMEOUT
    assert verdict.attempts == 2


async def test_retries_still_govern_5xx(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/503"), retries=3, soft404_probe=False)
    assert verdict.attempts == 4
    verdict = await check_one(fresh_server.url("/status/502"), retries=2, soft404_probe=False)
    assert verdict.attempts == 3
