"""Where connections go and whom they trust: ``resolve`` overrides and the TLS context.

``resolve = ["example.org:443=127.0.0.1:8443"]`` works like curl's ``--resolve``: a
connection for example.org port 443 is opened to 127.0.0.1:8443 instead, while the URL, the
Host header, TLS SNI and the certificate's host check still name example.org. It is done
where connections are opened (:mod:`.h11transport`), so nothing above the socket can tell.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Iterable
from typing import TypeAlias

import httpx
import idna

from verifier._exceptions import ConfigError
from verifier.config import Settings

__all__ = [
    "Address",
    "parse_resolve",
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


def tls_context(settings: Settings) -> ssl.SSLContext:
    """One context for every host: the usual trust store plus ``ca_bundle``, or none with ``insecure``.

    Made once per process for the same trust settings: loading the trust store costs some 20 ms
    of CPU, which a service pays for every host batch otherwise. A context is safe to share
    between connections and threads; nothing here changes it after it is made.
    """
    # The bundle's modification time is part of the key: a long-lived service sees a replaced one.
    try:
        changed = os.stat(settings.ca_bundle).st_mtime_ns if settings.ca_bundle else 0
    except OSError:
        changed = -1  # reported by loading it
    return _tls_context(settings.insecure, settings.ca_bundle, changed)


@functools.lru_cache(maxsize=8)
def _tls_context(insecure: bool, ca_bundle: str | None, changed: int) -> ssl.SSLContext:
    if insecure:
        return httpx.create_ssl_context(verify=False)
    context = httpx.create_ssl_context()
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"ca-bundle: cannot use {ca_bundle}: {error}") from None
    return context
