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


#: The files verifier writes as reports: never documents, wherever a walk finds them.
REPORT_NAMES = frozenset(
    {
        "link-health.json",
        "link-health.html",
        "link-health.md",
        "link-health.junit.xml",
        "link-health.sarif",
        "link-health.csv",
    }
)


@dataclass(frozen=True, slots=True)
class OwnFiles:
    """What verifier writes (the report folder, the store's files): skipped by walks and globs."""

    places: tuple[Path, ...] = ()

    def holds(self, path: str) -> bool:
        if not self.places:
            return False
        resolved = Path(path).resolve()
        return any(resolved == place or place in resolved.parents for place in self.places)

    @classmethod
    def of(cls, output_dir: Path, store_file: Path) -> OwnFiles:
        """The report folder and the store's file with its journal, as this run writes them.

        A report folder that is the working folder (or above it) is left out: skipping it
        would skip everything. Report files are still known by their names.
        """
        here = Path.cwd().resolve()
        places = [store_file.with_name(store_file.name + suffix).resolve() for suffix in ("", "-wal", "-shm")]
        folder = output_dir.resolve()
        if folder != here and folder not in here.parents:
            places.append(folder)
        return cls(tuple(places))


NOTHING_OWN = OwnFiles()


def _skipped_directory(name: str) -> bool:
    return name.startswith(".") or name in SKIPPED_DIRECTORIES


def _in_skipped(match: str, pattern: str) -> bool:
    """Whether a glob match lies in a folder a directory walk would skip, unless the pattern names it."""
    named = set(Path(pattern).parts)
    folders = Path(match).parts[:-1]
    return any(_skipped_directory(part) and part not in named for part in folders if part not in (".", ".."))


def _display(path: str) -> str:
    return os.path.normpath(path)


def _walk(root: str, own: OwnFiles) -> Iterator[InputFile | InputProblem]:
    problems: list[InputProblem] = []

    def report(error: OSError) -> None:
        where = _display(error.filename) if error.filename else _display(root)
        problems.append(InputProblem(where, None, f"cannot read directory: {error.strerror or error}"))

    for directory, subdirectories, files in os.walk(root, onerror=report):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not _skipped_directory(name) and not own.holds(os.path.join(directory, name))
        )
        yield from problems
        problems.clear()
        for name in sorted(files):
            if name.startswith(".") or name in REPORT_NAMES:
                continue
            full = os.path.join(directory, name)
            if own.places and own.holds(full):
                continue
            try:
                mode = os.stat(full).st_mode
            except OSError:
                continue  # a dangling symbolic link: nothing to read
            if stat.S_ISREG(mode):
                yield InputFile(Path(full), _display(full))
    yield from problems


def _expand(argument: str, own: OwnFiles) -> Iterator[InputFile | InputProblem]:
    if os.path.isdir(argument):
        yield from _walk(argument, own)
        return
    if os.path.exists(argument):
        if stat.S_ISREG(os.stat(argument).st_mode):
            if os.path.basename(argument) in REPORT_NAMES or own.holds(argument):
                yield InputProblem(
                    _display(argument),
                    None,
                    "this is a file verifier wrote; it is read because it was named",
                    severity="warning",
                )
            yield InputFile(Path(argument), _display(argument))
        else:
            yield InputProblem(_display(argument), None, "not a regular file, skipped", severity="warning")
        return
    if _GLOB_MAGIC.intersection(argument):
        matches = sorted(
            match
            for match in glob.glob(argument, recursive=True)
            if not _in_skipped(match, argument)
            and os.path.basename(match) not in REPORT_NAMES
            and not own.holds(match)
        )
        if not matches:
            yield InputProblem(argument, None, "no files match this pattern")
        for match in matches:
            if os.path.isdir(match):
                yield from _walk(match, own)
            elif os.path.isfile(match):
                yield InputFile(Path(match), _display(match))
        return
    yield InputProblem(argument, None, "no such file or directory")


def iter_input_files(
    paths: Sequence[str], own: OwnFiles = NOTHING_OWN
) -> Iterator[InputFile | StandardInput | InputProblem]:
    """Every file the paths name, once each, in order; problems for paths that name nothing.

    Walks and globs pass over ``own`` folders and report files; a file named outright is read.
    """
    seen: set[Path] = set()
    stdin_named = False
    for argument in paths:
        if argument == STDIN:
            if not stdin_named:
                stdin_named = True
                yield StandardInput()
            continue
        for item in _expand(argument, own):
            if isinstance(item, InputFile):
                identity = item.fs_path.resolve()
                if identity in seen:
                    continue
                seen.add(identity)
            yield item
