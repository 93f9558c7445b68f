"""The archive's circuit breaker: after a 429, no archive call at all for a while.

The Wayback Machine answers a client that keeps asking too fast with 429s and then blocks its
address for an hour or more. A 429 is the last warning, so every archive call stops for at
least :data:`QUIET` seconds (longer when Retry-After says so), and calls made meanwhile are
not queued behind the pause: they report at once that the archive was not consulted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from verifier._exceptions import ArchiveUnavailable

#: The shortest quiet after a 429, in seconds.
QUIET = 60.0
#: What a call refused by the breaker reports.
QUIET_REASON = "the archive asked for quiet"


class Breaker:
    """Open (no call goes out) from a 429 until its quiet has passed; ``clock`` is monotonic seconds."""

    def __init__(self, quiet: float = QUIET, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet = max(0.0, quiet)
        self._clock = clock
        self._open_until = float("-inf")
        self.trips = 0

    def remaining(self) -> float:
        """Seconds of quiet left (0 when calls may go out)."""
        return max(0.0, self._open_until - self._clock())

    def trip(self, retry_after: float | None = None) -> float:
        """The archive answered 429: hold every call for the quiet or ``retry_after``, the longer."""
        quiet = max(self.quiet, retry_after or 0.0)
        self._open_until = max(self._open_until, self._clock() + quiet)
        self.trips += 1
        return quiet

    def check(self) -> None:
        """Raise :class:`ArchiveUnavailable` (kind ``"quiet"``) while the breaker is open."""
        if self._open_until > self._clock():
            raise ArchiveUnavailable(QUIET_REASON, kind="quiet", status=429)
