"""Hosts found out during a run: refusing connections, not accepting them in time, not resolving.

Asking such a host again for each of its URLs buys nothing but waits (a connect timeout each,
a DNS lookup that fails the same way), so the first URL that finds out pays for it and the
others get the same failure at once, saying so. Refusals and connect timeouts are remembered
per ``scheme://host:port`` (another port or scheme of the host may well answer); a name that
does not resolve, per host name. The URL that found out keeps asking on its own tries, so its
retry is real; any answer from the place forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.check.http.failures import Failure
from verifier.check.http.kinds import FailureKind
from verifier.check.live.hosts import host_name, origin_key

#: Remembered for the origin that failed.
BY_ORIGIN = frozenset({FailureKind.REFUSED, FailureKind.CONNECT_TIMEOUT})
#: Remembered for the host name, whatever the scheme or port.
BY_NAME = frozenset({FailureKind.DNS_NOT_FOUND, FailureKind.DNS_TEMPORARY})
REMEMBERED = BY_ORIGIN | BY_NAME


@dataclass(frozen=True, slots=True)
class _Found:
    failure: Failure
    owner: str
    where: str


class Unreachable:
    """What this run has learnt about hosts that cannot be reached; empty is falsy."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[str, _Found] = {}

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

    def forget(self, url: str) -> None:
        """``url``'s host answered: whatever was remembered about it no longer holds."""
        for key in self._keys(url):
            self._found.pop(key, None)
