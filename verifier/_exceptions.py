"""The exceptions verifier raises, in one hierarchy.

VerifierError                  anything verifier raises on purpose; the command line ends with
│                              exit code 2 (usage or environment) and one line, no traceback
├── ConfigError                a setting, a configuration file or a command-line value is wrong
├── InputError                 a document cannot be read at all (reported; the run goes on)
├── NoDocumentsError           nothing among the paths given can be checked
├── StoreError                 the store cannot be opened or used
├── ReportFileError            a saved report cannot be read or breaks the contract
└── ArchiveUnavailable         the Wayback Machine could not answer; a run records it on the
                               link ("archive not consulted") and goes on

Anything else that escapes is a defect: exit code 4, with the traceback under ``--debug``.
"""

from __future__ import annotations


class VerifierError(Exception):
    """Base of every error verifier raises on purpose."""


class ConfigError(VerifierError):
    """A setting, a configuration file or a command-line value is wrong."""


class InputError(VerifierError):
    """A document cannot be read; the message names the file (and line, when known)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")


class NoDocumentsError(VerifierError):
    """None of the paths given held a document to check."""


class StoreError(VerifierError):
    """The store exists but cannot be used: damaged, or written by a newer verifier."""


class ReportFileError(VerifierError):
    """A report file that cannot be read, is not JSON, or breaks the contract."""


class ArchiveUnavailable(VerifierError):
    """The archive could not answer: timeouts, 5xx, 429 beyond the retry budget, no connection.

    ``kind`` is one of ``throttled``, ``timeout``, ``network``, ``server-error``, ``bad-reply``.
    """

    def __init__(self, message: str, *, kind: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
