"""From the paths a user typed to the files to read: files, directories (recursive) and globs.

Files come out in a stable order (each argument in turn, directories sorted) and each file once,
however many arguments name it. A path that leads nowhere becomes a problem to report, never
an exception, so the run goes on with the others.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier.model import InputProblem

#: Folders never searched when walking a directory: tool caches and environments, not documents.
SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules"})
_GLOB_MAGIC = frozenset("*?[")


#: The path argument that means "read one document from standard input".
STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read: where it is on disk and how reports name it."""

    fs_path: Path
    display_path: str


@dataclass(frozen=True, slots=True)
class StandardInput:
    """The document piped in on standard input."""

    display_path: str = "<stdin>"


def _skipped_directory(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRECTORIES


def _in_skipped(match: str, pattern: str) -> bool:
    """Whether a glob match lies in a folder a directory walk would skip, unless the pattern names it."""
    named = set(Path(pattern).parts)
    folders = Path(match).parts[:-1]
    return any(_skipped_directory(part) and part not in named for part in folders if part not in (".", ".."))


def _display(path: str) -> str:
    return os.path.normpath(path)


def _walk(root: str) -> Iterator[InputFile | InputProblem]:
    problems: list[InputProblem] = []

    def report(error: OSError) -> None:
        where = _display(error.filename) if error.filename else _display(root)
        problems.append(InputProblem(where, None, f"cannot read directory: {error.strerror or error}"))

    for directory, subdirectories, files in os.walk(root, onerror=report):
        subdirectories[:] = sorted(name for name in subdirectories if not _skipped_directory(name))
        yield from problems
        problems.clear()
        for name in sorted(files):
            if name.startswith("."):
                continue
            full = os.path.join(directory, name)
            try:
                mode = os.stat(full).st_mode
            except OSError:
                continue  # a dangling symbolic link: nothing to read
            if stat.S_ISREG(mode):
                yield InputFile(Path(full), _display(full))
    yield from problems


def _expand(argument: str) -> Iterator[InputFile | InputProblem]:
    if os.path.isdir(argument):
        yield from _walk(argument)
        return
    if os.path.exists(argument):
        if stat.S_ISREG(os.stat(argument).st_mode):
            yield InputFile(Path(argument), _display(argument))
        else:
            yield InputProblem(_display(argument), None, "not a regular file, skipped", severity="warning")
        return
    if _GLOB_MAGIC.intersection(argument):
        matches = sorted(
            match for match in glob.glob(argument, recursive=True) if not _in_skipped(match, argument)
        )
        if not matches:
            yield InputProblem(argument, None, "no files match this pattern")
        for match in matches:
            if os.path.isdir(match):
                yield from _walk(match)
            elif os.path.isfile(match):
                yield InputFile(Path(match), _display(match))
        return
    yield InputProblem(argument, None, "no such file or directory")


def iter_input_files(paths: Sequence[str]) -> Iterator[InputFile | StandardInput | InputProblem]:
    """Every file the paths name, once each, in order; problems for paths that name nothing."""
    seen: set[Path] = set()
    stdin_named = False
    for argument in paths:
        if argument == STDIN:
            if not stdin_named:
                stdin_named = True
                yield StandardInput()
            continue
        for item in _expand(argument):
            if isinstance(item, InputFile):
                identity = item.fs_path.resolve()
                if identity in seen:
                    continue
                seen.add(identity)
            yield item
