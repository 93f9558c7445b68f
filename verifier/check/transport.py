"""Where connections go and whom they trust: ``resolve`` overrides and the TLS context.

``resolve = ["example.org:443=127.0.0.1:8443"]`` works like curl's ``--resolve``: a
connection for example.org port 443 is opened to 127.0.0.1:8443 instead, while the URL, the
Host header, TLS SNI and the certificate's host check still name example.org. It is done
below httpx, in the network backend, so nothing above the socket can tell.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import httpcore
import httpx
import idna

from verifier._exceptions import ConfigError
from verifier.config import Settings

__all__ = [
    "Address",
    "ResolvingBackend",
    "http_transport",
    "parse_resolve",
    "resolving_backend",
    "tls_context",
]

Address: TypeAlias = tuple[str, int]


def _split_address(text: str, entry: str) -> Address:
    """``host:port`` or ``[v6]:port`` as (host, port); a ConfigError naming ``entry`` if malformed."""
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise ConfigError(f"resolve: {entry!r}: {text!r} is not HOST:PORT")
        port_text = rest[1:]
    else:
        host, colon, port_text = text.rpartition(":")
        if not colon or ":" in host:
            raise ConfigError(f"resolve: {entry!r}: {text!r} is not HOST:PORT ([ADDRESS]:PORT for IPv6)")
    host = host.strip().rstrip(".").lower()
    if not host or any(c.isspace() or c in "/?#@=" for c in host):
        raise ConfigError(f"resolve: {entry!r}: {host!r} is not a host name or address")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"resolve: {entry!r}: port {port_text!r} is not a number from 1 to 65535")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as error:
            raise ConfigError(f"resolve: {entry!r}: {host!r} is not a valid host name: {error}") from None
    return host, int(port_text)


def parse_resolve(entries: Iterable[str]) -> dict[Address, Address]:
    """``HOST:PORT=ADDRESS:PORT`` entries as a mapping; ConfigError naming the first bad one."""
    mapping: dict[Address, Address] = {}
    for entry in entries:
        name, equals, target = entry.strip().partition("=")
        if not equals:
            raise ConfigError(f"resolve: {entry!r} is not HOST:PORT=ADDRESS:PORT")
        source = _split_address(name.strip(), entry)
        if source in mapping:
            raise ConfigError(f"resolve: {entry!r}: {source[0]}:{source[1]} is named twice")
        mapping[source] = _split_address(target.strip(), entry)
    return mapping


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections for mapped (host, port) pairs to their stand-in addresses."""

    def __init__(
        self, mapping: Mapping[Address, Address], backend: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._mapping = dict(mapping)
        self._backend = backend or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        host, port = self._mapping.get((host.rstrip(".").lower(), port), (host, port))
        return await self._backend.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._backend.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def resolving_backend(entries: Iterable[str]) -> ResolvingBackend | None:
    """The backend for ``resolve`` entries, or None when there are none (httpx's own then serves)."""
    mapping = parse_resolve(entries)
    return ResolvingBackend(mapping) if mapping else None


def http_transport(
    *, verify: ssl.SSLContext | bool, limits: httpx.Limits, backend: httpcore.AsyncNetworkBackend | None
) -> httpx.AsyncHTTPTransport:
    """An HTTP/1.1 transport whose connections go through ``backend`` (httpx's default when None)."""
    transport = httpx.AsyncHTTPTransport(verify=verify, http1=True, http2=False, limits=limits)
    if backend is not None:
        # httpx takes no network backend, so its pool is rebuilt with the same limits and one.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )
    return transport


def tls_context(settings: Settings) -> ssl.SSLContext:
    """One context for every host: the usual trust store plus ``ca_bundle``, or none with ``insecure``."""
    if settings.insecure:
        return httpx.create_ssl_context(verify=False)
    context = httpx.create_ssl_context()
    if settings.ca_bundle:
        try:
            context.load_verify_locations(cafile=settings.ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"ca-bundle: cannot use {settings.ca_bundle}: {error}") from None
    return context
