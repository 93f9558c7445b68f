"""The one mapper from lower-layer exceptions to failure kinds, fed the exceptions httpx raises."""

from __future__ import annotations

import errno
import socket
import ssl

import httpx
import pytest

from verifier.check.http.failures import FailureKind, failure_from_exception


def _wrapped(cause: BaseException, outer: type[httpx.HTTPError] = httpx.ConnectError) -> BaseException:
    """The chain httpx builds: httpx error raised from the socket or TLS error."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer(str(inner)) from inner
    except BaseException as error:
        return error


def _cert_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"certificate verify failed: {message}")
    error.verify_code = code
    error.verify_message = message
    return error


CASES = [
    (_wrapped(socket.gaierror(socket.EAI_NONAME, "Name or service not known")), FailureKind.DNS_NOT_FOUND),
    (
        _wrapped(socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")),
        FailureKind.DNS_TEMPORARY,
    ),
    (_wrapped(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), FailureKind.REFUSED),
    (_wrapped(OSError(errno.ENETUNREACH, "Network is unreachable")), FailureKind.UNREACHABLE),
    (_wrapped(OSError(errno.EHOSTUNREACH, "No route to host")), FailureKind.UNREACHABLE),
    (_wrapped(ConnectionResetError(errno.ECONNRESET, "reset"), httpx.ReadError), FailureKind.RESET),
    (httpx.RemoteProtocolError("Server disconnected without sending a response."), FailureKind.RESET),
    (httpx.RemoteProtocolError("illegal header line"), FailureKind.PROTOCOL),
    (httpx.ConnectTimeout("timed out"), FailureKind.CONNECT_TIMEOUT),
    (httpx.ReadTimeout("timed out"), FailureKind.TIMEOUT),
    (TimeoutError(), FailureKind.TIMEOUT),
    (_wrapped(_cert_error(10, "certificate has expired")), FailureKind.TLS_EXPIRED),
    (_wrapped(_cert_error(9, "certificate is not yet valid")), FailureKind.TLS_NOT_YET_VALID),
    (_wrapped(_cert_error(62, "Hostname mismatch")), FailureKind.TLS_HOSTNAME),
    (_wrapped(_cert_error(64, "IP address mismatch")), FailureKind.TLS_HOSTNAME),
    (_wrapped(_cert_error(18, "self-signed certificate")), FailureKind.TLS_UNTRUSTED),
    (_wrapped(_cert_error(20, "unable to get local issuer certificate")), FailureKind.TLS_UNTRUSTED),
    (_wrapped(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")), FailureKind.TLS_OTHER),
    (httpx.ConnectError("[Errno -2] Name or service not known"), FailureKind.DNS_NOT_FOUND),
    (
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'gopher://'."),
        FailureKind.INVALID_URL,
    ),
    (RuntimeError("something else"), FailureKind.OTHER),
]


@pytest.mark.parametrize(
    ("error", "kind"), CASES, ids=[kind.value + str(i) for i, (_, kind) in enumerate(CASES)]
)
def test_mapping(error: BaseException, kind: FailureKind) -> None:
    failure = failure_from_exception(error)
    assert failure.kind is kind
    assert failure.detail
