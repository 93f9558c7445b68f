"""TLS failures named for what they are, and --insecure."""

from __future__ import annotations

import pytest

from tests.integration.check_live.conftest import check_one
from tests.servers.httpd import LocalServer
from tests.servers.tls import LocalCA
from verifier.model import Outcome


async def test_a_valid_certificate_from_the_trusted_ca_is_live(local_ca: LocalCA) -> None:
    with LocalServer(tls=local_ca.context("valid")) as server:
        verdict = await check_one(server.url("/doc/1.html"), ca_bundle=str(local_ca.ca_file))
    assert verdict.outcome is Outcome.LIVE


@pytest.mark.parametrize(
    ("kind", "failure", "words"),
    [
        ("expired", "tls-expired", "expired"),
        ("wrong-host", "tls-hostname-mismatch", "another host name"),
        ("unknown-issuer", "tls-unknown-issuer", "not trusted"),
    ],
)
async def test_tls_failures_are_named(local_ca: LocalCA, kind: str, failure: str, words: str) -> None:
    with LocalServer(tls=local_ca.context(kind)) as server:
        verdict = await check_one(server.url("/doc/1.html"), ca_bundle=str(local_ca.ca_file))
        insecure = await check_one(server.url("/doc/1.html"), ca_bundle=str(local_ca.ca_file), insecure=True)
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.failure == failure
    assert words in verdict.reason
    assert verdict.attempts == 1
    assert insecure.outcome is Outcome.LIVE


async def test_the_system_store_does_not_trust_the_local_ca(local_ca: LocalCA) -> None:
    with LocalServer(tls=local_ca.context("valid")) as server:
        verdict = await check_one(server.url("/doc/1.html"))
    assert verdict.failure == "tls-unknown-issuer"
