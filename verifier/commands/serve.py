"""``verifier serve``: the service in one process — API, queue consumer and scheduler."""

from __future__ import annotations

import argparse
from pathlib import Path

from verifier.commands.check import add_setting_arguments, overrides_from
from verifier.config import Settings, load_settings, validate_settings
from verifier.service.paths import DEFAULT_DATA_DIR

HELP = "run the service: watched sources checked on a schedule, an API and its queue"


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR", help=f"default: {DEFAULT_DATA_DIR}"
    )


def add_queue_workers(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--queue-workers", type=int, default=2, metavar="N", help="threads taking runs (default: 2)"
    )


def add_source_root(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--source-root",
        type=Path,
        metavar="DIR",
        help="the folder path sources may read (none: no path sources)",
    )


def add_queue(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--queue",
        dest="queue_url",
        metavar="URL",
        help="redis://host:port/db[?prefix=name] for workers on many machines ($VERIFIER_QUEUE;"
        " default: SQLite in the data folder)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    service = parser.add_argument_group("the service")
    service.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    service.add_argument("--port", type=int, default=8150, help="default: 8150")
    add_source_root(service)
    service.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run a queue consumer here (default: yes)",
    )
    add_queue_workers(service)
    add_queue(service)
    add_setting_arguments(parser)


_SERVICE_ONLY = {"data_dir", "host", "port", "source_root", "worker", "queue_workers"}


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {key: value for key, value in overrides_from(args).items() if key not in _SERVICE_ONLY}
    settings = load_settings(overrides, config_path=args.config)
    validate_settings(settings)
    return settings


def run(args: argparse.Namespace) -> int:
    from verifier.service.server import open_context, serve

    settings = settings_from(args)
    source_root = args.source_root.resolve() if args.source_root else None
    context = open_context(args.data_dir, settings, source_root)
    serve(context, host=args.host, port=args.port, worker=args.worker, workers=args.queue_workers)
    return 0
