"""The Retry value object and Retry-After parsing. No sockets."""

from __future__ import annotations

import email.utils
import random

from verifier.check.http.failures import FailureKind
from verifier.check.http.retry import Retry, parse_retry_after
from verifier.config import Settings


def test_from_settings() -> None:
    retry = Retry.live(Settings(retries=3, retry_backoff=0.5, retry_after_cap=9, url_budget=40).retry)
    assert retry.attempts == 4
    assert (retry.backoff, retry.retry_after_cap, retry.budget) == (0.5, 9, 40)
    assert retry.retries_status(429) and retry.retries_status(503) and retry.retries_status(500)
    assert not retry.retries_status(404) and not retry.retries_status(403)
    assert retry.retries_failure(FailureKind.TIMEOUT) and retry.retries_failure(FailureKind.RESET)
    assert not retry.retries_failure(FailureKind.DNS_NOT_FOUND)
    assert not retry.retries_failure(FailureKind.TLS_EXPIRED)


def test_backoff_doubles_with_bounded_jitter() -> None:
    retry = Retry(backoff=1.0, jitter=0.5, backoff_max=30.0, rng=random.Random(7))
    for attempt, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 30.0)]:
        waits = [retry.backoff_for(attempt) for _ in range(50)]
        assert all(base <= w <= base * 1.5 for w in waits)
        assert len(set(waits)) > 1


def test_retry_after_wins_and_is_capped() -> None:
    retry = Retry(backoff=5.0, retry_after_cap=10.0)
    assert retry.wait_for(1, 2.0) == 2.0
    assert retry.wait_for(1, 3600.0) == 10.0
    assert retry.wait_for(1, None) >= 5.0


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
