"""Reading response bodies: decompressed as a stream, bounded in both raw and decoded size."""

from __future__ import annotations

import re
import zlib
from typing import Any

import httpx

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_HTMLISH = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def decompressor(encoding: str) -> Any:
    """A zlib decompressor for the response's Content-Encoding; None for identity; False if unknown."""
    name = encoding.strip().lower()
    if name in ("", "identity", "none"):
        return None
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if name == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)
    return False


def charset(content_type: str, head: bytes) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    found = _CHARSET.search(head[:4096])
    return found.group(1).decode("ascii", "replace") if found else "utf-8"


def decode_body(body: bytes, content_type: str) -> str:
    if not body:
        return ""
    try:
        return body.decode(charset(content_type, body), errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def is_textual(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return not kind or kind in _HTMLISH or kind.startswith("text/")


async def read_body(response: httpx.Response, limit: int) -> bytes | None:
    """At most ``limit`` decoded bytes; raw reading stops near ``limit`` too (no bomb gets far)."""
    decoder = decompressor(response.headers.get("content-encoding", ""))
    if decoder is False:
        return None
    raw_cap = 2 * limit + 16_384
    raw_seen = 0
    out = bytearray()
    async for chunk in response.aiter_raw():
        raw_seen += len(chunk)
        if decoder is None:
            out += chunk[: limit - len(out)]
        else:
            try:
                out += decoder.decompress(chunk, limit - len(out))
            except zlib.error:
                break
        if len(out) >= limit or raw_seen >= raw_cap or (decoder is not None and decoder.eof):
            break
    return bytes(out)


async def drain(response: httpx.Response, limit: int = 16_384) -> None:
    """Read a small unwanted body to its end, so the connection can serve the next request.

    A body left unread closes the connection; a big one is cheaper to drop than to read.
    """
    seen = 0
    try:
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > limit:
                return
    except (httpx.ReadError, httpx.RemoteProtocolError):
        return
