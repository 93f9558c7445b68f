"""Whether a host name ends in a top-level domain that exists.

A URL that a PDF's text layer broke with a space (``http://www.exa mple.com/page``) reads as
``http://www.exa/``: a host under a top-level domain that does not exist. Checked, it would be
called dead (the name does not resolve), and a good citation would look broken; flagged, the
editor sees the cut instead. The public suffix list says which top-level domains exist.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Reading the public suffix list takes tens of milliseconds, so the top-level domains most
# citations use answer without it. Every entry is on the list.
_COMMON = frozenset(
    {
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "io",
        "co",
        "uk",
        "de",
        "fr",
        "jp",
        "cn",
        "ru",
        "br",
        "it",
        "es",
        "nl",
        "au",
        "ca",
        "ch",
        "se",
        "no",
        "pl",
        "in",
        "us",
        "eu",
        "be",
        "at",
        "dk",
        "fi",
        "cz",
        "pt",
        "gr",
        "ie",
        "nz",
        "za",
        "kr",
        "tw",
        "hk",
        "sg",
        "mx",
        "ar",
        "il",
        "tr",
        "ua",
        "ir",
    }
)

# Special-use names (RFC 6761, RFC 9476, ICANN's .internal): never on the internet's DNS, but
# written on purpose for test and private hosts, so no sign of a cut URL.
_SPECIAL_USE = frozenset({"test", "example", "invalid", "localhost", "local", "internal", "alt"})


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_unknown=False)


@functools.lru_cache(maxsize=4096)  # a document cites the same few hosts again and again
def missing_tld(host: str) -> str | None:
    """Why ``host`` cannot be a name on the internet, or None when it can (or is an address).

    ``host`` is a normalised host: lowercase, international labels in punycode, no port (an
    IPv6 address with or without its brackets).
    """
    if not host or ":" in host or host.replace(".", "").isdigit():
        return None  # an IP address
    last = host.rsplit(".", 1)[-1]
    if last in _COMMON or last in _SPECIAL_USE:
        return None
    if last == host:
        return f"the host {host!r} has no top-level domain, so it is not a name on the internet"
    if _public_suffixes().publicsuffix(f"x.{last}") is None:
        return f"the host {host!r} ends in .{last}, which is not a top-level domain"
    return None
