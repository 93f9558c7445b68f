"""When to ask again and how long to wait first: one value type, with a live and an archive policy.

The two policies differ on purpose. A cited server is one of many: waits carry jitter so
that hosts are not hit in step, and a Retry-After longer than the cap is cut to the cap (the
URL is then decided on what it answered). The archive is one shared service behind one
limiter: no jitter (the limiter already spaces requests), a wait is never shorter than the
server asked, and a Retry-After beyond the cap ends the tries at once, since waiting that long
for one lookup is worse than reporting it inconclusive.

A failure with no answer at all (a reset, a timeout) is asked again at most
``failure_attempts - 1`` times and soon (within ``failure_wait_cap``): a server that dropped one
request may take the next, but one that hangs will hang again, and every wait comes out of
the URL's budget.

Both policies are driven by tenacity; :meth:`Retry.tenacity` builds its stop and wait rules.
"""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tenacity import RetryCallState, stop_after_attempt
from tenacity.stop import stop_base

from verifier.check.http.kinds import TRANSIENT, FailureKind
from verifier.config import ArchiveSettings, RetrySettings

#: Statuses that say "not now" rather than "not here".
TRANSIENT_STATUSES = frozenset({429, 503})
#: Server errors worth a second look before calling them persistent.
SERVER_ERROR_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True, slots=True)
class Retry:
    """Retry policy for one URL or one archive call.

    ``attempts`` counts every try, the first included. Our own wait before try n+1 is
    ``backoff * 2**(n-1)`` (at most ``backoff_max``) plus up to ``jitter`` of itself at random.
    A server's Retry-After replaces it (``retry_after_floor`` False) or lifts it
    (``retry_after_floor`` True: the longer of the two), capped at ``retry_after_cap``; with
    ``give_up_over_cap`` a longer wish ends the tries instead. No try starts once ``budget``
    seconds have passed since the first. Failures without an answer (``failures``) are tried
    at most ``failure_attempts`` times in all (None: ``attempts``), and the wait after one is
    at most ``failure_wait_cap``.
    """

    attempts: int = 4
    statuses: frozenset[int] = TRANSIENT_STATUSES | SERVER_ERROR_STATUSES
    failures: frozenset[FailureKind] = TRANSIENT
    backoff: float = 1.0
    backoff_max: float = 30.0
    jitter: float = 0.5
    retry_after_cap: float = 60.0
    retry_after_floor: bool = False
    give_up_over_cap: bool = False
    budget: float = 45.0
    failure_attempts: int | None = None
    failure_wait_cap: float = math.inf
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def live(cls, settings: RetrySettings) -> Retry:
        """The policy for cited URLs."""
        return cls(
            attempts=max(1, settings.retries + 1),
            backoff=max(0.0, settings.retry_backoff),
            backoff_max=max(settings.retry_backoff, 30.0),
            retry_after_cap=max(0.0, settings.retry_after_cap),
            budget=max(0.0, settings.url_budget),
            failure_attempts=min(2, max(1, settings.retries + 1)),
            failure_wait_cap=1.0,
        )

    @classmethod
    def archive(cls, settings: RetrySettings, archive: ArchiveSettings) -> Retry:
        """The policy for the Wayback Machine's APIs."""
        return cls(
            attempts=max(1, settings.retries + 1),
            statuses=TRANSIENT_STATUSES | SERVER_ERROR_STATUSES,
            backoff=max(0.0, settings.retry_backoff),
            backoff_max=math.inf,
            jitter=0.0,
            retry_after_cap=max(0.0, settings.retry_after_cap),
            retry_after_floor=True,
            give_up_over_cap=True,
            budget=archive.archive_timeout,
        )

    def retries_status(self, status: int) -> bool:
        return status in self.statuses

    def retries_failure(self, kind: FailureKind, tries: int = 1) -> bool:
        """Whether a failure of ``kind`` after ``tries`` tries that ended so is worth another."""
        limit = self.attempts if self.failure_attempts is None else self.failure_attempts
        return kind in self.failures and tries < limit

    def backoff_for(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based), jitter included."""
        base = min(self.backoff_max, self.backoff * 2.0 ** max(0, attempt - 1))
        if not self.jitter:
            return base
        return base + base * self.jitter * self.rng.random()

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        """The wait before the next try, given what the server asked for (None: nothing)."""
        if retry_after is None:
            return self.backoff_for(attempt)
        wish = min(max(0.0, retry_after), self.retry_after_cap)
        return max(wish, self.backoff_for(attempt)) if self.retry_after_floor else wish

    def too_long(self, retry_after: float | None) -> bool:
        """Whether the server's wish ends the tries under this policy."""
        return self.give_up_over_cap and retry_after is not None and retry_after > self.retry_after_cap

    def tenacity(
        self,
        retry_after: Callable[[], float | None],
        remaining: Callable[[], float],
        failed: Callable[[], bool] = lambda: False,
    ) -> dict[str, Any]:
        """tenacity's ``stop`` and ``wait`` for this policy.

        ``retry_after`` gives the last answer's Retry-After, ``remaining`` the seconds left of
        the budget: a try whose wait would overrun it is not made. ``failed`` tells whether the
        last try ended without an answer, whose wait is at most ``failure_wait_cap``.
        """

        def wait(call: RetryCallState) -> float:
            if failed():
                return min(self.failure_wait_cap, self.backoff_for(call.attempt_number))
            return self.wait_for(call.attempt_number, retry_after())

        return {"stop": stop_after_attempt(self.attempts) | _OutOfTime(remaining), "wait": wait}


class _OutOfTime(stop_base):
    """Stop when the wait before the next try would overrun the budget."""

    def __init__(self, remaining: Callable[[], float]) -> None:
        self._remaining = remaining

    def __call__(self, call: RetryCallState) -> bool:
        return self._remaining() - (call.upcoming_sleep or 0.0) <= 0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds (fractions accepted) or an HTTP date.

    None when absent or unreadable; a date in the past is 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < math.inf else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
