"""Whether our own network works: the difference between "their server is gone" and "we are offline"."""

from __future__ import annotations

import asyncio
import time


class NetworkWatch:
    """Tells whether our own network works, by resolving well-known names.

    One lookup round at a time, shared by every check that asks, remembered for ``ttl``.
    """

    def __init__(self, canaries: tuple[str, ...], *, timeout: float, ttl: float = 30.0) -> None:
        self._canaries = canaries
        self._timeout = timeout
        self._ttl = ttl
        self._task: asyncio.Task[bool] | None = None
        self._checked_at = 0.0

    async def online(self) -> bool:
        if not self._canaries:
            return True
        stale = time.monotonic() - self._checked_at > self._ttl
        if self._task is None or (self._task.done() and stale):
            self._checked_at = time.monotonic()
            self._task = asyncio.ensure_future(self._look_up())
        return await asyncio.shield(self._task)

    async def _resolves(self, name: str) -> bool:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                await loop.getaddrinfo(name, 443)
        except (OSError, TimeoutError, UnicodeError):
            return False
        return True

    async def _look_up(self) -> bool:
        results = await asyncio.gather(*(self._resolves(name) for name in self._canaries))
        return any(results)

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
