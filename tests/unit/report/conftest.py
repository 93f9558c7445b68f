"""Fixtures for the report tests: the hand-written sample report and a rendered copy of it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "sample-report.json"


@pytest.fixture(scope="session")
def sample_report_pristine() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def sample_report(sample_report_pristine: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy each test may change."""
    return copy.deepcopy(sample_report_pristine)
