"""URLs: normalising them for checking and telling what kind of reference each one is.

The normalised form is what the checker requests and what the report keys results by, so two
spellings of one address (``HTTP://Example.COM:80/a`` and ``http://example.com/a``) are
checked once. The raw form is always kept beside it by the extractors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from verifier.extract.tlds import missing_tld
from verifier.model import ReferenceIssue, ReferenceIssueKind, ReferenceKind, WaybackLocation

DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}

# Characters left as they are when percent-encoding; "%" is among them so an already
# encoded URL is not encoded twice.
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"

_WAYBACK = re.compile(
    r"^https?://(?:web\.)?archive\.org/web/(?P<ts>\d{1,14})(?P<flags>[a-z]{2}_|\*)?/(?P<original>.+)$",
    re.IGNORECASE,
)
_DOI = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)$", re.IGNORECASE)
# A "%" that does not start an escape is a literal percent sign and must itself be escaped.
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WHITE_SPACE = re.compile(r"\s")
_ASCII_HOST = re.compile(r"[a-z0-9._-]+")


class MalformedURL(ValueError):
    """A URL that cannot be checked as written; the message says why in plain words."""


def _encode_host(host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise MalformedURL("the URL has no host")
    if host.startswith("[") or ":" in host:
        return _encode_ipv6(host.strip("[]"))
    if _WHITE_SPACE.search(host):
        raise MalformedURL(f"the host {host!r} contains white space")
    if "" in host.split("."):
        raise MalformedURL(f"the host {host!r} has an empty label (two dots in a row, or a leading dot)")
    if host.isascii():
        if not _ASCII_HOST.fullmatch(host):
            raise MalformedURL(f"the host {host!r} contains characters a host name cannot have")
        if "xn--" in host:
            _check_punycode(host)
        return host
    import idna  # only international names need it; most runs meet none

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise MalformedURL(f"the host {host!r} is not a valid international domain name: {error}") from None


def _check_punycode(host: str) -> None:
    """Raise MalformedURL if an already encoded ("xn--") label does not decode."""
    import idna

    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as error:
                raise MalformedURL(
                    f"the host {host!r} is not a valid international domain name: {error}"
                ) from None


def _encode_ipv6(address: str) -> str:
    import ipaddress

    try:
        return f"[{ipaddress.IPv6Address(address).compressed}]"
    except ValueError:
        raise MalformedURL(f"the host {address!r} is not a valid IPv6 address") from None


def _escaped(part: str, safe: str) -> str:
    """``part`` percent-encoded: existing escapes kept (in upper case), lone "%" and non-ASCII encoded."""
    encoded = quote(_LONE_PERCENT.sub("%25", part), safe=safe)
    return _ESCAPE.sub(lambda match: match.group(0).upper(), encoded)


def normalise_url(raw: str, base: str | None = None) -> str:
    """The absolute, normalised form of ``raw`` (resolved against ``base`` when relative).

    Lowercases scheme and host, encodes international hosts with IDNA, drops default ports
    and the fragment (never sent to the server), and percent-encodes non-ASCII characters
    without encoding an existing escape again. Raises MalformedURL when the URL cannot be
    checked as written.
    """
    text = raw.strip()
    try:
        if base is not None and not _SCHEME.match(text):
            text = urljoin(base, text)
        parts = urlsplit(text)
    except ValueError as error:
        if "[" in text and "]" not in text:
            raise MalformedURL("the IPv6 address in the host is missing its closing ']'") from None
        raise MalformedURL(f"cannot parse the URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ftp"):
        if not scheme:
            raise MalformedURL("the URL has no scheme")
        return _other_scheme(scheme, text)
    try:
        port = parts.port
    except ValueError as error:
        raise MalformedURL(f"the port is not valid: {error}") from None
    if "[" in parts.netloc.rpartition("@")[2]:
        # Brackets hold an IPv6 address and nothing else: "http://[localhost]" is no host.
        host = _encode_ipv6(parts.hostname or "")
    else:
        host = _encode_host(parts.hostname or "")
    netloc = host
    if parts.username is not None:
        userinfo = quote(parts.username, safe="%")
        if parts.password is not None:
            userinfo += ":" + quote(parts.password, safe="%")
        netloc = f"{userinfo}@{host}"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if _WHITE_SPACE.search(parts.path):
        raise MalformedURL("the URL contains white space")
    path = _escaped(parts.path, _SAFE_PATH) or "/"
    query = _escaped(parts.query, _SAFE_QUERY)
    return urlunsplit((scheme, netloc, path, query, ""))


def _other_scheme(scheme: str, text: str) -> str:
    """A mailto:, tel: or other non-web URL with its scheme (and a mail domain) in lower case."""
    rest = text[len(scheme) + 1 :]
    if scheme == "mailto" and "@" in rest:
        local, _, domain = rest.rpartition("@")
        domain, mark, query = domain.partition("?")
        rest = f"{local}@{domain.lower()}{mark}{query}"
    return f"{scheme}:{rest}"


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


# An absolute URL with a lowercase ASCII host, no user or fragment, no default port, and
# nothing to percent-encode: normalise_url would return it unchanged, so extractors meeting
# thousands of URLs can skip the work. Keep in step with normalise_url.
_ALREADY_NORMAL = re.compile(
    r"(?P<scheme>https?|ftp)://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"/(?:[A-Za-z0-9/:@!$&'()*+,;=._~?-]|%[0-9A-F]{2})*"
)


def is_normalised(url: str) -> bool:
    """Whether ``normalise_url(url)`` is ``url`` itself (a fast check for the common case)."""
    match = _ALREADY_NORMAL.fullmatch(url)
    if match is None:
        return False
    port = match.group("port")
    return port is None or (int(port) <= 65535 and int(port) != DEFAULT_PORTS[match.group("scheme")])


_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class UrlReading:
    """What a URL as written comes to: the form to check, its kind, and what is wrong with it."""

    url: str
    kind: ReferenceKind
    wayback: WaybackLocation | None = None
    issues: tuple[ReferenceIssue, ...] = ()


def read_url(written: str, base: str | None = None) -> UrlReading:
    """The reading every extractor gives a URL it found.

    DOIs become https://doi.org/ URLs; a relative URL is resolved against ``base`` when there
    is one and stays internal otherwise; a URL that cannot be checked keeps its written form
    and carries a malformed-url issue instead of raising.
    """
    text = written.strip()
    doi = parse_doi(text)
    try:
        if doi is not None:
            url = normalise_url(f"https://doi.org/{doi}")
            kind = ReferenceKind.DOI
        elif text.startswith("//"):
            url = normalise_url(text, base or "https:")
            kind = classify_url(url)
        elif _HAS_SCHEME.match(text) or base is not None:
            # Most URLs are already in normal form, and checking that is much cheaper than
            # normalising; punycode hosts always take the full path so broken labels are caught.
            fast = "xn--" not in text and is_normalised(text)
            url = text if fast else normalise_url(text, base)
            kind = classify_url(url)
        else:
            return UrlReading(text, ReferenceKind.INTERNAL)
    except MalformedURL as error:
        kind = ReferenceKind.DOI if doi is not None else classify_url(text)
        return UrlReading(text, kind, issues=(ReferenceIssue(ReferenceIssueKind.MALFORMED_URL, str(error)),))
    if kind is ReferenceKind.EXTERNAL and is_checkable(url):
        problem = missing_tld(_host_of(url))
        if problem is not None:
            message = f"{problem}: the URL may be cut short or mistyped"
            issue = ReferenceIssue(ReferenceIssueKind.MALFORMED_URL, message)
            return UrlReading(url, kind, issues=(issue,))
    wayback = parse_wayback(url) if kind is ReferenceKind.ARCHIVE else None
    return UrlReading(url, kind, wayback)


# The host of an absolute URL (after any user, before any port). urlsplit would do, at four
# times the cost, and read_url meets every URL of every document.
_HOST = re.compile(r"[^:/?#]+://(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)")


def _host_of(url: str) -> str:
    found = _HOST.match(url)
    return found.group(1) if found else ""
