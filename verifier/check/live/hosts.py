"""Politeness: one pool per host name (concurrency, spacing, backoff) under one global cap.

A pool counts every request to a host name whatever the scheme or port: http and https of
one host, or two ports of one machine, are one server to be polite to.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from verifier.check.shared import SharedLimits, local_deadline
from verifier.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str:
    """``host:port`` of a URL: what answers there (a soft-404 probe's host, its headers)."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _origin_key(url)
    # Only the scheme and the authority matter: worked out once per site, not once per URL.
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return _origin_key(f"{scheme}://{authority}")


def host_name(url: str) -> str:
    """The host name of a URL, lower case: the unit of politeness and of DNS answers."""
    return host_key(url).rsplit(":", 1)[0]


def origin_key(url: str) -> str:
    """``scheme://host:port`` of a URL: the unit of "nothing listens here"."""
    scheme = url.partition("://")[0].lower()
    return f"{scheme}://{host_key(url)}"


@functools.lru_cache(maxsize=4096)
def _origin_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = _DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    return f"{host}:{port}"


async def _wait_in(queue: deque[asyncio.Future[None]], give_back: Callable[[], None]) -> None:
    """Wait in ``queue`` until a release hands this waiter its turn.

    A turn handed over just as the wait is cancelled is passed on with ``give_back``, so
    no turn is ever lost; a waiter cancelled before its turn just leaves the queue.
    """
    turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    queue.append(turn)
    try:
        await turn
    except asyncio.CancelledError:
        if turn.done() and not turn.cancelled():
            give_back()
        elif turn in queue:  # a release may have dropped it already
            queue.remove(turn)
        raise


class _Turns:
    """A counting semaphore whose urgent waiters are served before the others."""

    __slots__ = ("_free", "_normal", "_urgent")

    def __init__(self, count: int) -> None:
        self._free = count
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool = False) -> None:
        if self._free > 0 and not self._urgent and not self._normal:
            self._free -= 1
            return
        await _wait_in(self._urgent if urgent else self._normal, self.release)

    def release(self) -> None:
        # A turn goes straight to the next waiter, so nobody can slip in ahead of the queue.
        for queue in (self._urgent, self._normal):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._free += 1


class BusiestFirst:
    """The global cap: a free slot goes to the waiting host with the most requests queued behind it.

    Handing slots out in arrival order gives every host the same share, so the hosts cited
    most (or whose links each take two requests) are the last to finish, and the end of the
    run waits on them with most slots idle. Serving the longest queue first keeps every slot
    busy until the end. Urgent requests (the soft-404 probe) go before all others.
    """

    __slots__ = ("_free", "_urgent", "_waiting")

    def __init__(self, count: int) -> None:
        self._free = max(1, count)
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._waiting: dict[HostPool, deque[asyncio.Future[None]]] = {}

    async def acquire(self, pool: HostPool, *, urgent: bool = False) -> None:
        if self._free > 0 and not self._urgent and not self._waiting:
            self._free -= 1
            return
        queue = self._urgent if urgent else self._waiting.setdefault(pool, deque())
        try:
            await _wait_in(queue, self.release)
        finally:
            if not queue and not urgent and self._waiting.get(pool) is queue:
                del self._waiting[pool]

    def release(self) -> None:
        while self._urgent:
            turn = self._urgent.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        while self._waiting:
            pool = max(self._waiting, key=_BACKLOG)
            queue = self._waiting[pool]
            turn = queue.popleft()
            if not queue:
                del self._waiting[pool]
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


_BACKLOG = operator.attrgetter("backlog")


