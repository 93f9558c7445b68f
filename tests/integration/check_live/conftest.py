"""Real local servers and fast settings for the live-probe tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.httpd import LocalServer
from tests.servers.tls import LocalCA
from verifier.check.live.probe import LiveChecker
from verifier.check.live.verdict import LiveVerdict
from verifier.config import Settings

FAST: dict[str, Any] = {
    "timeout": 1.0,
    "connect_timeout": 1.0,
    "retries": 2,
    "retry_backoff": 0.01,
    "retry_after_cap": 5.0,
    "url_budget": 10.0,
    "network_canaries": ("localhost",),
}


def fast_settings(**overrides: Any) -> Settings:
    return Settings(**{**FAST, **overrides})


async def check_one(url: str, **overrides: Any) -> LiveVerdict:
    async with LiveChecker(fast_settings(**overrides)) as checker:
        return await checker.check(url)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A server of its own, for tests that count requests or connections."""
    with LocalServer() as running:
        yield running


@pytest.fixture(scope="module")
def soft404_server() -> Iterator[LocalServer]:
    with LocalServer(mode="soft404") as running:
        yield running


@pytest.fixture(scope="module")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    folder: Path = tmp_path_factory.mktemp("ca")
    return LocalCA(folder)
