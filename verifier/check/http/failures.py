"""The one place that turns httpx, DNS, TLS and socket exceptions into failure kinds.

``classify.py`` never sees a raw exception: the probe catches, calls
:func:`failure_from_exception` and hands on a :class:`Failure`.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from verifier.check.http.kinds import NEEDS_NETWORK_CHECK, TRANSIENT, FailureKind

__all__ = ["NEEDS_NETWORK_CHECK", "TRANSIENT", "Failure", "FailureKind", "failure_from_exception"]


@dataclass(frozen=True, slots=True)
class Failure:
    kind: FailureKind
    detail: str


# OpenSSL X509_V_ERR_* codes carried by ssl.SSLCertVerificationError.verify_code.
_X509_NOT_YET_VALID = 9
_X509_EXPIRED = 10
_X509_UNTRUSTED = frozenset({18, 19, 20, 21, 27, 28})
_X509_NAME_MISMATCH = frozenset({62, 64})  # host name, IP address

_DNS_NOT_FOUND = frozenset(
    code
    for code in (
        getattr(socket, "EAI_NONAME", None),
        getattr(socket, "EAI_NODATA", None),
        getattr(socket, "EAI_ADDRFAMILY", None),
    )
    if code is not None
)

_UNREACHABLE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN})
_RESET = frozenset({errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, outermost first."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _tls_failure(error: ssl.SSLError) -> Failure:
    if isinstance(error, ssl.SSLCertVerificationError):
        code = error.verify_code
        message = error.verify_message or str(error)
        if code == _X509_EXPIRED:
            return Failure(FailureKind.TLS_EXPIRED, f"the certificate has expired ({message})")
        if code == _X509_NOT_YET_VALID:
            return Failure(FailureKind.TLS_NOT_YET_VALID, f"the certificate is not valid yet ({message})")
        if code in _X509_NAME_MISMATCH:
            return Failure(FailureKind.TLS_HOSTNAME, f"the certificate is for another host name ({message})")
        if code in _X509_UNTRUSTED:
            return Failure(FailureKind.TLS_UNTRUSTED, f"the certificate's issuer is not trusted ({message})")
        return Failure(FailureKind.TLS_OTHER, f"the certificate was rejected ({message})")
    return Failure(FailureKind.TLS_OTHER, f"TLS handshake failed ({getattr(error, 'reason', None) or error})")


def _os_failure(error: OSError) -> Failure | None:
    if isinstance(error, socket.gaierror):
        text = error.strerror or str(error)
        if error.errno in _DNS_NOT_FOUND:
            return Failure(FailureKind.DNS_NOT_FOUND, f"the host name does not resolve ({text})")
        return Failure(FailureKind.DNS_TEMPORARY, f"the host name could not be looked up ({text})")
    if isinstance(error, ConnectionRefusedError) or error.errno == errno.ECONNREFUSED:
        return Failure(FailureKind.REFUSED, "the server refused the connection")
    if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError) or (
        error.errno in _RESET
    ):
        return Failure(FailureKind.RESET, "the server dropped the connection")
    if error.errno in _UNREACHABLE:
        return Failure(FailureKind.UNREACHABLE, f"no route to the host ({error.strerror or error})")
    if isinstance(error, TimeoutError):
        return Failure(FailureKind.TIMEOUT, "the request timed out")
    return None


def _from_text(message: str) -> Failure | None:
    """Last resort when a lower layer kept only a message (some errors reach us as text alone)."""
    text = message.lower()
    if "name or service not known" in text or "nodename nor servname" in text or "no address" in text:
        return Failure(FailureKind.DNS_NOT_FOUND, f"the host name does not resolve ({message})")
    if "temporary failure in name resolution" in text:
        return Failure(FailureKind.DNS_TEMPORARY, f"the host name could not be looked up ({message})")
    if "connection refused" in text:
        return Failure(FailureKind.REFUSED, "the server refused the connection")
    if "network is unreachable" in text or "no route to host" in text:
        return Failure(FailureKind.UNREACHABLE, f"no route to the host ({message})")
    if "connection reset" in text or "broken pipe" in text:
        return Failure(FailureKind.RESET, "the server dropped the connection")
    if "certificate has expired" in text:
        return Failure(FailureKind.TLS_EXPIRED, f"the certificate has expired ({message})")
    if "hostname mismatch" in text or "address mismatch" in text or "doesn't match" in text:
        return Failure(FailureKind.TLS_HOSTNAME, f"the certificate is for another host name ({message})")
    if "self-signed" in text or "unable to get local issuer" in text:
        return Failure(FailureKind.TLS_UNTRUSTED, f"the certificate's issuer is not trusted ({message})")
    return None


def failure_from_exception(exc: BaseException) -> Failure:
    """Map any exception raised while making a request to a Failure; never raises."""
    if isinstance(exc, httpx.ConnectTimeout):
        # Before the chain: it is raised from the TimeoutError that would read as any timeout.
        return Failure(FailureKind.CONNECT_TIMEOUT, "the server did not accept a connection in time")
    for error in _chain(exc):
        if isinstance(error, ssl.SSLError):
            return _tls_failure(error)
        if isinstance(error, OSError):
            mapped = _os_failure(error)
            if mapped is not None:
                return mapped
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return Failure(FailureKind.TIMEOUT, "the server did not answer in time")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | UnicodeError):
        return Failure(FailureKind.INVALID_URL, f"the URL cannot be requested ({exc})")
    for error in _chain(exc):
        mapped = _from_text(str(error))
        if mapped is not None:
            return mapped
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc)
        if "disconnected" in text.lower() or "without sending" in text.lower():
            return Failure(FailureKind.RESET, f"the server closed the connection ({text})")
        return Failure(FailureKind.PROTOCOL, f"the server's answer is not valid HTTP ({text})")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return Failure(FailureKind.RESET, f"the connection failed mid-request ({exc or type(exc).__name__})")
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError):
        return Failure(FailureKind.PROTOCOL, f"the server's answer is not valid HTTP ({exc})")
    return Failure(FailureKind.OTHER, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
