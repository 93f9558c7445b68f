"""Hosts found out during a run: refusing connections, not accepting them in time, not
resolving, or accepting a request and then saying nothing at all, or too little to finish even
the headers of an answer.

Asking such a host again for each of its URLs buys nothing but waits (a connect timeout each,
a DNS lookup that fails the same way, a whole request deadline of silence), so the first URL
that finds out pays for it and the others get the same failure at once, saying so. Refusals,
connect timeouts and silence are remembered per ``scheme://host:port`` (another port or scheme
of the host may well answer); a name that does not resolve, per host name. Silence is a
timeout with not one byte of a response, or with a response whose status line and headers
were still incomplete at the deadline (a server trickling its answer a byte a second); a slow
body is not silence, and a place that answered any request while this one waited is not
silent either. The URL that found out keeps asking on its own tries, so its retry is real; any
answer from the place forgets it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from verifier.check.http.failures import Failure
from verifier.check.http.kinds import FailureKind
from verifier.check.live.hosts import host_name, origin_key

#: Remembered for the origin that failed; a timeout only as silence (see :meth:`Unreachable.silent`).
BY_ORIGIN = frozenset({FailureKind.REFUSED, FailureKind.CONNECT_TIMEOUT, FailureKind.TIMEOUT})
#: Remembered for the host name, whatever the scheme or port.
BY_NAME = frozenset({FailureKind.DNS_NOT_FOUND, FailureKind.DNS_TEMPORARY})
#: Remembered whenever a request fails so; a timeout alone says too little.
REMEMBERED = (BY_ORIGIN | BY_NAME) - {FailureKind.TIMEOUT}


@dataclass(frozen=True, slots=True)
class _Found:
    failure: Failure
    owner: str
    where: str


class Unreachable:
    """What this run has learnt about hosts that cannot be reached; empty is falsy."""

    __slots__ = ("_answered", "_found")

    def __init__(self) -> None:
        self._found: dict[str, _Found] = {}
        #: When each origin last answered: silence is not learnt from a place that answered meanwhile.
        self._answered: dict[str, float] = {}

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    @staticmethod
    def _keys(url: str) -> tuple[str, str]:
        return f"name:{host_name(url)}", f"origin:{origin_key(url)}"

    def known(self, url: str, owner: str) -> Failure | None:
        """The failure a request to ``url`` would meet, unless the check of ``owner`` found it out."""
        for key in self._keys(url):
            found = self._found.get(key)
            if found is not None and found.owner != owner:
                said = found.failure.detail
                return Failure(
                    found.failure.kind,
                    f"{said} (found for {found.where} earlier in this run; not asked again)",
                )
        return None

    def learn(self, url: str, kind: FailureKind, detail: str, owner: str) -> None:
        """Remember that a request to ``url`` failed with ``kind``, as the check of ``owner`` found."""
        if kind in BY_NAME:
            name = host_name(url)
            self._found.setdefault(f"name:{name}", _Found(Failure(kind, detail), owner, name))
        elif kind in BY_ORIGIN:
            origin = origin_key(url)
            self._found.setdefault(f"origin:{origin}", _Found(Failure(kind, detail), owner, origin))

    def answered(self, url: str) -> None:
        """``url``'s origin answered a request: it is not silent, and whatever was remembered goes."""
        self._answered[origin_key(url)] = time.monotonic()
        if self._found:
            self.forget(url)

    def silent(self, url: str, detail: str, owner: str, *, since: float) -> None:
        """A request to ``url`` sent at ``since`` met no byte of a response, or no complete headers,
        within its deadline.

        Remembered as a timeout of the origin, unless the origin answered another request meanwhile.
        """
        origin = origin_key(url)
        if self._answered.get(origin, float("-inf")) < since:
            self.learn(url, FailureKind.TIMEOUT, detail, owner)

    def forget(self, url: str) -> None:
        """Whatever was remembered about ``url``'s host no longer holds (it answered, or we were offline)."""
        for key in self._keys(url):
            self._found.pop(key, None)
