"""Politeness held across every worker process, on one machine or many: what they share.

Each process paces its own requests (:mod:`verifier.check.live.hosts`, the archive's
:class:`~verifier.check.archive.limiter.RateLimiter` and
:class:`~verifier.check.archive.breaker.Breaker`), but a host that asked one worker to slow
down, or an archive that answered one worker 429, must be spared by all of them. The service
hands the checker a :class:`SharedLimits` in ``Settings.shared_limits``; ``verifier check``
never does, and then nothing here is consulted.

Times are UTC epoch seconds (:func:`time.time`): monotonic clocks of different machines, or
even of two processes started at different times, cannot be compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class SharedLimits(Protocol):
    """Cool-downs, the archive's quiet and the archive's rate, as every worker sees them."""

    def host_cool_until(self, host: str) -> float:
        """When the host name's cool-down ends (epoch seconds; 0 when it has none)."""
        ...

    def cool_host(self, host: str, until: float) -> None:
        """No worker sends a request to ``host`` before ``until`` (never shortens a cool-down)."""
        ...

    def archive_quiet_until(self) -> float:
        """When the archive's quiet ends for this worker's address (epoch seconds; 0: none)."""
        ...

    def quiet_archive(self, until: float) -> None:
        """No archive call from this worker's address before ``until`` (never shortens it)."""
        ...

    async def archive_turn(self) -> None:
        """Wait until the archive's rate, shared by every worker behind this address, allows
        one more request; that request is then counted."""
        ...


def local_deadline(until: float, clock: Callable[[], float], wall: Callable[[], float] = time.time) -> float:
    """The epoch time ``until`` on ``clock``'s scale (a monotonic clock a pool or breaker uses).

    Converted through what is left of it now, so 0 (no deadline) lands in the past.
    """
    return clock() + (until - wall())
