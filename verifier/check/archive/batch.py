"""Archive lookups gathered per host, so that one CDX listing answers for all of a host's links.

Dead links cluster on dead hosts, and the archive allows some twenty requests a minute: asking
once for a host's thirty dead URLs instead of thirty times is most of a run's archive time.
A lookup therefore waits until every link of its host that might want one has either asked
or finished without asking; the first to ask then makes the request for all of them. Every
link the run expects is announced with :meth:`Batcher.expect` and ends with
:meth:`Batcher.lookup` or :meth:`Batcher.withdraw`, so no lookup waits for a link that will
never ask.

The request is made inside the task of the link that asked first, not in a task of its own,
so cancelling the run cancels it too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from verifier._exceptions import ArchiveUnavailable
from verifier.check.archive.cdx import surt_host
from verifier.model import Snapshot

Choices = dict[dt.date | None, Snapshot | None]
Dates = Sequence[dt.date | None]
Lookup = Callable[[Mapping[str, list[dt.date | None]]], Awaitable[Mapping[str, Choices | ArchiveUnavailable]]]


@dataclass(eq=False, slots=True)
class _Group:
    waiting: list[tuple[str, Dates, asyncio.Future[Choices]]] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class Batcher:
    """Holds lookups back per host until the host's expected links have all asked or finished.

    ``lookup`` is called with every URL of the host that asked and the dates each wants, and
    answers each URL with its choices or the :class:`ArchiveUnavailable` that kept them.
    """

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._expected: Counter[str] = Counter()
        self._tokens: dict[str, str] = {}
        self._groups: dict[str, _Group] = {}

    @staticmethod
    def group_of(url: str) -> str:
        return surt_host(url)

    def expect(self, token: str, url: str) -> None:
        """The link ``token`` may look ``url`` up: its host's lookups wait for it."""
        if token in self._tokens:
            return
        group = self.group_of(url)
        self._tokens[token] = group
        self._expected[group] += 1

    def withdraw(self, token: str) -> None:
        """The link ``token`` finished without (another) lookup; nothing waits for it any longer."""
        group = self._tokens.pop(token, None)
        if group is not None:
            self._expected[group] -= 1
            self._release(group)

    async def lookup(self, token: str, url: str, dates: Dates) -> Choices:
        """The choices for ``url``'s ``dates``, once the host's other links have had their say.

        Raises :class:`ArchiveUnavailable` when the archive could not answer for ``url``.
        """
        self._tokens.pop(token, None)
        group_key = self.group_of(url)
        self._expected[group_key] -= 1
        group = self._groups.setdefault(group_key, _Group())
        future: asyncio.Future[Choices] = asyncio.get_running_loop().create_future()
        group.waiting.append((url, dates, future))
        leads = len(group.waiting) == 1
        self._release(group_key)
        if leads:
            await group.ready.wait()
            await self._ask(group)
        return await future

    def _release(self, group_key: str) -> None:
        group = self._groups.get(group_key)
        if group is not None and self._expected[group_key] <= 0:
            # Later lookups of this host (none are expected) start a group of their own.
            del self._groups[group_key]
            group.ready.set()

    async def _ask(self, group: _Group) -> None:
        wanted: dict[str, list[dt.date | None]] = {}
        for url, dates, _ in group.waiting:
            known = wanted.setdefault(url, [])
            known.extend(when for when in dates if when not in known)
        try:
            answers = await self._lookup(wanted)
        except BaseException as error:
            # The first waiter is the one asking: it raises the error itself.
            for _, _, future in group.waiting[1:]:
                if not future.done():
                    if isinstance(error, Exception):
                        future.set_exception(error)
                    else:
                        future.cancel()
            raise
        for url, dates, future in group.waiting:
            answer = answers[url]
            if isinstance(answer, ArchiveUnavailable):
                future.set_exception(answer)
            else:
                future.set_result({when: answer.get(when) for when in dates})