class HostPool:
    """Limits one host: at most ``concurrency`` requests at once, starts ``interval`` apart.

    A 429 or 503 calls :meth:`back_off`, which pauses every request to the host (not just
    the one that was refused) and widens the penalty each time until the host answers well.

    With ``shared`` (the service's workers), the pool starts paused until the cool-down other
    workers announced for the host ``key`` names, and :meth:`back_off` announces its own pause
    to them; ``wall`` is the epoch clock those announcements are written in.
    """

    def __init__(
        self,
        key: str,
        concurrency: int,
        interval: float,
        *,
        penalty_base: float = 1.0,
        penalty_cap: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedLimits | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self.concurrency = max(1, concurrency)
        self.interval = max(0.0, interval)
        self._turns = _Turns(self.concurrency)
        self._clock = clock
        self._next_start = 0.0
        self._last_start = -1e18
        self._paused_until = 0.0
        self._penalty = 0.0
        self._penalty_base = max(0.0, penalty_base)
        self._penalty_cap = max(self._penalty_base, penalty_cap)
        self.in_flight = 0
        self.max_in_flight = 0
        self.started = 0
        #: Requests waiting for a turn on this host: the global cap serves the longest queue first.
        self.backlog = 0
        self._shared = shared
        self._wall = wall
        if shared is not None:
            self._paused_until = max(0.0, local_deadline(shared.host_cool_until(key), clock, wall))

    @property
    def penalty(self) -> float:
        return self._penalty

    def _reserve_start(self) -> float:
        """Book the next start time and return how long to wait for it."""
        now = self._clock()
        start = max(now, self._next_start, self._paused_until)
        self._next_start = start + self.interval
        return start - now

    def _still_to_wait(self) -> float:
        now = self._clock()
        return max(0.0, self._last_start + self.interval - now, self._paused_until - now)

    async def acquire(self, gate: BusiestFirst | None = None, *, urgent: bool = False) -> None:
        """Wait for this host's turn, then for ``gate`` (the global cap); :meth:`release` after.

        ``urgent`` requests go before every request queued for the host: the soft-404 probe,
        which every check of the host that answered 2xx waits for. Plain calls rather than
        nested context managers: this runs for every request.
        """
        self.backlog += 1
        try:
            await self._turns.acquire(urgent=urgent)
        finally:
            self.backlog -= 1
        try:
            # Booking spreads the waiters out without holding a global slot while they sleep.
            delay = self._reserve_start()
            if delay > 0:
                await asyncio.sleep(delay)
            while True:
                if gate is not None:
                    await gate.acquire(self, urgent=urgent)
                # The wait for the gate may have shifted our turn (a pause announced meanwhile):
                # the slot goes back while this host waits, so other hosts can use it.
                delay = self._still_to_wait()
                if delay <= 0:
                    break
                if gate is not None:
                    gate.release()
                while delay > 0:
                    await asyncio.sleep(delay)
                    delay = self._still_to_wait()
        except BaseException:
            self._turns.release()
            raise
        self._last_start = self._clock()
        self.in_flight += 1
        self.started += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def release(self, gate: BusiestFirst | None = None) -> None:
        """End a request started with :meth:`acquire` (the same ``gate``)."""
        self.in_flight -= 1
        if gate is not None:
            gate.release()
        self._turns.release()

    @asynccontextmanager
    async def slot(self, gate: BusiestFirst | None = None) -> AsyncIterator[None]:
        """Wait for this host's turn, then for ``gate`` (the global cap), then run."""
        await self.acquire(gate)
        try:
            yield
        finally:
            self.release(gate)

    def back_off(self, retry_after: float | None = None) -> float:
        """The host said "slow down": pause it; returns the pause in seconds."""
        self._penalty = min(self._penalty_cap, max(self._penalty_base, self._penalty * 2))
        pause = self._penalty if retry_after is None else min(self._penalty_cap, max(0.0, retry_after))
        self._paused_until = max(self._paused_until, self._clock() + pause)
        if self._shared is not None:
            self._shared.cool_host(self.key, self._wall() + pause)
        return pause

    def recovered(self) -> None:
        """The host answered normally: let the penalty fade."""
        if self._penalty:
            self._penalty = self._penalty / 2 if self._penalty / 2 >= self._penalty_base else 0.0


class HostPools:
    """Every host name's pool plus the global cap; ``slot(url)`` is the one way in."""

    def __init__(self, settings: Settings, *, penalty_base: float | None = None) -> None:
        self._settings = settings
        self._global = BusiestFirst(settings.max_concurrency)
        self._pools: dict[str, HostPool] = {}
        self._penalty_base = settings.retry_backoff if penalty_base is None else penalty_base
        self.in_flight = 0
        self.max_in_flight = 0

    def pool(self, url: str, *, key: str | None = None) -> HostPool:
        """The pool of ``url``'s host name; ``key`` is its :func:`host_key` when the caller has it."""
        key = host_key(url) if key is None else key
        name = key.rsplit(":", 1)[0]
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = self._new_pool(name, key)
        return pool

    def _new_pool(self, name: str, key: str) -> HostPool:
        # Per-host settings name the host; "host:port" (handy for local servers) is read too,
        # for the port the host was first asked on, and then covers the host's every port.
        setting = name if name in self._settings.hosts or key not in self._settings.hosts else key
        return HostPool(
            name,
            self._settings.host_concurrency_for(setting),
            self._settings.host_interval_for(setting),
            penalty_base=self._penalty_base,
            penalty_cap=self._settings.retry_after_cap,
            shared=self._settings.shared_limits,
        )

    @property
    def pools(self) -> dict[str, HostPool]:
        return dict(self._pools)

    async def acquire(self, url: str, *, key: str | None = None, urgent: bool = False) -> HostPool:
        """Wait for a turn on ``url``'s host and under the global cap; :meth:`release` the pool after."""
        pool = self.pool(url, key=key)
        # Host first: a request queued behind a busy host must not hold a global slot.
        await pool.acquire(self._global, urgent=urgent)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return pool

    def release(self, pool: HostPool) -> None:
        self.in_flight -= 1
        pool.release(self._global)

    @asynccontextmanager
    async def slot(self, url: str, *, key: str | None = None) -> AsyncIterator[HostPool]:
        pool = await self.acquire(url, key=key)
        try:
            yield pool
        finally:
            self.release(pool)
