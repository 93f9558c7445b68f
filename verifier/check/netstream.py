"""httpcore's network layer on asyncio's own streams.

httpcore reaches the network through a pluggable backend; its default goes through anyio,
whose cancel scopes, library sniffing and attribute lookups cost about a sixth of the CPU of
every request in a run of thousands. The probe only ever runs on asyncio (or uvloop, which
implements the same loop), so this backend talks to asyncio directly. It keeps the backend
contract: the same httpcore exceptions, each raised from the original error, so failures
are classified exactly as before.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Iterable, Mapping
from typing import Any

import httpcore

__all__ = ["AsyncioBackend", "AsyncioStream", "connect_options", "single_error"]

#: asyncio folds the errors of every address it tried into one message; this finds their codes.
_ERRNO = re.compile(r"\[Errno (\d+)\]")
_HAPPY_EYEBALLS_DELAY = 0.25  # RFC 8305's recommended head start for the preferred family


def single_error(error: OSError) -> OSError:
    """One OSError with an errno, when asyncio combined several failed addresses that agree."""
    if error.errno is not None:
        return error
    codes = {int(code) for code in _ERRNO.findall(str(error))}
    if len(codes) == 1:
        return OSError(codes.pop(), str(error))  # OSError picks the subclass, e.g. ConnectionRefusedError
    return error


def connect_options() -> dict[str, Any]:
    """Options for ``asyncio.open_connection`` that suit the running loop."""
    if isinstance(asyncio.get_running_loop(), asyncio.BaseEventLoop):
        # asyncio's own loop races address families; uvloop tries them in turn and takes no delay.
        return {"happy_eyeballs_delay": _HAPPY_EYEBALLS_DELAY}
    return {}


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection, as a StreamReader and StreamWriter pair."""

    __slots__ = ("_reader", "_writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as error:
            raise httpcore.ReadTimeout(str(error) or "read timed out") from error
        except OSError as error:
            raise httpcore.ReadError(str(error)) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if timeout is None:
                await self._writer.drain()
                return
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError as error:
            raise httpcore.WriteTimeout(str(error) or "write timed out") from error
        except OSError as error:
            raise httpcore.WriteError(str(error)) from error

    async def aclose(self) -> None:
        # Not waiting for the close to finish: a peer that never answers TLS close_notify
        # would hold the caller, and the transport finishes closing on its own.
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            await self._writer.start_tls(
                ssl_context, server_hostname=server_hostname, ssl_handshake_timeout=timeout
            )
        except TimeoutError as error:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(error) or "TLS handshake timed out") from error
        except (OSError, ssl.SSLError, ConnectionError) as error:
            self._writer.close()
            raise httpcore.ConnectError(str(error)) from error
        return self

    def get_extra_info(self, info: str) -> Any:
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "is_readable":
            # httpcore asks this of an idle pooled connection: readable means the server
            # closed it or sent something unasked, so it must not be reused. The transport has
            # already read whatever arrived into the reader.
            reader = self._reader
            return reader.at_eof() or reader.exception() is not None or writer.transport.is_closing()
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with the running asyncio loop.

    ``resolve`` maps (host, port) to the address to connect to instead, like curl's
    ``--resolve``: the URL, Host header and TLS name checks still see the host.
    """

    def __init__(self, resolve: Mapping[tuple[str, int], tuple[str, int]] | None = None) -> None:
        self._resolve = dict(resolve or {})

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        options = connect_options()
        options["local_addr"] = (local_address, 0) if local_address else None
        address, to_port = self._resolve.get((host.rstrip(".").lower(), port), (host, port))
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(address, to_port, **options)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error) or "connect timed out") from error
        except OSError as error:
            cause = single_error(error)
            raise httpcore.ConnectError(str(cause)) from cause
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(str(error) or "connect timed out") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
