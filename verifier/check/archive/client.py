"""The Wayback Machine client: the good snapshot nearest a date, its verification, Save Page Now.

Every request, whatever the endpoint, goes through one :class:`RateLimiter` per client (at
most ``archive_concurrency`` at once, starts ``60 / archive_rate`` seconds apart); Save Page
Now requests pass a second one spaced by ``save_rate``. A 429 trips the :class:`Breaker`:
no archive call goes out for at least a minute (or the Retry-After), and every call meanwhile,
the one that met the 429 included, raises :class:`ArchiveUnavailable` of kind ``"quiet"`` at
once instead of waiting. A 5xx is asked again after ``retry_backoff * 2**n`` seconds or the
Retry-After, whichever is longer, and holds every other archive request for that long too;
after ``retries`` more tries, or once the archive has taken ``archive_timeout`` seconds to
answer in all, the call raises :class:`ArchiveUnavailable`. Time spent queueing behind our
own limiter is not the archive's fault and is not counted.

The service's workers share the archive's limits through ``settings.shared_limits`` (see
:mod:`verifier.check.shared`): every request that passes the limiter also waits for its turn in
the rate all workers behind one address share, and a 429 met by any of them quiets them all.

Snapshots come from the CDX API (see :mod:`verifier.check.archive.cdx` for the queries and
:mod:`verifier.check.archive.choice` for the choice), one answer per URL however many dates
its citations give, or one answer for several URLs of a host (:meth:`ArchiveClient.snapshots_of`).
The availability API is asked only when the CDX API itself is broken (5xx after every retry,
or a reply it cannot have meant): not when the archive throttles us (another endpoint would
only add load) and not after a timeout (the time is spent). It names one capture, taken only
if it was a 200.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import quote, urlsplit

import httpx

from verifier._exceptions import ArchiveUnavailable
from verifier.check.archive.breaker import QUIET_REASON, Breaker
from verifier.check.archive.cdx import (
    LIST_FIELDS,
    LIST_ROWS,
    CDXReplyError,
    CDXRow,
    cdx_listing_url,
    cdx_query_url,
    is_blocked_reply,
    midday,
    parse_cdx_page,
    snapshot_url,
    surt,
    surt_host,
    wayback_timestamp,
)
from verifier.check.archive.choice import choose_nearest, settled_within
from verifier.check.archive.limiter import Paused, RateLimiter
from verifier.check.archive.replies import AvailabilityReplyError, parse_availability, saved_capture
from verifier.check.http.failures import failure_from_exception
from verifier.check.http.h11transport import H11Transport
from verifier.check.http.retry import Retry, parse_retry_after
from verifier.check.http.transport import parse_resolve, tls_context
from verifier.config import Settings, validate_settings
from verifier.model import Snapshot

__all__ = ["ArchiveClient", "ArchiveUnavailable", "Choices"]

#: Largest body read from the archive: a listing of LIST_ROWS rows of long URLs stays below it.
MAX_BODY_BYTES = 4 * 1_048_576

#: The good snapshot nearest each date (None: the newest), or None where there is none.
Choices = dict[dt.date | None, Snapshot | None]


def _day(when: dt.date | None) -> dt.date | None:
    return when.date() if isinstance(when, dt.datetime) else when


def _unique(dates: Sequence[dt.date | None]) -> list[dt.date | None]:
    return list(dict.fromkeys(_day(when) for when in dates)) or [None]


def _closest(when: dt.date | None) -> str:
    return wayback_timestamp(midday(when) if when is not None else dt.datetime.now(dt.UTC))


def listing_scope(urls: Sequence[str]) -> tuple[str, str]:
    """``(url, matchType)`` of the narrowest listing that holds every one of ``urls`` (one host):
    the directory their paths share, or the whole host."""
    folders = []
    for url in urls:
        path = (urlsplit(url if "://" in url else "http://" + url).path or "/").lower()
        folders.append(path[: path.rfind("/")].split("/"))
    shared: list[str] = []
    for names in zip(*folders, strict=False):
        if any(name != names[0] for name in names):
            break
        shared.append(names[0])
    host = surt_host(urls[0])
    if len(shared) <= 1:
        return host, "host"
    return host + "/".join(shared) + "/", "prefix"


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    headers: httpx.Headers
    text: str
    url: str


class _TryAgain(Exception):
    """One archive answer worth asking again about (429, 5xx, no answer)."""

    def __init__(self, problem: str, kind: str, status: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.kind = kind
        self.status = status


class ArchiveClient:
    """Use as ``async with ArchiveClient(settings) as archive: ...``; share one per run.

    ``clock`` (monotonic seconds) paces the limiters and the breaker; the default is
    :func:`time.monotonic`. ``wall`` (epoch seconds, default :func:`time.time`) reads and writes
    the quiet shared with other workers.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] | None = None,
        wall: Callable[[], float] | None = None,
    ) -> None:
        validate_settings(settings)
        self._settings = settings
        self._clock = clock or time.monotonic
        shared = settings.shared_limits
        # Every request passes this limiter (Save Page Now's as well), so its turns are the ones
        # counted against the rate the workers share.
        self._limiter = RateLimiter(
            settings.archive_rate,
            settings.archive_concurrency,
            clock=self._clock,
            shared_turn=shared.archive_turn if shared is not None else None,
        )
        self._save_limiter = RateLimiter(settings.save_rate, None, clock=self._clock)
        self._breaker = Breaker(clock=self._clock, shared=shared, wall=wall or time.time)
        self._retry = Retry.archive(settings.retry, settings.wayback)
        self._snapshot_host = settings.snapshot_host.rstrip("/")
        self._client: httpx.AsyncClient | None = None
        self._requests_made = 0

    @property
    def breaker(self) -> Breaker:
        return self._breaker

    @property
    def requests_made(self) -> int:
        """HTTP requests sent to the archive so far, retries included."""
        return self._requests_made

    async def __aenter__(self) -> ArchiveClient:
        timeout = self._settings.archive_timeout
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, self._settings.connect_timeout)),
            headers={"User-Agent": self._settings.user_agent},
            follow_redirects=False,
            transport=H11Transport(
                ssl_context=tls_context(self._settings),
                resolve=parse_resolve(self._settings.resolve),
                keepalive_per_origin=self._settings.archive_concurrency + 1,
            ),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def nearest_snapshot(self, url: str, when: dt.date | None) -> Snapshot | None:
        """The good snapshot nearest ``when`` (rule in archive_choice), or the newest without it.

        None when the archive holds no good capture of ``url`` (or excludes the site).
        The newest is asked for as the captures closest to now rather than with ``limit=-1``,
        which implies ``fastLatest``: that reads only the newest index block and can come back
        empty when the newest captures are filtered out.
        """
        return (await self.snapshots(url, [when]))[_day(when)]

    async def snapshots(self, url: str, dates: Sequence[dt.date | None]) -> Choices:
        """The good snapshot nearest each of ``dates`` (None: the newest), from one CDX answer.

        One date asks for the captures nearest it; several ask for every good capture of the
        URL and choose for each date here. Only when that listing reached its row limit is a
        date it cannot settle asked about on its own.
        """
        wanted = _unique(dates)
        try:
            if len(wanted) == 1:
                return {wanted[0]: await self._nearest_one(url, wanted[0])}
            rows, cut = await self._listing(url, "exact")
            return await self._choose_all(url, rows, wanted, cut)
        except ArchiveUnavailable as error:
            if error.kind not in ("server-error", "bad-reply"):
                raise
            return {when: await self._availability(url, _closest(when), error) for when in wanted}

    async def snapshots_of(
        self, wanted: Mapping[str, Sequence[dt.date | None]]
    ) -> dict[str, Choices | ArchiveUnavailable]:
        """:meth:`snapshots` for several URLs of one host, from one listing where it holds them.

        The listing covers the directory the URLs share, or their whole host. Its rows come
        in ``urlkey`` order, so when it reaches its row limit (a big host) the URLs whose key
        sorts before its last row are still complete; the others are asked about one at a time.
        What went wrong with one URL is given as its value, so the others still count.
        """
        urls = list(wanted)
        if len(urls) < 2:
            return {url: await self._settled(url, wanted[url]) for url in urls}
        scope, match_type = listing_scope(urls)
        try:
            rows, cut = await self._listing(scope, match_type)
        except ArchiveUnavailable as error:
            if error.kind not in ("server-error", "bad-reply"):
                return dict.fromkeys(urls, error)
            rows, cut = None, None
        found: dict[str, Choices | ArchiveUnavailable] = {}
        alone: list[str] = []
        if rows is not None:
            by_key: dict[str, list[CDXRow]] = {}
            for row in rows:
                for key in {row.urlkey, surt(row.original)}:
                    by_key.setdefault(key, []).append(row)
            for url in urls:
                key = surt(url)
                if cut is not None and key >= cut.urlkey:
                    alone.append(url)
                    continue
                own = by_key.get(key, [])
                found[url] = {when: self._chosen(own, when) for when in _unique(wanted[url])}
        else:
            alone = urls
        answers = await asyncio.gather(*(self._settled(url, wanted[url]) for url in alone))
        found.update(zip(alone, answers, strict=True))
        return {url: found[url] for url in urls}

    async def _settled(self, url: str, dates: Sequence[dt.date | None]) -> Choices | ArchiveUnavailable:
        try:
            return await self.snapshots(url, dates)
        except ArchiveUnavailable as error:
            return error

    async def _nearest_one(self, url: str, when: dt.date | None) -> Snapshot | None:
        address = cdx_query_url(self._settings.cdx_endpoint, url, _closest(when))
        rows, _ = await self._cdx(address)
        return self._chosen(rows, when)

    async def _choose_all(
        self, url: str, rows: list[CDXRow], wanted: list[dt.date | None], cut: CDXRow | None
    ) -> Choices:
        choices: Choices = {}
        for when in wanted:
            if cut is None or settled_within(rows, when, cut.captured_at.date()):
                choices[when] = self._chosen(rows, when)
            else:
                choices[when] = await self._nearest_one(url, when)
        return choices

    def _chosen(self, rows: list[CDXRow], when: dt.date | None) -> Snapshot | None:
        chosen = choose_nearest(rows, when)
        return chosen.snapshot(self._snapshot_host) if chosen is not None else None

    async def verify(self, snapshot: Snapshot) -> bool:
        """Whether one GET of the snapshot's ``id_`` form (the capture as archived) answers 200.

        Redirects are not followed: the archive redirects a capture that was itself a
        redirect, or a timestamp it does not hold, and neither is the capture chosen.
        """
        address = snapshot_url(self._snapshot_host, snapshot.timestamp, snapshot.original, "id_")
        reply = await self._request(address, "snapshot", read_body=False)
        return reply.status == 200

    async def save(self, url: str) -> Snapshot | None:
        """Ask Save Page Now to capture ``url``; the capture it names, or None when it names none."""
        address = f"{self._settings.save_endpoint.rstrip('/')}/{url}"
        reply = await self._request(address, "Save Page Now", read_body=False, save=True)
        if reply.status >= 400:
            return None
        capture = saved_capture(reply.headers, reply.url)
        if capture is None:
            return None
        timestamp, original = capture
        return Snapshot(
            url=snapshot_url(self._snapshot_host, timestamp, original),
            timestamp=timestamp,
            original=original,
        )

    async def _listing(self, url: str, match_type: str) -> tuple[list[CDXRow], CDXRow | None]:
        """Every good capture under ``url``, and the last row when the answer reached its limit."""
        address = cdx_listing_url(self._settings.cdx_endpoint, url, match_type=match_type, limit=LIST_ROWS)
        rows, sent = await self._cdx(address, LIST_FIELDS)
        return rows, (rows[-1] if sent >= LIST_ROWS and rows else None)

    async def _cdx(self, address: str, fields: tuple[str, ...] | None = None) -> tuple[list[CDXRow], int]:
        reply = await self._request(address, "CDX API")
        if reply.status == 403 and is_blocked_reply(reply.text):
            return [], 0
        if reply.status != 200:
            raise ArchiveUnavailable(
                f"the CDX API answered {reply.status}", kind="bad-reply", status=reply.status
            )
        try:
            return parse_cdx_page(reply.text, *(() if fields is None else (fields,)))
        except CDXReplyError as error:
            raise ArchiveUnavailable(str(error), kind="bad-reply", status=reply.status) from None

    async def _availability(self, url: str, closest: str, cause: ArchiveUnavailable) -> Snapshot | None:
        endpoint = self._settings.availability_endpoint
        address = f"{endpoint}?url={quote(url, safe='')}&timestamp={closest}"
        try:
            reply = await self._request(address, "availability API")
        except ArchiveUnavailable as error:
            raise ArchiveUnavailable(f"{cause}; {error}", kind=error.kind, status=error.status) from None
        if reply.status != 200:
            raise ArchiveUnavailable(
                f"{cause}; the availability API answered {reply.status}", kind=cause.kind, status=reply.status
            )
        try:
            answer = parse_availability(reply.text, url, self._snapshot_host)
        except AvailabilityReplyError as error:
            raise ArchiveUnavailable(f"{cause}; {error}", kind="bad-reply") from None
        if answer.bad_status is not None:
            # One capture that is not a 200 says nothing about the others the CDX API would list.
            raise ArchiveUnavailable(
                f"{cause}; the availability API names only a capture archived with status "
                f"{answer.bad_status}",
                kind=cause.kind,
            )
        return answer.snapshot

    async def _request(
        self, address: str, service: str, *, read_body: bool = True, save: bool = False
    ) -> _Reply:
        """GET ``address`` through the limiters, asking again on 429/5xx/no answer within budget."""
        from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

        limiters = (self._save_limiter, self._limiter) if save else (self._limiter,)
        policy = self._retry
        loop = asyncio.get_running_loop()
        spent = 0.0
        tries = 0
        last_retry_after: float | None = None

        async def attempt() -> _Reply:
            nonlocal spent, tries, last_retry_after
            tries += 1
            reply: _Reply | None = None
            problem = kind = ""
            self._breaker.check()
            async with AsyncExitStack() as stack:
                try:
                    for limiter in limiters:
                        await stack.enter_async_context(limiter.turn(max_pause=policy.retry_after_cap))
                except Paused as pause:
                    raise ArchiveUnavailable(
                        f"the archive asked for quiet and {pause.remaining:.1f} s of it remain",
                        kind="throttled",
                    ) from None
                # A 429 may have come while this call waited for its turn.
                self._breaker.check()
                started = loop.time()
                try:
                    async with asyncio.timeout(policy.budget - spent):
                        reply = await self._exchange(address, read_body)
                except (TimeoutError, httpx.TimeoutException):
                    problem, kind = f"gave no answer within {policy.budget:g} s", "timeout"
                except httpx.TransportError as error:
                    failure = failure_from_exception(error)
                    problem, kind = f"could not be reached ({failure.kind}: {failure.detail})", "network"
                spent += loop.time() - started
            if reply is not None and not policy.retries_status(reply.status):
                return reply
            retry_after = parse_retry_after(reply.headers.get("retry-after")) if reply is not None else None
            last_retry_after = retry_after
            status = reply.status if reply is not None else None
            if status == 429:
                # The last warning before the archive blocks us: nobody asks anything for a while.
                quiet = self._breaker.trip(retry_after)
                raise ArchiveUnavailable(
                    f"{QUIET_REASON} (the {service} answered 429; no archive call for {quiet:g} s)",
                    kind="quiet",
                    status=429,
                )
            if reply is not None:
                problem = f"answered {reply.status}"
                kind = "throttled" if reply.status == 429 else "server-error"
                # The archive limits the whole address, so every request holds off, not just this
                # one, for as long as it asked even when this call gives up.
                # Uncapped: a wish longer than the cap ends this call, and the rest still wait.
                wait = max(policy.backoff_for(tries), retry_after or 0.0)
                for limiter in limiters:
                    limiter.pause(wait)
            if policy.too_long(retry_after):
                raise ArchiveUnavailable(
                    f"the {service} {problem} and asked for {retry_after:g} s of quiet "
                    f"(more than retry-after-cap {policy.retry_after_cap:g} s)",
                    kind=kind,
                    status=status,
                )
            raise _TryAgain(problem, kind, status)

        def give_up(call: RetryCallState) -> _Reply:
            error = call.outcome.exception() if call.outcome else None
            assert isinstance(error, _TryAgain)
            tries = call.attempt_number
            raise ArchiveUnavailable(
                f"the {service} {error.problem} ({tries} {'try' if tries == 1 else 'tries'})",
                kind=error.kind,
                status=error.status,
            )

        attempts = AsyncRetrying(
            **policy.tenacity(lambda: last_retry_after, lambda: policy.budget - spent),
            retry=retry_if_exception_type(_TryAgain),
            retry_error_callback=give_up,
        )
        reply: _Reply = await attempts(attempt)
        return reply

    async def _exchange(self, address: str, read_body: bool) -> _Reply:
        client = self._client
        if client is None:
            raise RuntimeError("use the ArchiveClient inside 'async with'")
        self._requests_made += 1
        async with client.stream("GET", address) as response:
            body = b""
            if read_body:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BODY_BYTES:
                        break
                body = b"".join(chunks)[:MAX_BODY_BYTES]
            text = body.decode(response.encoding or "utf-8", errors="replace")
            return _Reply(response.status_code, response.headers, text, str(response.url))
