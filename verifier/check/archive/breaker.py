"""The archive's circuit breaker: after a 429, no archive call at all for a while.

The Wayback Machine answers a client that keeps asking too fast with 429s and then blocks its
address for an hour or more. A 429 is the last warning, so every archive call stops for at
least :data:`QUIET` seconds (longer when Retry-After says so), and calls made meanwhile are
not queued behind the pause: they report at once that the archive was not consulted.

The Wayback Machine blocks an address, not a process: with :class:`SharedLimits` (the
service's workers behind one address) a trip is announced to every worker, and each honours
the others' quiet as its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from verifier._exceptions import ArchiveUnavailable
from verifier.check.shared import SharedLimits, local_deadline

#: The shortest quiet after a 429, in seconds.
QUIET = 60.0
#: What a call refused by the breaker reports.
QUIET_REASON = "the archive asked for quiet"
#: Seconds between two reads of the shared quiet: every archive call checks the breaker, and a
#: read is a query to the store, while a quiet lasts a minute at least.
SHARED_READ_INTERVAL = 1.0


class Breaker:
    """Open (no call goes out) from a 429 until its quiet has passed; ``clock`` is monotonic seconds.

    With ``shared``, it is also open while the quiet another worker announced lasts, and a
    trip announces its own; ``wall`` is the epoch clock those announcements are written in.
    """

    def __init__(
        self,
        quiet: float = QUIET,
        *,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedLimits | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.quiet = max(0.0, quiet)
        self._clock = clock
        self._open_until = float("-inf")
        self._shared = shared
        self._wall = wall
        self._read_at = float("-inf")
        self.trips = 0

    def remaining(self) -> float:
        """Seconds of quiet left (0 when calls may go out)."""
        self._read_shared()
        return max(0.0, self._open_until - self._clock())

    def _read_shared(self) -> None:
        """Take in the quiet other workers announced, at most once every SHARED_READ_INTERVAL."""
        if self._shared is None:
            return
        now = self._clock()
        if now - self._read_at < SHARED_READ_INTERVAL:
            return
        self._read_at = now
        until = self._shared.archive_quiet_until()
        if until > 0:
            self._open_until = max(self._open_until, local_deadline(until, self._clock, self._wall))

    def trip(self, retry_after: float | None = None) -> float:
        """The archive answered 429: hold every call for the quiet or ``retry_after``, the longer."""
        quiet = max(self.quiet, retry_after or 0.0)
        self._open_until = max(self._open_until, self._clock() + quiet)
        self.trips += 1
        if self._shared is not None:
            self._shared.quiet_archive(self._wall() + quiet)
        return quiet

    def check(self) -> None:
        """Raise :class:`ArchiveUnavailable` (kind ``"quiet"``) while the breaker is open."""
        self._read_shared()
        if self._open_until > self._clock():
            raise ArchiveUnavailable(QUIET_REASON, kind="quiet", status=429)
