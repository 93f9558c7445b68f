"""When to try a URL again and how long to wait first: a small value object, no I/O."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field

from verifier.check.failures import TRANSIENT, FailureKind
from verifier.config import Settings

#: Statuses that say "not now" rather than "not here".
TRANSIENT_STATUSES = frozenset({429, 503})
#: Server errors worth a second look before calling them persistent.
SERVER_ERROR_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True, slots=True)
class Retry:
    """Retry policy for one URL.

    ``attempts`` counts every try, the first included. The wait before try n+1 is
    ``backoff * 2**(n-1)`` plus up to ``jitter`` of itself at random, or the server's
    Retry-After when it gives one (never more than ``retry_after_cap``). No try starts once
    ``budget`` seconds have passed since the first.
    """

    attempts: int = 4
    statuses: frozenset[int] = TRANSIENT_STATUSES | SERVER_ERROR_STATUSES
    failures: frozenset[FailureKind] = TRANSIENT
    backoff: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 0.5
    retry_after_cap: float = 60.0
    budget: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Retry:
        return cls(
            attempts=max(1, settings.retries + 1),
            backoff=max(0.0, settings.retry_backoff),
            backoff_max=max(settings.retry_backoff, 30.0),
            retry_after_cap=max(0.0, settings.retry_after_cap),
            budget=max(0.0, settings.url_budget),
        )

    def retries_status(self, status: int) -> bool:
        return status in self.statuses

    def retries_failure(self, kind: FailureKind) -> bool:
        return kind in self.failures

    def backoff_for(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based), jitter included."""
        base = min(self.backoff_max, self.backoff * 2.0 ** max(0, attempt - 1))
        return base + base * self.jitter * self.rng.random()

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        """The wait before the next try: the server's wish (capped) wins over our own backoff."""
        if retry_after is not None:
            return min(max(0.0, retry_after), self.retry_after_cap)
        return self.backoff_for(attempt)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None when absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
