"""The exceptions verifier raises, in one hierarchy.

VerifierError
├── ConfigError      bad settings or command-line values (exit code 2)
└── InputError       a document that cannot be read at all (reported, run goes on)
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
