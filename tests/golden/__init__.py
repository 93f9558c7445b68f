"""Golden files: expected extraction results written by hand from reading the seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verifier.model import Reference

GOLDEN = Path(__file__).resolve().parent


def load_golden(name: str) -> dict[str, Any]:
    """The parsed golden file ``tests/golden/<name>``."""
    with (GOLDEN / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def reference_as_golden(reference: Reference) -> dict[str, Any]:
    """A reference in the shape the golden files use, for a whole-record comparison."""
    citation = reference.citation
    wayback = reference.wayback
    return {
        "line": reference.line,
        "column": reference.column,
        "raw": reference.raw,
        "url": reference.url,
        "kind": reference.kind.value,
        "text": reference.text,
        "footnote": reference.footnote,
        "citation": None
        if citation is None
        else {
            "title": citation.title,
            "publisher": citation.publisher,
            "published": citation.published.isoformat() if citation.published else None,
            "accessed": citation.accessed.isoformat() if citation.accessed else None,
        },
        "wayback": None
        if wayback is None
        else {"original": wayback.original, "timestamp": wayback.timestamp},
        "issues": [{"kind": issue.kind.value, "message": issue.message} for issue in reference.issues],
    }
