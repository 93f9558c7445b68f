"""URLs: normalising them for checking and telling what kind of reference each one is.

The normalised form is what the checker requests and what the report keys results by, so two
spellings of one address (``HTTP://Example.COM:80/a`` and ``http://example.com/a``) are
checked once. The raw form is always kept beside it by the extractors.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import idna

from verifier.model import ReferenceKind, WaybackLocation

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}

# Characters left as they are when percent-encoding; "%" is among them so an already
# encoded URL is not encoded twice.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"

_WAYBACK = re.compile(
    r"^https?://(?:web\.)?archive\.org/web/(?P<ts>\d{1,14})(?P<flags>[a-z]{2}_|\*)?/(?P<original>.+)$",
    re.IGNORECASE,
)
_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class MalformedURL(ValueError):
    """A URL that cannot be checked as written; the message says why in plain words."""


def _encode_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise MalformedURL("the URL has no host")
    if host.startswith("["):
        return host
    if any(c.isspace() for c in host):
        raise MalformedURL(f"the host {host!r} contains white space")
    if host.isascii():
        if not re.fullmatch(r"[a-z0-9._-]+", host):
            raise MalformedURL(f"the host {host!r} contains characters a host name cannot have")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise MalformedURL(f"the host {host!r} is not a valid international domain name: {error}") from None


def normalise_url(raw: str, base: str | None = None) -> str:
    """The absolute, normalised form of ``raw`` (resolved against ``base`` when relative).

    Lowercases scheme and host, encodes international hosts with IDNA, drops default ports
    and the fragment (never sent to the server), and percent-encodes non-ASCII characters
    without encoding an existing escape again. Raises MalformedURL when the URL cannot be
    checked as written.
    """
    text = raw.strip()
    if base is not None and not _SCHEME.match(text):
        text = urljoin(base, text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise MalformedURL(f"cannot parse the URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ftp"):
        if not scheme:
            raise MalformedURL("the URL has no scheme")
        return text
    host = _encode_host(parts.hostname or "")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    netloc = host
    if parts.username is not None:
        userinfo = quote(parts.username, safe="%")
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe="%")
        netloc = f"{userinfo}@{host}"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if any(c.isspace() for c in parts.path):
        raise MalformedURL("the URL contains white space")
    path = quote(parts.path, safe=_SAFE_PATH) or "/"
    query = quote(parts.query, safe=_SAFE_QUERY)
    return urlunsplit((scheme, netloc, path, query, ""))


def parse_wayback(url: str) -> WaybackLocation | None:
    """The timestamp and original URL of a Wayback Machine address, or None."""
    match = _WAYBACK.match(url)
    if match is None:
        return None
    original = match.group("original")
    # The archive accepts "http:/example.com" with one slash; restore the second.
    original = re.sub(r"^(https?):/(?!/)", r"\1://", original, flags=re.IGNORECASE)
    if not _SCHEME.match(original):
        original = "http://" + original
    return WaybackLocation(original=original, timestamp=match.group("ts"), flags=match.group("flags") or "")


def parse_doi(raw: str) -> str | None:
    """The DOI named by ``doi:10.x/y`` or a doi.org URL, or None."""
    match = _DOI.match(raw.strip())
    return match.group("doi") if match else None


def classify_url(url: str) -> ReferenceKind:
    """The kind of reference an absolute or relative URL makes."""
    lowered = url.strip().lower()
    if lowered.startswith("mailto:"):
        return ReferenceKind.EMAIL
    if parse_doi(url) is not None:
        return ReferenceKind.DOI
    if parse_wayback(url) is not None:
        return ReferenceKind.ARCHIVE
    if _SCHEME.match(lowered) or lowered.startswith("//"):
        return ReferenceKind.EXTERNAL
    return ReferenceKind.INTERNAL


def is_checkable(url: str) -> bool:
    """Whether the checker can probe this URL (http and https only)."""
    return url.lower().startswith(("http://", "https://"))
