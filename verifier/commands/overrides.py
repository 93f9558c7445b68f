"""``verifier overrides export``: the service's overrides as TOML, for ``verifier check --overrides``."""

from __future__ import annotations

import argparse
import sys

from verifier.commands.serve import add_data_dir
from verifier.exitcodes import ExitCode

HELP = "export the service's overrides for CI (verifier check --overrides FILE)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="print every override as TOML on standard output")
    add_data_dir(export)


def run(args: argparse.Namespace) -> int:
    from verifier.report.overrides import overrides_toml
    from verifier.service.db import ServiceDB
    from verifier.service.desk import Desk, overrides_only
    from verifier.service.paths import ServicePaths

    store = ServicePaths(args.data_dir).store
    if not store.is_file():
        print(f"verifier: {store}: no service data here; name it with --data-dir", file=sys.stderr)
        return ExitCode.USAGE
    sys.stdout.write(overrides_toml(overrides_only(Desk(ServiceDB(store)).overrides())))
    return ExitCode.OK
