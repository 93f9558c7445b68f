"""Why a request produced no HTTP response: the kinds, apart from the code that finds them.

Verdicts and history rules name these kinds; only :mod:`verifier.check.http.failures` needs
httpx to tell them apart, so a warm run that settles everything from the store never loads it.
"""

from __future__ import annotations

from enum import StrEnum


class FailureKind(StrEnum):
    """Why a request produced no HTTP response (or no usable one)."""

    DNS_NOT_FOUND = "dns-not-found"  # the name does not exist (NXDOMAIN)
    DNS_TEMPORARY = "dns-temporary"  # the name server did not answer
    REFUSED = "connection-refused"
    UNREACHABLE = "network-unreachable"  # no route to the host or network
    CONNECT_TIMEOUT = "connect-timeout"
    TIMEOUT = "timeout"  # read, write or total deadline
    RESET = "connection-reset"  # dropped mid-request
    PROTOCOL = "protocol-error"  # not valid HTTP
    TLS_EXPIRED = "tls-expired"
    TLS_NOT_YET_VALID = "tls-not-yet-valid"
    TLS_HOSTNAME = "tls-hostname-mismatch"
    TLS_UNTRUSTED = "tls-unknown-issuer"
    TLS_OTHER = "tls-error"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    INVALID_URL = "invalid-url"
    OTHER = "network-error"


#: Failures that may clear up by themselves: worth a retry, never grounds for "dead".
TRANSIENT = frozenset(
    {
        FailureKind.CONNECT_TIMEOUT,
        FailureKind.TIMEOUT,
        FailureKind.RESET,
        FailureKind.DNS_TEMPORARY,
        FailureKind.PROTOCOL,
    }
)

#: Failures that look the same whether the host is gone or we are offline.
NEEDS_NETWORK_CHECK = frozenset(
    {FailureKind.DNS_NOT_FOUND, FailureKind.DNS_TEMPORARY, FailureKind.UNREACHABLE}
)
