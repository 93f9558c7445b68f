"""``verifier serve``: the service in one process — API, queue consumer and scheduler."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from verifier.commands.check import add_setting_arguments, overrides_from
from verifier.config import Settings, load_settings, validate_settings
from verifier.service.notify import PASSWORD_VARIABLE, NotifySettings
from verifier.service.paths import DEFAULT_DATA_DIR

HELP = "run the service: watched sources checked on a schedule, an API and its queue"


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, metavar="DIR", help=f"default: {DEFAULT_DATA_DIR}"
    )


def add_queue_workers(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--queue-workers",
        type=int,
        default=None,
        metavar="N",
        help="threads taking host batches (default: max-concurrency / host-concurrency, at least 2)",
    )


def add_lease(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--lease-seconds",
        type=float,
        default=60.0,
        metavar="S",
        help="how long a worker's hold on a host lasts unrenewed: a dead worker's hosts are taken"
        " over after this (default: 60)",
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
    add_lease(service)
    add_queue(service)
    service.add_argument(
        "--keep-runs",
        metavar="AGE",
        help="remove runs and their reports older than this, e.g. 90d; URL histories stay (default: keep)",
    )
    add_guard_and_notify(parser)
    add_setting_arguments(parser)


def add_guard_and_notify(parser: argparse.ArgumentParser) -> None:
    """The address guard's exceptions and where digests go: whoever runs a run needs both."""
    add_guard(parser)
    add_notify(parser)


def add_guard(parser: argparse.ArgumentParser) -> None:
    """The address guard's exceptions: whoever checks links needs them."""
    guard = parser.add_argument_group("private networks")
    guard.add_argument(
        "--allow-private-addresses",
        nargs="*",
        metavar="CIDR",
        help="let the service connect to these non-public networks, e.g. 10.0.0.0/8 (no value: all);"
        " by default it connects to public addresses only",
    )


def add_notify(parser: argparse.ArgumentParser) -> None:
    """Where digests of a run go: ``serve`` sends them, as it finishes runs."""
    notify = parser.add_argument_group("notifications of newly dead links")
    notify.add_argument("--webhook-url", metavar="URL", help="POST each run's digest here (JSON, signed)")
    notify.add_argument(
        "--webhook-secret", metavar="TEXT", help="the signature's key (default: $VERIFIER_WEBHOOK_SECRET)"
    )
    notify.add_argument("--smtp-host", metavar="HOST", help="send digests by e-mail through this server")
    notify.add_argument("--smtp-port", type=int, metavar="N", help="default: 25, or 587 with --smtp-starttls")
    notify.add_argument(
        "--smtp-starttls", action=argparse.BooleanOptionalAction, default=False, help="default: no"
    )
    notify.add_argument("--smtp-user", metavar="NAME")
    notify.add_argument(
        "--smtp-password", metavar="TEXT", help=f"default: ${PASSWORD_VARIABLE} (better there than here)"
    )
    notify.add_argument("--smtp-from", metavar="ADDRESS")
    notify.add_argument(
        "--notify-email", action="append", metavar="ADDRESS", help="a recipient of digests (repeatable)"
    )


_NOTIFY = {
    "webhook_url",
    "webhook_secret",
    "smtp_host",
    "smtp_port",
    "smtp_starttls",
    "smtp_user",
    "smtp_password",
    "smtp_from",
    "notify_email",
}
_SERVICE_ONLY = {
    "data_dir", "host", "port", "source_root", "worker", "queue_workers", "lease_seconds", "keep_runs",
    *_NOTIFY,
}  # fmt: skip


def notify_from(args: argparse.Namespace) -> NotifySettings | None:
    """Where digests go, from the flags (and the secrets' variables); None: nowhere."""
    emails = tuple(
        address.strip() for item in args.notify_email or () for address in item.split(",") if address.strip()
    )
    notify = NotifySettings(
        webhook_url=args.webhook_url or None,
        webhook_secret=args.webhook_secret or os.environ.get("VERIFIER_WEBHOOK_SECRET") or None,
        smtp_host=args.smtp_host or None,
        smtp_port=args.smtp_port or (587 if args.smtp_starttls else 25),
        smtp_starttls=bool(args.smtp_starttls),
        smtp_user=args.smtp_user or None,
        smtp_password=args.smtp_password or os.environ.get(PASSWORD_VARIABLE) or None,
        smtp_from=args.smtp_from or None,
        notify_email=emails,
    )
    notify.validate()
    return notify if notify.enabled else None


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {key: value for key, value in overrides_from(args).items() if key not in _SERVICE_ONLY}
    settings = load_settings(overrides, config_path=args.config)
    validate_settings(settings)
    return settings


def run(args: argparse.Namespace) -> int:
    from verifier.service.retention import parse_age
    from verifier.service.server import open_context, serve

    settings = settings_from(args)
    source_root = args.source_root.resolve() if args.source_root else None
    keep_runs = parse_age(args.keep_runs) if args.keep_runs else None
    context = open_context(
        args.data_dir,
        settings,
        source_root,
        notify=notify_from(args),
        keep_runs=keep_runs,
        lease_seconds=args.lease_seconds,
    )
    serve(context, host=args.host, port=args.port, worker=args.worker, workers=args.queue_workers)
    return 0
