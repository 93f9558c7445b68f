"""The archive's circuit breaker on a fake clock."""

from __future__ import annotations

import pytest

from verifier.check.archive.breaker import QUIET, QUIET_REASON, Breaker
from verifier.check.archive.client import ArchiveUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_429_opens_it_for_at_least_a_minute() -> None:
    clock = Clock()
    breaker = Breaker(clock=clock)
    breaker.check()  # closed: nothing raised
    assert breaker.trip(retry_after=5) == QUIET == 60.0
    clock.now = 59.9
    with pytest.raises(ArchiveUnavailable) as caught:
        breaker.check()
    assert (str(caught.value), caught.value.kind) == (QUIET_REASON, "quiet")
    clock.now = 60.0
    breaker.check()


def test_a_longer_retry_after_holds_longer_and_a_later_429_never_shortens_it() -> None:
    clock = Clock()
    breaker = Breaker(clock=clock)
    breaker.trip(retry_after=600)
    clock.now = 10.0
    breaker.trip()  # a minute from now would end sooner: the longer quiet stands
    assert breaker.remaining() == 590.0
    assert breaker.trips == 2
