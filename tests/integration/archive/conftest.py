"""Fixtures for the archive client's tests: a fresh fake Wayback Machine and quick settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.servers.wayback import FakeWayback
from verifier.config import Settings

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def wayback() -> Iterator[FakeWayback]:
    with FakeWayback() as fake:
        yield fake


@pytest.fixture
def quick(wayback: FakeWayback) -> SettingsFactory:
    """Settings pointing at the fake with small waits, so a test runs in well under a second."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "archive_rate": 60_000.0,
            "archive_timeout": 2.0,
            "retries": 2,
            "retry_backoff": 0.05,
            "retry_after_cap": 2.0,
        }
        values.update(overrides)
        return wayback.settings(**values)

    return make
