"""The command line: ``verifier extract|check|report|fix``.

Each subcommand lives in ``verifier.commands.<name>`` with ``add_arguments`` and ``run``, so a
command's flags sit beside the code that reads them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Protocol

from verifier import __version__
from verifier._exceptions import ConfigError, VerifierError
from verifier.exitcodes import ExitCode


class Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


COMMANDS = ("extract", "check", "report", "fix", "serve", "worker", "token", "overrides")


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
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"verifier {__version__}")
    _add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen_command(argv) if only_chosen else None
    for name in COMMANDS:
        if chosen is not None and name != chosen:
            subparsers.add_parser(name, formatter_class=_Formatter)
            continue
        module: Command = importlib.import_module(f"verifier.commands.{name}")
        sub = subparsers.add_parser(
            name, help=module.HELP, description=module.HELP, formatter_class=_Formatter
        )
        _add_global_options(sub, suppress=True)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, given the terminal's width.

    Every ``add_argument`` makes a formatter, which, left to find the width itself, imports
    shutil and with it bz2 and lzma: milliseconds of every start, for help rarely printed.
    """

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, _help_width() if width is None else width)


def _help_width() -> int:
    """What argparse would take: $COLUMNS, else standard output's terminal, else 80; less 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """-v, -q and --debug, accepted before or after the command's name."""
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("output")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="log what is done: -v each URL's result, -vv every attempt and wait",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="print only errors and the exit reason"
    )
    group.add_argument(
        "--debug", action="store_true", default=default, help="log everything; show tracebacks of defects"
    )


_handler: logging.Handler | None = None


def _configure_logging(args: argparse.Namespace) -> None:
    """-v: each URL's result; -vv: every attempt and wait; --debug: everything; -q: errors only.

    verifier's records go to standard error through a handler of its own, so that a program
    embedding verifier keeps its own logging set-up.
    """
    global _handler
    logger = logging.getLogger("verifier")
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler = None
    verbose = getattr(args, "verbose", 0) or 0
    if getattr(args, "debug", False) or verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    elif getattr(args, "quiet", False):
        level = logging.ERROR
    else:
        logger.setLevel(logging.NOTSET)
        return
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("verifier: %(levelname)s: %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(level)


def _message(error: VerifierError) -> str:
    if isinstance(error, ConfigError):
        return f"configuration error: {error}"
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(argv, only_chosen=True)
    args = parser.parse_args(argv)
    _configure_logging(args)
    try:
        code: int = args.run(args)
    except VerifierError as error:
        print(f"verifier: {_message(error)}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("verifier: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Output piped into a reader that stopped early (| head): not an error of ours.
        _silence_stdout()
        return ExitCode.OK
    except Exception as error:
        if getattr(args, "debug", False):
            import traceback

            traceback.print_exc()
        else:
            print(
                f"verifier: internal error: {type(error).__name__}: {error}"
                " (run again with --debug for details)",
                file=sys.stderr,
            )
        return ExitCode.INTERNAL
    return code


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
