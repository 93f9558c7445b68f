"""``verifier token create|list|revoke``: the service's API tokens."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from verifier.commands.serve import add_data_dir
from verifier.exitcodes import ExitCode

HELP = "create, list or revoke the service's API tokens"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="make a token and print it (once) on standard output")
    create.add_argument("--role", required=True, choices=("viewer", "editor", "admin"))
    create.add_argument("--name", required=True)
    add_data_dir(create)
    listing = actions.add_parser("list", help="every token's name, role and state")
    add_data_dir(listing)
    revoke = actions.add_parser("revoke", help="revoke a token by its name")
    revoke.add_argument("name")
    add_data_dir(revoke)


def run(args: argparse.Namespace) -> int:
    from verifier.service.db import ServiceDB
    from verifier.service.paths import ServicePaths
    from verifier.service.tokens import Role, create_token

    paths = ServicePaths(args.data_dir).create()
    db = ServiceDB(paths.store)
    if args.action == "create":
        token = create_token(db, args.name, Role.named(args.role), actor="command line")
        print(f"verifier: created {args.role} token {args.name!r}; it is not shown again", file=sys.stderr)
        print(token)
        return ExitCode.OK
    if args.action == "list":
        for entry in db.tokens():
            created = dt.datetime.fromtimestamp(int(entry.created), dt.UTC).isoformat()
            state = "revoked" if entry.revoked else "active"
            print(f"{entry.name}\t{entry.role}\t{state}\t{created}")
        return ExitCode.OK
    if not db.revoke_token(args.name, actor="command line"):
        print(f"verifier: no active token named {args.name!r}", file=sys.stderr)
        return ExitCode.USAGE
    print(f"verifier: revoked {args.name!r}", file=sys.stderr)
    return ExitCode.OK
