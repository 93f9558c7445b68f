"""The probe's HTTP/1.1 transport against real sockets: reuse, closes, resolve, TLS, errors."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.servers.httpd import LocalServer
from tests.servers.tls import LocalCA
from verifier.check.http.failures import FailureKind, failure_from_exception
from verifier.check.http.h11transport import H11Transport, single_error


def _transport(**options: object) -> H11Transport:
    return H11Transport(ssl_context=ssl.create_default_context(), **options)  # type: ignore[arg-type]


async def _get(
    transport: H11Transport, url: str, method: str = "GET", *, read: bool = True
) -> httpx.Response:
    response = await transport.handle_async_request(httpx.Request(method, url))
    try:
        if read:
            await response.aread()
    finally:
        await response.aclose()
    return response


async def test_one_connection_serves_request_after_request(fresh_server: LocalServer) -> None:
    transport = _transport()
    for n in range(5):
        response = await _get(transport, fresh_server.url(f"/doc/{n}.html"), "HEAD" if n % 2 else "GET")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
    await transport.aclose()
    assert fresh_server.connections_accepted == 1


async def test_a_body_left_unread_is_not_reused(fresh_server: LocalServer) -> None:
    transport = _transport()
    first = await _get(transport, fresh_server.url("/doc/1.html"), read=False)
    second = await _get(transport, fresh_server.url("/doc/2.html"))
    await transport.aclose()
    assert first.status_code == second.status_code == 200
    assert b"<html" in second.content.lower()
    assert fresh_server.connections_accepted == 2


@contextlib.asynccontextmanager
async def _closes_when_idle() -> AsyncIterator[tuple[str, list[int]]]:
    """A server that answers one request per connection and then hangs up, as keep-alive timeouts do."""
    accepted: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/", accepted
    finally:
        server.close()
        await server.wait_closed()


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async with _closes_when_idle() as (url, accepted):
        transport = _transport()
        assert (await _get(transport, url)).status_code == 200
        await asyncio.sleep(0.1)  # the server hangs up meanwhile
        assert (await _get(transport, url)).status_code == 200
        await transport.aclose()
    assert len(accepted) == 2


async def test_idle_connections_expire(fresh_server: LocalServer) -> None:
    transport = _transport(keepalive_expiry=0.0)
    await _get(transport, fresh_server.url("/doc/1.html"))
    await _get(transport, fresh_server.url("/doc/2.html"))
    await transport.aclose()
    assert fresh_server.connections_accepted == 2


async def test_resolve_sends_a_name_to_a_stand_in_address(fresh_server: LocalServer) -> None:
    host, port = fresh_server.hosts[0]
    transport = _transport(resolve={("example.org", 80): (host, port)})
    response = await _get(transport, "http://example.org/doc/1.html")
    await transport.aclose()
    assert response.status_code == 200
    assert fresh_server.headers_seen[-1]["host"] == "example.org"


async def test_https_with_a_trusted_and_an_untrusted_issuer(local_ca: LocalCA) -> None:
    trusted = ssl.create_default_context(cafile=str(local_ca.ca_file))
    with LocalServer(tls=local_ca.context("valid")) as server:
        transport = H11Transport(ssl_context=trusted)
        assert (await _get(transport, server.url("/doc/1.html"))).status_code == 200
        await transport.aclose()
        transport = _transport()
        with pytest.raises(httpx.ConnectError) as caught:
            await _get(transport, server.url("/doc/1.html"))
        await transport.aclose()
    assert failure_from_exception(caught.value).kind is FailureKind.TLS_UNTRUSTED


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_refused_and_reset_come_out_as_httpx_errors_with_their_cause(server: LocalServer) -> None:
    transport = _transport()
    with pytest.raises(httpx.ConnectError) as refused:
        await _get(transport, f"http://127.0.0.1:{_unused_port()}/")
    assert failure_from_exception(refused.value).kind is FailureKind.REFUSED
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as reset:
        await _get(transport, server.url("/reset"))
    assert failure_from_exception(reset.value).kind is FailureKind.RESET
    await transport.aclose()


async def test_only_http_and_https_are_spoken() -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        await _transport().handle_async_request(httpx.Request("GET", "ftp://example.org/file"))


def test_errors_asyncio_folded_together_keep_their_common_code() -> None:
    folded = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 80, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 80)"
    )
    assert isinstance(single_error(folded), ConnectionRefusedError)
    mixed = OSError("Multiple exceptions: [Errno 111] refused, [Errno 101] Network is unreachable")
    assert single_error(mixed) is mixed
