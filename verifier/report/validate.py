"""Reading a link-health.json back: parse it and hold it to the contract in schema.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from verifier._exceptions import ReportFileError

__all__ = ["ReportFileError", "contract_errors", "load_report", "schema"]

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def contract_errors(report: object, limit: int = 10) -> list[str]:
    """Where and how ``report`` breaks the contract, as "$.links[3].outcome: ..." lines."""
    validator = jsonschema.Draft202012Validator(schema())
    found = sorted(validator.iter_errors(report), key=lambda error: list(error.absolute_path))
    return [f"{error.json_path}: {error.message}" for error in found[:limit]]


def load_report(path: Path) -> dict[str, Any]:
    """The report at ``path``, or ReportFileError saying exactly what is wrong with it."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ReportFileError(f"{path}: cannot read: {error.strerror or error}") from error
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ReportFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ReportFileError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from error
    if isinstance(report, dict) and report.get("schema_version") not in (None, 1):
        raise ReportFileError(
            f"{path}: schema_version {report['schema_version']!r} is not supported (this verifier reads 1)"
        )
    errors = contract_errors(report)
    if errors:
        listed = "\n  ".join(errors)
        raise ReportFileError(f"{path}: not a verifier link-health report:\n  {listed}")
    assert isinstance(report, dict)
    return report
