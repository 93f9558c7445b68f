"""Unit tests: no sockets. A test that opens a network connection belongs in tests/integration."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest


class NetworkInUnitTest(RuntimeError):
    """A unit test tried to use the network."""


def _refusing(real: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
        # Unix sockets stay allowed: asyncio's event loop wakes itself through a socket pair.
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise NetworkInUnitTest(
                "unit tests open no network connections; move this test to tests/integration"
            )
        return real(self, *args, **kwargs)

    return guarded


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("connect", "connect_ex", "bind"):
        monkeypatch.setattr(socket.socket, name, _refusing(getattr(socket.socket, name)))
