"""The HTTP/1.1 transport of every client here: httpx requests and responses, h11 on the wire.

httpx's default transport goes through httpcore, whose pool, locks, cancellation shields and
tracing cost more CPU per request than the protocol itself; a run of thousands of links on
one core is bound by exactly that. The clients need much less of it: they already limit how
many requests go to each host (``hosts.py``, the archive's rate limiter) and speak only
HTTP/1.1. So this transport keeps a few idle connections per origin and lets h11 do all the
parsing and framing over asyncio sockets. Errors come out as httpx's own exceptions, each
raised from the original one, so ``failures.py`` classifies them as before. ``resolve``
overrides apply when connecting.

An ``address_policy`` (the service's guard against private networks) is applied where the
connection is made: the name is resolved here, every address is put to the policy, and the
socket is opened to an allowed address itself, so a name that resolves differently on a
second lookup (DNS rebinding) cannot slip past. ``resolve`` targets are not put to it: they
were named by whoever configured the client.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time
from asyncio import staggered
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, NoReturn

import h11
import httpx

__all__ = [
    "HEARD",
    "REFUSAL",
    "AddressNotAllowed",
    "AddressPolicy",
    "H11Transport",
    "refusal",
    "single_error",
]

Origin = tuple[str, str, int]
Address = tuple[str, int]
#: Whether a connection may be opened to an address (its text, as the resolver gives it).
AddressPolicy = Callable[[str], bool]

#: The words every refusal by an address policy carries, so a report says why.
REFUSAL = "private address not allowed"

#: The request extension this transport sets once the request is sent: False until the first
#: byte of the response arrives, then True. A request given up on while it is still False met
#: a server that accepted it and said nothing at all (not a slow body, not a trickle).
HEARD = "verifier.heard"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_READ_SIZE = 65_536

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


def refusal(host: str, addresses: Sequence[str]) -> str:
    """Why a connection to ``host`` was not made, for a report."""
    hint = "--allow-private-addresses lets it through"
    if list(addresses) == [host]:
        return f"{REFUSAL}: {host} ({hint})"
    shown = ", ".join(addresses[:3]) + (", …" if len(addresses) > 3 else "")
    return f"{REFUSAL}: {host} resolves to {shown} ({hint})"


class AddressNotAllowed(httpx.ConnectError):
    """Every address of the host is one the transport's policy refuses; nothing was sent."""


def connect_options() -> dict[str, Any]:
    """Options for ``asyncio.open_connection`` that suit the running loop."""
    if isinstance(asyncio.get_running_loop(), asyncio.BaseEventLoop):
        # asyncio's own loop races address families; uvloop tries them in turn and takes no delay.
        return {"happy_eyeballs_delay": _HAPPY_EYEBALLS_DELAY}
    return {}


