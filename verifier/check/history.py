"""The rules that span runs: when a failure proves a link gone, and how an outcome changed."""

from __future__ import annotations

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
