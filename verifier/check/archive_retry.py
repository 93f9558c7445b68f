"""When to ask the archive again and how long to hold off first: a value object, no I/O.

No jitter: every archive request already goes through one shared limiter that spaces them,
so there is no herd of clients to spread out.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.check.retry import parse_retry_after
from verifier.config import Settings

#: Answers that mean "not now": asked again after a wait.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class ArchiveRetry:
    """``attempts`` counts every try, the first included.

    The wait after failed try ``n`` (1-based) is ``backoff * 2**(n-1)``, or the server's
    Retry-After when that is longer; a Retry-After beyond ``retry_after_cap`` ends the
    tries at once, since waiting that long for one lookup is worse than reporting it
    inconclusive. ``budget`` bounds the seconds spent waiting on the archive's answers
    across all tries of one call.
    """

    attempts: int = 4
    backoff: float = 1.0
    retry_after_cap: float = 60.0
    budget: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ArchiveRetry:
        return cls(
            attempts=max(1, settings.retries + 1),
            backoff=max(0.0, settings.retry_backoff),
            retry_after_cap=max(0.0, settings.retry_after_cap),
            budget=settings.archive_timeout,
        )

    def wait_after(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to hold off after failed try ``attempt``: our backoff or the server's wish."""
        backoff = self.backoff * 2.0 ** max(0, attempt - 1)
        return max(backoff, retry_after or 0.0)

    def too_long(self, retry_after: float | None) -> bool:
        return retry_after is not None and retry_after > self.retry_after_cap


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After header: delta-seconds (fractions accepted) or an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return parse_retry_after(value)
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None