class _Connection:
    """One socket and the h11 state machine that frames what goes over it."""

    __slots__ = ("idle_since", "protocol", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0

    def usable(self, now: float, expiry: float) -> bool:
        """Whether an idle connection can take another request: fresh, and not closed by the server.

        The transport reads as data arrives, so a server's close already shows here as the end
        of the stream (or as the error that ended it).
        """
        return (
            now - self.idle_since < expiry
            and not self.reader.at_eof()
            and self.reader.exception() is None
            and not self.writer.transport.is_closing()
        )

    async def receive(self, timeout: float | None) -> int:
        """Feed h11 the next bytes from the socket (b"" at the end of the stream); how many."""
        if timeout is None:
            data = await self.reader.read(_READ_SIZE)
        else:
            async with asyncio.timeout(timeout):
                data = await self.reader.read(_READ_SIZE)
        self.protocol.receive_data(data)
        return len(data)

    async def send(self, event: h11.Event, timeout: float | None) -> None:
        data = self.protocol.send(event)
        if data:
            self.writer.write(data)
            if timeout is None:
                await self.writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await self.writer.drain()

    def close(self) -> None:
        # Not waiting for the close to finish: a peer that never answers TLS close_notify
        # would hold the caller, and the transport finishes closing on its own.
        self.writer.close()


def _interleaved(addresses: list[str]) -> list[str]:
    """The addresses with the families alternating, the resolver's first family first."""
    first = ":" in addresses[0]
    same = [a for a in addresses if (":" in a) == first]
    other = [a for a in addresses if (":" in a) != first]
    mixed: list[str] = []
    for index in range(max(len(same), len(other))):
        mixed += same[index : index + 1] + other[index : index + 1]
    return mixed


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
    return timeouts


class _Body(httpx.AsyncByteStream):
    """A response body read off its connection, which goes back to the pool once read to the end."""

    __slots__ = ("_connection", "_done", "_origin", "_read_timeout", "_transport")

    def __init__(
        self, transport: H11Transport, origin: Origin, connection: _Connection, read_timeout: float | None
    ) -> None:
        self._transport = transport
        self._origin = origin
        self._connection: _Connection | None = connection
        self._read_timeout = read_timeout
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        protocol = connection.protocol
        try:
            while True:
                event = protocol.next_event()
                if event is h11.NEED_DATA:
                    await connection.receive(self._read_timeout)
                elif isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._done = True
                    return
                else:  # ConnectionClosed, or PAUSED where no next exchange was started
                    return
        except BaseException as error:
            self._release(reusable=False)
            _reraise(error, httpx.ReadError)

    async def aclose(self) -> None:
        self._release(reusable=self._done)

    def _release(self, *, reusable: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._transport.give_back(self._origin, connection, reusable=reusable)


def _reraise(error: BaseException, default: type[httpx.TransportError]) -> NoReturn:
    """Raise ``error`` as the httpx exception it amounts to; cancellation and httpx's own pass as they are."""
    mapped = _mapped(error, default)
    if mapped is error:
        raise error
    raise mapped from error


def _mapped(error: BaseException, default: type[httpx.TransportError]) -> BaseException:
    """The httpx exception for a failure on an open connection."""
    if isinstance(error, httpx.TransportError) or not isinstance(error, Exception):
        return error
    if isinstance(error, TimeoutError):
        kind: type[httpx.TransportError] = (
            httpx.ReadTimeout if default is httpx.ReadError else httpx.WriteTimeout
        )
        return kind(str(error) or "timed out")
    if isinstance(error, h11.RemoteProtocolError):
        return httpx.RemoteProtocolError(str(error))
    if isinstance(error, h11.LocalProtocolError):
        return httpx.LocalProtocolError(str(error))
    return default(str(error) or type(error).__name__)


class H11Transport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over h11, keeping up to ``keepalive_per_origin`` idle connections per origin."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        resolve: Mapping[Address, Address] | None = None,
        keepalive_per_origin: int = 2,
        keepalive_expiry: float = 30.0,
        max_idle_origins: int = 256,
        address_policy: AddressPolicy | None = None,
    ) -> None:
        self._ssl_context = ssl_context
        self._resolve = dict(resolve or {})
        self._address_policy = address_policy
        self._keepalive_per_origin = max(1, keepalive_per_origin)
        self._keepalive_expiry = keepalive_expiry
        self._max_idle_origins = max(1, max_idle_origins)
        self._idle: OrderedDict[Origin, list[_Connection]] = OrderedDict()
        self._closed = False

    # Connections ------------------------------------------------------------------------------

    def _take_idle(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now, self._keepalive_expiry):
                return connection
            connection.close()
        return None

    def give_back(self, origin: Origin, connection: _Connection, *, reusable: bool) -> None:
        """Keep a connection whose exchange ended cleanly for the next request to its origin."""
        protocol = connection.protocol
        if (
            self._closed
            or not reusable
            or protocol.our_state is not h11.DONE
            or protocol.their_state is not h11.DONE
        ):
            connection.close()
            return
        protocol.start_next_cycle()
        idle = self._idle.get(origin)
        if idle is None:
            idle = self._idle[origin] = []
        else:
            self._idle.move_to_end(origin)
        if len(idle) >= self._keepalive_per_origin:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        idle.append(connection)
        while len(self._idle) > self._max_idle_origins:
            _, dropped = self._idle.popitem(last=False)
            for stale in dropped:
                stale.close()

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        pinned = self._resolve.get((host, port))
        address, to_port = pinned or (host, port)
        options = connect_options()
        if scheme == "https":
            options.update(ssl=self._ssl_context, server_hostname=host, ssl_handshake_timeout=timeout)
        try:
            async with asyncio.timeout(timeout):
                if self._address_policy is None or pinned is not None:
                    reader, writer = await asyncio.open_connection(
                        address, to_port, limit=2 * _READ_SIZE, **options
                    )
                else:
                    reader, writer = await self._connect_checked(host, port, options)
        except TimeoutError as error:
            raise httpx.ConnectTimeout(str(error) or "connect timed out") from error
        except OSError as error:  # DNS, refused, unreachable, TLS (ssl.SSLError is an OSError)
            cause = single_error(error)
            raise httpx.ConnectError(str(cause)) from cause
        return _Connection(reader, writer)

    async def _connect_checked(
        self, host: str, port: int, options: dict[str, Any]
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect to an address of ``host`` the policy allows, never to one it has not seen."""
        assert self._address_policy is not None
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        allowed = [address for address in found if self._address_policy(address)]
        if not allowed:
            raise AddressNotAllowed(refusal(host, found))
        options.pop("happy_eyeballs_delay", None)  # the race is run here, over checked addresses

        def attempt(address: str) -> Callable[[], Any]:
            return lambda: asyncio.open_connection(address, port, limit=2 * _READ_SIZE, **options)

        if len(allowed) == 1:
            connected: tuple[asyncio.StreamReader, asyncio.StreamWriter] = await attempt(allowed[0])()
            return connected
        # RFC 8305's head start for each address in turn, as asyncio gives a name of its own.
        winner, _, errors = await staggered.staggered_race(
            [attempt(address) for address in _interleaved(allowed)], _HAPPY_EYEBALLS_DELAY
        )
        if winner is None:
            failures = [error for error in errors if error is not None]
            if len(failures) == 1:
                raise failures[0]
            raise OSError(f"Multiple exceptions: {', '.join(str(error) for error in failures)}")
        won: tuple[asyncio.StreamReader, asyncio.StreamWriter] = winner
        return won

    # Requests ---------------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"cannot request a {scheme!r} URL", request=request)
        origin = (scheme, url.raw_host.decode("ascii").lower(), url.port or _DEFAULT_PORTS[scheme])
        timeouts = _timeouts(request)
        connection = self._take_idle(origin)
        if connection is None:
            connection = await self._connect(origin, timeouts.get("connect"))
        return await self._exchange(request, origin, connection, timeouts)

    async def _exchange(
        self,
        request: httpx.Request,
        origin: Origin,
        connection: _Connection,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        url = request.url
        try:
            write_timeout = timeouts.get("write")
            await connection.send(
                h11.Request(method=request.method, target=url.raw_path, headers=request.headers.raw),
                write_timeout,
            )
            async for chunk in request.stream:  # type: ignore[union-attr]
                if chunk:
                    await connection.send(h11.Data(data=chunk), write_timeout)
            await connection.send(h11.EndOfMessage(), write_timeout)
        except BaseException as error:
            connection.close()
            _reraise(error, httpx.WriteError)
        read_timeout = timeouts.get("read")
        extensions = request.extensions
        extensions[HEARD] = False
        try:
            head = await self._response_head(connection, read_timeout, extensions)
        except BaseException as error:
            connection.close()
            _reraise(error, httpx.ReadError)
        return httpx.Response(
            head.status_code,
            headers=head.headers.raw_items(),
            stream=_Body(self, origin, connection, read_timeout),
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
            request=request,
        )

    @staticmethod
    async def _response_head(
        connection: _Connection, read_timeout: float | None, extensions: dict[str, Any]
    ) -> h11.Response:
        protocol = connection.protocol
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                if await connection.receive(read_timeout):
                    extensions[HEARD] = True
            elif isinstance(event, h11.Response):
                return event
            elif isinstance(event, h11.InformationalResponse):
                continue  # 100 Continue and the like: the real answer follows
            else:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, OrderedDict()
        for connections in idle.values():
            for connection in connections:
                connection.close()
