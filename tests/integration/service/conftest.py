"""Fixtures for the service: a context on a temporary data folder and an in-process API client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.check_run.conftest import Site, site, wayback
from verifier.config import Settings
from verifier.service.app import create_app
from verifier.service.queue import Queue, make_queue
from verifier.service.runs import ServiceContext
from verifier.service.server import first_admin, open_context
from verifier.service.tokens import Role, create_token

__all__ = ["Service", "Site", "service", "site", "wayback"]


def quiet_settings(**changes: object) -> Settings:
    """Checks that never leave loopback and never wait on the real archive."""
    base = {
        "archive": False,
        "network_canaries": ("localhost",),
        "retries": 0,
        "retry_backoff": 0.01,
        "timeout": 5.0,
        "connect_timeout": 2.0,
        "soft404_probe": False,
        # The sites these tests check are on loopback, which the service refuses by default.
        "allow_private_addresses": ("127.0.0.0/8",),
    }
    return Settings(**{**base, **changes})  # type: ignore[arg-type]


@dataclass
class Service:
    context: ServiceContext
    queue: Queue
    client: TestClient
    admin: str
    editor: str
    viewer: str
    root: Path

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def as_editor(self) -> dict[str, str]:
        return self.headers(self.editor)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    root = tmp_path / "sources"
    root.mkdir()
    context = open_context(tmp_path / "data", quiet_settings(), root)
    # Immediate mode: a queued run is carried out before the request that queued it answers.
    queue = make_queue(context, immediate=True)
    admin = first_admin(context)
    assert admin is not None
    editor = create_token(context.db, "editor", Role.EDITOR, actor="test")
    viewer = create_token(context.db, "viewer", Role.VIEWER, actor="test")
    with TestClient(create_app(context, queue)) as client:
        yield Service(context, queue, client, admin, editor, viewer, root)
    context.db.close()
