"""The command line: ``verifier extract|check|report|fix``.

Each subcommand lives in ``verifier.commands.<name>`` with ``add_arguments`` and ``run``, so a
command's flags sit beside the code that reads them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from verifier import __version__
from verifier._exceptions import ConfigError


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


COMMANDS = ("extract", "check", "report", "fix")

EXIT_USAGE = 2


def _chosen_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand ``argv`` names, found without parsing: the first word that is one."""
    words = sys.argv[1:] if argv is None else argv
    for word in words:
        if word == "--":
            break
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None, *, only_chosen: bool = False) -> argparse.ArgumentParser:
    """The whole parser; with ``only_chosen``, the command ``argv`` names is the only one imported.

    Each command module pulls in its own dependencies (report renderers, schema validation,
    the extractors), so a check that imports only what it runs starts in a fraction of the time.
    Without a recognisable command every module is imported, so help lists them all.
    """
    parser = argparse.ArgumentParser(
        prog="verifier",
        description="Find every reference in documents and check that each source still resolves.",
    )
    parser.add_argument("--version", action="version", version=f"verifier {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen_command(argv) if only_chosen else None
    for name in COMMANDS:
        if chosen is not None and name != chosen:
            subparsers.add_parser(name)
            continue
        module: Command = importlib.import_module(f"verifier.commands.{name}")
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv, only_chosen=True)
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except ConfigError as error:
        print(f"verifier: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("verifier: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
