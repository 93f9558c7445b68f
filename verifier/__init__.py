"""verifier: finds every reference in a document and tells whether it still resolves.

The library API (see :mod:`verifier.api`) is loaded on first use, so ``import verifier``
stays as light as the command line's warm path needs: no HTTP library, no event loop.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from verifier._exceptions import (
        ArchiveUnavailable,
        ConfigError,
        InputError,
        NoDocumentsError,
        ReportFileError,
        StoreError,
        VerifierError,
    )
    from verifier.api import Progress, build_report, check_documents, check_paths, check_urls, extract_paths
    from verifier.check.plan import Target
    from verifier.config import Settings, load_settings
    from verifier.exitcodes import ExitCode
    from verifier.model import (
        Change,
        ChangeKind,
        CheckRun,
        Document,
        InputProblem,
        LinkResult,
        Outcome,
        Reference,
        RunStatus,
        Snapshot,
    )
    from verifier.report.gate import decide as decide_exit_code
    from verifier.store import MemoryStore, ResultStore, SQLiteStore

#: Where each public name lives; resolved on first access (PEP 562).
_LAZY: dict[str, str] = {
    "ArchiveUnavailable": "verifier._exceptions",
    "ConfigError": "verifier._exceptions",
    "InputError": "verifier._exceptions",
    "NoDocumentsError": "verifier._exceptions",
    "ReportFileError": "verifier._exceptions",
    "StoreError": "verifier._exceptions",
    "VerifierError": "verifier._exceptions",
    "Progress": "verifier.api",
    "build_report": "verifier.api",
    "check_documents": "verifier.api",
    "check_paths": "verifier.api",
    "check_urls": "verifier.api",
    "extract_paths": "verifier.api",
    "Target": "verifier.check.plan",
    "Settings": "verifier.config",
    "load_settings": "verifier.config",
    "ExitCode": "verifier.exitcodes",
    "Change": "verifier.model",
    "ChangeKind": "verifier.model",
    "CheckRun": "verifier.model",
    "Document": "verifier.model",
    "InputProblem": "verifier.model",
    "LinkResult": "verifier.model",
    "Outcome": "verifier.model",
    "Reference": "verifier.model",
    "RunStatus": "verifier.model",
    "Snapshot": "verifier.model",
    "MemoryStore": "verifier.store",
    "ResultStore": "verifier.store",
    "SQLiteStore": "verifier.store",
}
_RENAMED = {"decide_exit_code": ("verifier.report.gate", "decide")}

__all__ = [
    "ArchiveUnavailable",
    "Change",
    "ChangeKind",
    "CheckRun",
    "ConfigError",
    "Document",
    "ExitCode",
    "InputError",
    "InputProblem",
    "LinkResult",
    "MemoryStore",
    "NoDocumentsError",
    "Outcome",
    "Progress",
    "Reference",
    "ReportFileError",
    "ResultStore",
    "RunStatus",
    "SQLiteStore",
    "Settings",
    "Snapshot",
    "StoreError",
    "Target",
    "VerifierError",
    "__version__",
    "build_report",
    "check_documents",
    "check_paths",
    "check_urls",
    "decide_exit_code",
    "extract_paths",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _RENAMED:
        module, attribute = _RENAMED[name]
        value = getattr(importlib.import_module(module), attribute)
    else:
        raise AttributeError(f"module 'verifier' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
