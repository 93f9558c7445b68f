"""Tokens: 256 random bits shown once, only their digest kept, roles ordered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from verifier._exceptions import ConfigError
from verifier.service.db import ServiceDB
from verifier.service.tokens import PREFIX, Role, create_token, digest


def test_a_token_is_random_and_only_its_digest_is_kept(tmp_path: Path) -> None:
    db = ServiceDB(tmp_path / "service.sqlite")
    token = create_token(db, "ci", Role.VIEWER, actor="test")
    other = create_token(db, "ci-2", Role.VIEWER, actor="test")
    assert token.startswith(PREFIX) and token != other
    assert len(token) - len(PREFIX) >= 43  # 32 bytes of URL-safe base64
    raw = sqlite3.connect(tmp_path / "service.sqlite").execute("SELECT digest FROM tokens").fetchall()
    assert (digest(token),) in raw
    assert all(token not in row[0] for row in raw)
    found = db.token_by_digest(digest(token))
    assert found is not None and found.role == "viewer"


def test_a_taken_name_is_refused_and_revoking_ends_a_token(tmp_path: Path) -> None:
    db = ServiceDB(tmp_path / "service.sqlite")
    token = create_token(db, "ci", Role.EDITOR, actor="test")
    with pytest.raises(ConfigError, match="exists"):
        create_token(db, "ci", Role.VIEWER, actor="test")
    assert db.revoke_token("ci", actor="test")
    assert db.token_by_digest(digest(token)) is None
    assert not db.revoke_token("ci", actor="test")


def test_roles_are_ordered() -> None:
    assert Role.VIEWER < Role.EDITOR < Role.ADMIN
    assert Role.named("Editor") is Role.EDITOR
    with pytest.raises(ConfigError):
        Role.named("owner")
