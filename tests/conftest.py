"""Fixtures shared by every test folder. Folder-specific fixtures live in each folder's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """VERIFIER_* variables set settings; a test sets the ones it wants, never inherits them."""
    import os

    for name in list(os.environ):
        if name.startswith("VERIFIER_") and name != "VERIFIER_TEST_POSTGRES":
            monkeypatch.delenv(name)
