"""The rules that span runs: when a failure proves a link gone, and how an outcome changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from verifier.check.http.kinds import FailureKind
from verifier.check.live.verdict import LiveVerdict
from verifier.model import ChangeKind, Outcome

# Failures that prove a link is gone on first sight. Everything else that ends in "dead" with
# no HTTP answer, or with a 5xx, may pass, so history must confirm it.
_CONCLUSIVE_FAILURES = frozenset({FailureKind.DNS_NOT_FOUND, FailureKind.INVALID_URL})


def is_conclusive(verdict: LiveVerdict) -> bool:
    """Whether a dead verdict proves the link gone on first sight (404, 410, NXDOMAIN, soft-404).

    The server answering that the page is not there is conclusive; a 5xx, a refused or reset
    connection, a timeout or a TLS failure may be gone tomorrow.
    """
    if verdict.failure is not None:
        return verdict.failure in _CONCLUSIVE_FAILURES
    return verdict.http_status is None or verdict.http_status < 500


def classify_change(before: Outcome, after: Outcome) -> ChangeKind | None:
    """The kind of change between two runs' outcomes of one URL, or None when there is none."""
    if before is after:
        return None
    if after is Outcome.DEAD:
        return ChangeKind.DIED
    if after is Outcome.ARCHIVED:
        return ChangeKind.NEWLY_ARCHIVED
    if after is Outcome.LIVE and before in (Outcome.DEAD, Outcome.ARCHIVED, Outcome.UNKNOWN):
        return ChangeKind.RECOVERED
    return ChangeKind.CHANGED


@dataclass(frozen=True, slots=True)
class FailureCount:
    """A URL's failures in a row after one more check.

    ``counted_at`` is when the last failure that counted happened (None after a success),
    ``last_failure`` when the last failure of any kind did.
    """

    consecutive: int
    counted_at: dt.datetime | None
    last_failure: dt.datetime | None


def count_failures(
    *,
    failed: bool,
    now: dt.datetime,
    interval: float,
    consecutive: int = 0,
    counted_at: dt.datetime | None = None,
    last_failure: dt.datetime | None = None,
) -> FailureCount:
    """The failures in a row after a check at ``now`` that ``failed`` or not.

    A failure counts only ``interval`` seconds or more after the last one that counted: two
    runs a minute apart during one outage are one failure, not two, so a brief outage does
    not make dead links. A failure inside the interval is recorded (``last_failure``) but
    neither counts nor resets the count; a success resets it. A count carried over from
    before counting times were kept (``counted_at`` None) takes the next failure as counting.
    """
    if not failed:
        return FailureCount(0, None, last_failure)
    if consecutive > 0 and counted_at is not None and (now - counted_at).total_seconds() < interval:
        return FailureCount(consecutive, counted_at, now)
    return FailureCount(consecutive + 1, now, now)
