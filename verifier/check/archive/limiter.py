"""One politeness gate shared by every call to a service: concurrency, spacing and pauses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class Paused(Exception):
    """The service asked for quiet for longer than the caller is willing to wait."""

    def __init__(self, remaining: float) -> None:
        super().__init__(f"paused for {remaining:.1f} s more")
        self.remaining = remaining


class RateLimiter:
    """At most ``concurrency`` callers inside at once; request starts ``60 / per_minute`` s apart.

    Spacing rather than a bursty token bucket: any two starts are at least one interval
    apart, so no window of any length ever sees more than its share (plus the one request
    that opens it). The first request goes at once. :meth:`pause` holds every caller,
    queued or to come, until the service's own wish (Retry-After) has passed.

    Each caller reserves its start time before it sleeps, so the schedule is decided in
    one step without a polling loop; ``clock`` is any monotonic source of seconds.

    ``shared_turn`` (the service's workers) is awaited once the caller's own start time has
    come, still holding its place: the rate several processes share is kept by all of them
    together, and this process's own limits still hold within it.
    """

    def __init__(
        self,
        per_minute: float,
        concurrency: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        shared_turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("the rate must be a positive number of requests a minute")
        if concurrency is not None and concurrency < 1:
            raise ValueError("the concurrency must be at least 1")
        self.interval = 60.0 / per_minute
        self._clock = clock
        self._semaphore = asyncio.Semaphore(concurrency) if concurrency is not None else None
        self._next_start = float("-inf")
        self._paused_until = float("-inf")
        self._shared_turn = shared_turn

    @asynccontextmanager
    async def turn(self, max_pause: float | None = None) -> AsyncIterator[None]:
        """Wait for a free place and the next start time; hold the place while inside.

        Raises :class:`Paused` instead of waiting out a pause longer than ``max_pause``.
        """
        if self._semaphore is None:
            await self._wait_for_start(max_pause)
            yield
            return
        async with self._semaphore:
            await self._wait_for_start(max_pause)
            yield

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when there is none)."""
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every start until ``seconds`` from now (never shortens an earlier pause)."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    async def _wait_for_start(self, max_pause: float | None) -> None:
        while True:
            now = self._clock()
            if max_pause is not None and self._paused_until - now > max_pause:
                raise Paused(self._paused_until - now)
            start = max(now, self._next_start, self._paused_until)
            self._next_start = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            # A pause that arrived while this caller slept moves it behind the pause; each
            # pause comes from an answer, so this repeats at most once per answer.
            if self._paused_until > start:
                continue
            if self._shared_turn is None:
                return
            await self._shared_turn()
            # Other workers may have held the turn long enough for a pause to arrive; the turn
            # taken is then spent unused, which only leaves the shared rate further below its cap.
            if self._paused_until <= self._clock():
                return
