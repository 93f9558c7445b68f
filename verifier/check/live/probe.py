"""The live probe: asks a URL's server, politely, what became of it.

One shared httpx client over the probe's own HTTP/1.1 transport (:mod:`.h11transport`, a
few kept-alive connections per host); redirects are followed by hand so the whole chain is
seen. HEAD first; GET when HEAD is refused or suspicious (405, 501, any 4xx or 5xx but 429,
no content type), and GET too when the host answers a made-up sibling address with 2xx, so
the page can be compared with that answer. A link whose citation gives a title is asked
with GET from the first try: the page's own title is in its body (content drift), and a GET
costs no more requests than the HEAD it replaces. A 2xx HTML answer to HEAD on a host that
answers made-up addresses with a real 404 is trusted without a GET: such hosts rarely serve
"not found" pages with 200, and a second request per link would double the cost of every check.
Bodies are read as a stream and decompressed here, with limits on both the raw and the
decoded size. Every request runs inside a total deadline, and every URL inside its budget
(``url_budget``): connecting, TLS, redirects, bodies, the soft-404 comparison and retry waits
all come out of it. 429 and 5xx are retried up to ``retries`` times; a reset or a timeout once,
soon. A host found refusing connections, timing out on connect, not resolving or accepting a
request and sending nothing back within the request deadline is not asked again in the run
(:mod:`.unreachable`). The verdict itself comes from
:mod:`verifier.check.live.classify`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import ssl
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from tenacity import AsyncRetrying, retry_if_result

from verifier.check.drift import og_title
from verifier.check.http.failures import NEEDS_NETWORK_CHECK, Failure, FailureKind, failure_from_exception
from verifier.check.http.h11transport import HEARD, AddressNotAllowed, H11Transport
from verifier.check.http.retry import Retry, parse_retry_after
from verifier.check.http.transport import parse_resolve, tls_context
from verifier.check.live.body import decode_body, drain, is_textual, read_body
from verifier.check.live.classify import ProbeFacts, bot_wall, classify
from verifier.check.live.hosts import HostPools, host_key, origin_key
from verifier.check.live.network import NetworkWatch
from verifier.check.live.soft404 import (
    Fingerprint,
    HostProbes,
    fingerprint,
    host_soft404s,
    matches_probe,
    title_and_heading,
)
from verifier.check.live.unreachable import REMEMBERED, Unreachable
from verifier.check.live.verdict import LiveVerdict
from verifier.config import Settings
from verifier.model import Outcome

_log = logging.getLogger("verifier.check")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_KEPT_HEADERS = frozenset(
    {"server", "cf-mitigated", "retry-after", "content-type", "content-encoding", "location", "set-cookie"}
)
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True, slots=True)
class _Answer:
    """One HTTP response, reduced to what judgement needs."""

    url: str
    status: int
    headers: dict[str, str]
    location: str | None
    markup: str = ""
    body_read: bool = False


class _Budget:
    """Time one URL may take, counted from its first request (not from the wait for a slot).

    ``owner`` is the URL being checked: what this check itself found out about a host does
    not stop its own retry. ``remembered`` is set when a request got a failure found out by
    another check: asking again would only meet it again; ``trickled`` when the server was
    still sending its headers at the deadline, which a retry would only wait out again (a
    silent server is asked again: it may have dropped one request). ``probe`` marks the soft-404 probe's
    made-up address, whose silence says nothing about the host's real pages.
    """

    __slots__ = ("_seconds", "_started", "owner", "probe", "remembered", "trickled")

    def __init__(self, seconds: float, owner: str, *, probe: bool = False) -> None:
        self._seconds = seconds
        self._started: float | None = None
        self.owner = owner
        self.probe = probe
        self.remembered = False
        #: The server trickled its headers past a whole deadline: asking again only waits again.
        self.trickled = False

    @property
    def started(self) -> bool:
        return self._started is not None

    def begin(self) -> None:
        if self._started is None:
            self._started = time.monotonic()

    def remaining(self) -> float:
        if self._started is None:
            return self._seconds
        return self._seconds - (time.monotonic() - self._started)


@dataclass(slots=True)
class _UrlState:
    """What one check carries from one try to the next."""

    budget: _Budget
    use_get: bool = False
    #: GET from the first try: the citation gives a title, and only a body shows the page's.
    for_title: bool = False
    retry_after: float | None = None
    #: Tries that ended with no answer (a reset, a timeout), and whether the last one did.
    failed_tries: int = 0
    failed: bool = False


def _kept_headers(response: httpx.Response) -> dict[str, str]:
    """The headers judgement uses, by lower-case name; repeats joined as HTTP allows.

    One pass over the raw list: looking each name up in httpx's Headers scans it every time.
    """
    kept: dict[str, str] = {}
    for raw_name, raw_value in response.headers.raw:
        name = raw_name.decode("latin-1").lower()
        if name in _KEPT_HEADERS:
            value = raw_value.decode("latin-1")
            kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept


class _Jar:
    """The cookies of one redirect chain, made only once a server sets one (most never do)."""

    __slots__ = ("cookies",)

    def __init__(self) -> None:
        self.cookies: httpx.Cookies | None = None

    def take(self, response: httpx.Response) -> None:
        if self.cookies is None:
            self.cookies = httpx.Cookies()
        self.cookies.extract_cookies(response)

    def signature(self) -> str:
        """The cookies as one string, to tell a redirect loop from a cookie handshake."""
        if not self.cookies:
            return ""
        return "; ".join(f"{k}={v}" for k, v in sorted(self.cookies.items()))


# The checker ------------------------------------------------------------------------------------


class LiveChecker:
    """Checks URLs live. ``check`` is safe to run concurrently; it never raises for network trouble."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._retry = Retry.live(settings.retry)
        self._pools = HostPools(settings)
        self._probes = HostProbes(self._probe_fingerprint)
        self._network = NetworkWatch(settings.network_canaries, timeout=max(1.0, settings.connect_timeout))
        self._client: httpx.AsyncClient | None = None
        self._transport: H11Transport | None = None
        self._requests = 0
        self._title_requests = 0
        self._host_headers: dict[str, httpx.Headers] = {}
        self._timeouts: dict[str, float | None] | None = None
        self._parsed: dict[str, httpx.URL] = {}
        self._unreachable = Unreachable()

    @property
    def requests_made(self) -> int:
        return self._requests

    @property
    def title_requests(self) -> int:
        """Of ``requests_made``, the GETs made in place of a HEAD to read a cited page's title."""
        return self._title_requests

    @property
    def pools(self) -> HostPools:
        return self._pools

    async def __aenter__(self) -> LiveChecker:
        self._client = self._make_client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._probes.aclose()
        await self._network.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _make_client(self) -> httpx.AsyncClient:
        settings = self._settings
        policy = None
        if settings.address_guard:  # only the service guards addresses; `verifier check` never does
            from verifier.service.netguard import address_policy

            guard = address_policy(settings)
            policy = guard.allows if guard is not None else None
        # One context for every host: loading the trust store is the slow part of TLS setup.
        self._transport = H11Transport(
            address_policy=policy,
            ssl_context=tls_context(settings),
            resolve=parse_resolve(settings.resolve),
            keepalive_per_origin=max(
                [settings.host_concurrency, *(h.concurrency or 1 for h in settings.hosts.values())]
            ),
            max_idle_origins=max(32, 4 * settings.max_concurrency),
        )
        # Only the connect timeout goes down to the socket: every request already runs inside
        # its own total deadline (see _request), so a timer per read would only repeat it.
        timeout = httpx.Timeout(connect=settings.connect_timeout, read=None, write=None, pool=None)
        # Cookies live per check (see _follow), never in the shared client.
        refuse_all = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        return httpx.AsyncClient(
            timeout=timeout,
            transport=self._transport,
            follow_redirects=False,
            cookies=refuse_all,
            headers={
                "User-Agent": settings.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    # Public entry ------------------------------------------------------------------------------

    async def check(self, url: str, *, title: bool = False) -> LiveVerdict:
        """The live verdict on ``url``; with ``title``, what the page calls itself too."""
        if self._client is None:
            raise RuntimeError("LiveChecker.check() needs 'async with LiveChecker(settings)'")
        try:
            return await self._check(url, title)
        except Exception as error:  # a bug must not sink a run of thousands of URLs
            failure = failure_from_exception(error)
            return LiveVerdict(
                url=url,
                outcome=Outcome.UNKNOWN,
                reason=f"the check failed unexpectedly: {failure.detail}",
                failure=failure.kind,
            )
        finally:
            self._parsed.pop(url, None)

    def _url(self, text: str) -> httpx.URL:
        """``text`` parsed: from the addresses of the checks in flight, which are parsed only once."""
        parsed = self._parsed.get(text)
        return httpx.URL(text) if parsed is None else parsed

    async def _check(self, url: str, title: bool = False) -> LiveVerdict:
        try:
            scheme = ""
            if url:
                # Kept while the check lasts: its HEAD, GET and redirects all start from it.
                parsed = self._parsed[url] = self._url(url)
                scheme = parsed.scheme
        except (httpx.InvalidURL, ValueError) as error:
            facts = ProbeFacts(
                url=url, failure=FailureKind.INVALID_URL, failure_detail=f"this is not a valid URL ({error})"
            )
            verdict = classify(facts)
            return LiveVerdict(
                url=url, outcome=verdict.outcome, reason=verdict.reason, failure=FailureKind.INVALID_URL
            )
        if scheme not in ("http", "https"):
            reason = f"not a web address ({scheme or url!r})"
            return LiveVerdict(url=url, outcome=Outcome.SKIPPED, reason=reason)
        state = _UrlState(budget=_Budget(self._retry.budget, url), use_get=title, for_title=title)
        facts = await self._with_retries(url, state)
        verdict = classify(facts, self._settings.accept)
        page_titles: tuple[str, ...] = ()
        if title and facts.markup and facts.status is not None and 200 <= facts.status < 300:
            found = (facts.title, og_title(facts.markup), facts.heading)
            page_titles = tuple(text for text in found if text)
        return LiveVerdict(
            url=url,
            outcome=verdict.outcome,
            reason=verdict.reason,
            http_status=facts.status,
            final_url=facts.final_url,
            redirects=facts.redirects,
            failure=facts.failure,
            network_down=verdict.network_down,
            attempts=facts.attempts,
            page_titles=page_titles,
        )

    # Retries -------------------------------------------------------------------------------------

    def _worth_retrying(self, facts: ProbeFacts, state: _UrlState) -> bool:
        if facts.network_down:
            return False  # no use asking again while we are offline
        if facts.failure is not None:
            if state.budget.remembered or state.budget.trickled:
                return False
            return self._retry.retries_failure(facts.failure, state.failed_tries)
        status = facts.status
        if status is None or status in self._settings.accept:
            return False
        return self._retry.retries_status(status) and bot_wall(facts) is None

    async def _with_retries(self, url: str, state: _UrlState) -> ProbeFacts:
        retry = self._retry
        attempts = 0

        first: ProbeFacts | None = None

        async def attempt() -> ProbeFacts:
            nonlocal attempts, first
            if first is not None:
                facts, first = first, None
                return facts
            attempts += 1
            facts = await self._attempt(url, state)
            failure = facts.failure
            if _log.isEnabledFor(logging.DEBUG):
                answer = facts.status if facts.status is not None else (failure or "no answer")
                _log.debug("%s: attempt %d: %s", url, attempts, answer)
            if failure in NEEDS_NETWORK_CHECK:
                # A name that does not resolve looks the same whether it is gone or we are offline.
                facts = dataclasses.replace(facts, network_down=not await self._network.online())
            if facts.network_down:
                # Our own network failed, not the host's name: nothing to remember about it.
                self._unreachable.forget(facts.final_url or url)
            state.failed = failure is not None and failure in self._retry.failures
            state.failed_tries += state.failed
            return facts

        # Most URLs answer well the first time: they skip the retry machinery, whose setup
        # costs as much as the request itself. The first answer is handed to tenacity as its
        # own first try, so waits and stops count exactly as if it had made that try.
        first = await attempt()
        if retry.attempts <= 1 or not self._worth_retrying(first, state):
            return first if first.attempts == attempts else dataclasses.replace(first, attempts=attempts)
        retrying = AsyncRetrying(
            **retry.tenacity(lambda: state.retry_after, state.budget.remaining, lambda: state.failed),
            retry=retry_if_result(lambda facts: self._worth_retrying(facts, state)),
            retry_error_callback=lambda call: call.outcome.result() if call.outcome else None,
            before_sleep=lambda call: _log.debug(
                "%s: waiting %.1f s before attempt %d%s",
                url,
                call.upcoming_sleep,
                call.attempt_number + 1,
                " (Retry-After)" if state.retry_after is not None else "",
            ),
            reraise=True,
        )
        facts: ProbeFacts = await retrying(attempt)
        return dataclasses.replace(facts, attempts=attempts)

    # One try -------------------------------------------------------------------------------------

    async def _attempt(self, url: str, state: _UrlState) -> ProbeFacts:
        deadline = state.budget
        if not state.use_get:
            facts = await self._follow(url, "HEAD", deadline)
            if self._head_suffices(facts):
                facts = await self._compare_with_nonsense(url, facts, deadline, have_body=False)
                state.retry_after = parse_retry_after(facts.headers.get("retry-after"))
                return facts
            state.use_get = True
        facts = await self._follow(url, "GET", deadline, for_title=state.for_title)
        facts = await self._compare_with_nonsense(url, facts, deadline, have_body=True)
        state.retry_after = parse_retry_after(facts.headers.get("retry-after"))
        return facts

    @staticmethod
    def _head_suffices(facts: ProbeFacts) -> bool:
        """Whether a GET could tell us more than this HEAD did."""
        failure = facts.failure
        if failure is not None:
            # A server that chokes on HEAD may still serve GET; DNS, refusals and TLS won't change.
            return failure not in (FailureKind.RESET, FailureKind.PROTOCOL)
        status = facts.status or 0
        if status == 429:
            return True  # asked to slow down: wait, don't ask again at once
        if status >= 400:
            return False
        return bool(facts.content_type)

    async def _compare_with_nonsense(
        self, url: str, facts: ProbeFacts, deadline: _Budget, *, have_body: bool
    ) -> ProbeFacts:
        """The Bar-Yossef test for a page that answered 2xx on a host that answers nonsense with 2xx."""
        settings = self._settings
        status = facts.status
        if not settings.soft404_probe or status is None or not 200 <= status < 300:
            return facts
        if not is_textual(facts.content_type or ""):
            return facts
        parsed = self._url(url)
        if parsed.path in ("", "/") and not parsed.query:
            return facts  # a home page is what made-up addresses often land on: nothing to learn
        try:
            # The probe is shared and shielded: giving up on it here leaves it to the others.
            async with asyncio.timeout(max(0.0, deadline.remaining())):
                probe = await self._probes.for_host(origin_key(url), url)
        except TimeoutError:
            return facts
        if not host_soft404s(probe):
            return facts
        page = facts
        if not have_body:
            page = await self._follow(url, "GET", deadline)
            if page.failure is not None or page.status is None or not 200 <= page.status < 300:
                return page
        mine = fingerprint(
            status=page.status, url=url, final_url=page.final_url, title=page.title, markup=page.markup
        )
        why = matches_probe(probe, mine)
        return dataclasses.replace(page, soft404=why) if why else page

    async def _probe_fingerprint(self, nonsense_url: str) -> Fingerprint | None:
        # Urgent: every check of this host that answered 2xx waits for it, so it must not queue
        # behind them, or no verdict on the host is known before all its pages were asked.
        budget = _Budget(self._settings.timeout * 2, nonsense_url, probe=True)
        facts = await self._follow(nonsense_url, "GET", budget, urgent=True)
        if facts.failure is not None:
            return None
        return fingerprint(
            status=facts.status,
            url=nonsense_url,
            final_url=facts.final_url,
            title=facts.title,
            markup=facts.markup,
        )

    # Redirect chains ----------------------------------------------------------------------------

    async def _follow(
        self, url: str, method: str, deadline: _Budget, *, urgent: bool = False, for_title: bool = False
    ) -> ProbeFacts:
        """Request ``url`` and follow its redirects by hand, recording every hop."""
        jar = _Jar()
        chain: list[str] = []
        current = url
        try:
            current_url = self._url(url)
        except (httpx.InvalidURL, ValueError) as error:
            return ProbeFacts(
                url=url, failure=FailureKind.INVALID_URL, failure_detail=f"this is not a valid URL ({error})"
            )
        seen = {(current, "")}
        for _ in range(self._settings.max_redirects + 1):
            answer = await self._request(
                method, current, current_url, jar, deadline, urgent=urgent, for_title=for_title
            )
            if isinstance(answer, Failure):
                return ProbeFacts(
                    url=url,
                    final_url=current,
                    redirects=tuple(chain),
                    failure=answer.kind,
                    failure_detail=answer.detail,
                )
            if answer.status in REDIRECT_STATUSES and answer.location:
                try:
                    joined = current_url.join(answer.location)
                    target = str(joined)
                except (httpx.InvalidURL, ValueError) as error:
                    return ProbeFacts(
                        url=url,
                        status=answer.status,
                        final_url=current,
                        redirects=tuple(chain),
                        failure=FailureKind.INVALID_URL,
                        failure_detail=f"it redirects to an address that is not valid ({error})",
                    )
                chain.append(target)
                cookies = jar.signature()
                if (target, cookies) in seen:
                    return ProbeFacts(
                        url=url,
                        status=answer.status,
                        final_url=target,
                        redirects=tuple(chain),
                        failure=FailureKind.REDIRECT_LOOP,
                        failure_detail=" → ".join([url, *chain]),
                    )
                seen.add((target, cookies))
                if joined.scheme not in ("http", "https"):
                    break
                current = target
                current_url = joined
                continue
            content_type = answer.headers.get("content-type")
            title, heading = title_and_heading(answer.markup) if answer.markup else (None, None)
            return ProbeFacts(
                url=url,
                status=answer.status,
                final_url=current,
                redirects=tuple(chain),
                content_type=content_type,
                title=title,
                heading=heading,
                markup=answer.markup,
                headers=answer.headers,
            )
        if chain and self._url(chain[-1]).scheme not in ("http", "https"):
            return ProbeFacts(
                url=url,
                final_url=chain[-1],
                redirects=tuple(chain),
                failure=FailureKind.INVALID_URL,
                failure_detail=f"it redirects to something that is not a web address ({chain[-1]})",
            )
        return ProbeFacts(
            url=url,
            final_url=current,
            redirects=tuple(chain),
            failure=FailureKind.TOO_MANY_REDIRECTS,
            failure_detail=f"more than {self._settings.max_redirects} in a row, last to {chain[-1]}",
        )

    # One request ----------------------------------------------------------------------------------

    def _headers_for(self, client: httpx.AsyncClient, key: str) -> httpx.Headers:
        """Every header a request to the host ``key`` (``host:port``) carries, worked out once per host."""
        headers = self._host_headers.get(key)
        if headers is None:
            hosts = self._settings.hosts
            name = key if key in hosts else key.rsplit(":", 1)[0]
            headers = httpx.Headers(client.headers)
            headers.update(self._settings.headers_for(name))
            headers = self._host_headers[key] = headers
        return headers

    def _build_request(
        self, client: httpx.AsyncClient, method: str, url: httpx.URL, key: str, jar: _Jar
    ) -> httpx.Request:
        """The request the client would build, without merging its defaults into every one anew."""
        timeouts = self._timeouts
        if timeouts is None:
            timeouts = self._timeouts = client.timeout.as_dict()
        request = httpx.Request(
            method, url, headers=self._headers_for(client, key), extensions={"timeout": timeouts}
        )
        if jar.cookies:
            jar.cookies.set_cookie_header(request)
        return request

    async def _request(
        self,
        method: str,
        url: str,
        parsed: httpx.URL,
        jar: _Jar,
        deadline: _Budget,
        *,
        urgent: bool = False,
        for_title: bool = False,
    ) -> _Answer | Failure:
        assert self._client is not None
        client = self._client
        settings = self._settings
        key = host_key(url)
        unreachable = self._unreachable
        if unreachable:
            known = unreachable.known(url, deadline.owner)
            if known is not None:
                deadline.remembered = True
                return known
        if deadline.started:
            # A redirect, the GET after a HEAD or a retry: the wait for the host is the URL's time.
            try:
                async with asyncio.timeout(max(0.0, deadline.remaining())):
                    pool = await self._pools.acquire(url, key=key, urgent=urgent)
            except TimeoutError:
                return Failure(FailureKind.TIMEOUT, "the time allowed for this URL ran out")
        else:
            pool = await self._pools.acquire(url, key=key, urgent=urgent)
        try:
            if unreachable:
                # Found out by another check while this one waited for its turn.
                known = unreachable.known(url, deadline.owner)
                if known is not None:
                    deadline.remembered = True
                    return known
            # The URL's first request has its whole deadline; a later one may have only what is left.
            whole = not deadline.started
            deadline.begin()
            limit = min(settings.timeout, deadline.remaining())
            if limit <= 0:
                return Failure(FailureKind.TIMEOUT, "the time allowed for this URL ran out")
            self._requests += 1
            self._title_requests += for_title
            sent = time.monotonic()
            headers_in = False
            try:
                request = self._build_request(client, method, parsed, key, jar)
                async with asyncio.timeout(limit):
                    response = await self._send(client, request)
                    headers_in = True
                    try:
                        headers = _kept_headers(response)
                        if "set-cookie" in headers:
                            jar.take(response)
                        answer = await self._answer(method, url, response, headers)
                    finally:
                        await response.aclose()
            except TimeoutError:
                if request.extensions.get(HEARD) is False:
                    # Sent, and not one byte back: silence, not a slow answer.
                    detail = f"the server accepted the request and sent nothing back within {limit:.3g} s"
                    if not deadline.probe and (whole or limit >= settings.timeout):
                        unreachable.silent(url, detail, deadline.owner, since=sent)
                    return Failure(FailureKind.TIMEOUT, detail)
                if not headers_in:
                    # Its status line and headers, a few hundred bytes any server sends at once,
                    # still incomplete after a whole deadline: it trickles, and will for every URL.
                    detail = f"the server began to answer and had not sent its headers within {limit:.3g} s"
                    deadline.trickled = True
                    if not deadline.probe and (whole or limit >= settings.timeout):
                        unreachable.silent(url, detail, deadline.owner, since=sent)
                    return Failure(FailureKind.TIMEOUT, detail)
                return Failure(FailureKind.TIMEOUT, f"no complete answer within {limit:.3g} s")
            except AddressNotAllowed as error:
                # Not the host's failure: never counted towards "dead", never retried.
                return Failure(FailureKind.OTHER, str(error))
            except (httpx.HTTPError, httpx.InvalidURL, OSError, ssl.SSLError, ValueError) as error:
                failure = failure_from_exception(error)
                if failure.kind in REMEMBERED:
                    # Learnt before the host's turn passes on, so the next in line is spared.
                    unreachable.learn(url, failure.kind, failure.detail, deadline.owner)
                return failure
            unreachable.answered(url)
            if answer.status in (429, 503):
                pool.back_off(parse_retry_after(answer.headers.get("retry-after")))
            elif answer.status < 500:
                pool.recovered()
            return answer
        finally:
            self._pools.release(pool)

    async def _send(self, client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
        """Send one request, its body left unread.

        Straight to the transport when it is ours: the client's own send would add auth,
        redirect and cookie handling that is switched off here, and cost a third of a request.
        """
        transport = self._transport
        if transport is None:
            return await client.send(request, stream=True)
        response = await transport.handle_async_request(request)
        response.request = request
        return response

    async def _answer(
        self, method: str, url: str, response: httpx.Response, headers: dict[str, str]
    ) -> _Answer:
        status = response.status_code
        location = headers.pop("location", None)
        headers.pop("set-cookie", None)
        content_type = headers.get("content-type", "")
        if method != "GET" or (status in REDIRECT_STATUSES and location) or not is_textual(content_type):
            await drain(response)
            return _Answer(url=url, status=status, headers=headers, location=location)
        try:
            body = await read_body(response, self._settings.max_body_bytes)
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # The status line arrived; a body cut short still leaves a usable answer.
            body = None
        markup = decode_body(body, content_type) if body else ""
        return _Answer(
            url=url, status=status, headers=headers, location=location, markup=markup, body_read=True
        )
