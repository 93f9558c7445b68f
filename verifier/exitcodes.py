"""The exit codes of every command, in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # every reference resolves, live or through an archive
    FAILING = 1  # a link's outcome is one that --fail-on names
    USAGE = 2  # a usage, configuration or environment fault: nothing was decided about links
    INCONCLUSIVE = 3  # our own network was down, so some links could not be judged
    INTERNAL = 4  # a defect in verifier itself
    INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM; the report holds what was checked
