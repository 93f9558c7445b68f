"""The public API is what ``verifier.__all__`` says, every name resolves, and importing it is cheap."""

from __future__ import annotations

import subprocess
import sys

import verifier

EXPECTED = [
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


def test_all_is_pinned() -> None:
    assert sorted(verifier.__all__) == EXPECTED


def test_every_exported_member_resolves() -> None:
    for name in verifier.__all__:
        member = getattr(verifier, name)
        assert member is not None
        if not name.startswith("__") and hasattr(member, "__module__") and name != "decide_exit_code":
            assert member.__module__.startswith("verifier"), name


def test_unknown_names_raise_attribute_error() -> None:
    try:
        verifier.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("no AttributeError")


def test_every_error_is_a_verifier_error() -> None:
    for name in (
        "ArchiveUnavailable",
        "ConfigError",
        "InputError",
        "NoDocumentsError",
        "ReportFileError",
        "StoreError",
    ):
        assert issubclass(getattr(verifier, name), verifier.VerifierError), name


def test_importing_verifier_loads_no_http_library() -> None:
    probe = (
        "import sys, verifier; verifier.Settings; verifier.Outcome;"
        "heavy = ('httpx', 'httpcore', 'asyncio', 'rich', 'verifier.api');"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
