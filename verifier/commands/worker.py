"""``verifier worker``: more consumers of the service's check queue, on this machine or another."""

from __future__ import annotations

import argparse

from verifier.commands.check import add_setting_arguments
from verifier.commands.serve import (
    add_data_dir,
    add_guard,
    add_lease,
    add_queue,
    add_queue_workers,
    settings_from,
)

HELP = "check host batches from the service's queue (runs and the scheduler stay with `verifier serve`)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir(parser)
    add_queue_workers(parser)
    add_lease(parser)
    add_queue(parser)
    add_guard(parser)
    add_setting_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from verifier.service.server import open_context, work

    # A worker never shards its checks over processes: more workers are the way to scale.
    settings = dataclasses.replace(settings_from(args), workers=1)
    # A worker reads no sources and sends no digests: it checks host batches for `serve`.
    context = open_context(args.data_dir, settings, None, lease_seconds=args.lease_seconds)
    work(context, workers=args.queue_workers)
    return 0
