"""Run one command and report its own peak memory, free of the benchmark's.

Linux carries a process's resident high-water mark into the program it executes, and a child
forked from the benchmark starts with the benchmark's: after a round that has read a 100 MB
report, every later child "peaked" at the benchmark's size. Started through this small
program, the command is forked from a process of a few megabytes instead.

    python peak.py RESULT.json COMMAND [ARG ...]

Writes ``{"wall", "peak_kb", "cpu", "exit_code", "killed"}`` to RESULT.json when the command ends.
SIGTERM stops the command (SIGKILL) and still writes the figures, so a run stopped at a time
limit is measured too. Exits with the command's exit code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time


def main() -> int:
    result, command = sys.argv[1], sys.argv[2:]
    # Timed here, so that starting this program is not counted as the command's time.
    started = time.perf_counter()
    child = os.fork()
    if child == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    killed = False
    reaped = False

    def stop(signum: int, frame: object) -> None:
        nonlocal killed
        if reaped:
            return  # ended on its own just as the limit came; its pid may be another's now
        killed = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    # wait4 is resumed by Python itself after the handler runs.
    _, status, usage = os.wait4(child, 0)
    reaped = True
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w", encoding="utf-8") as stream:
        json.dump(
            {
                "wall": wall,
                "peak_kb": usage.ru_maxrss,
                "cpu": usage.ru_utime + usage.ru_stime,
                "exit_code": code,
                "killed": killed,
            },
            stream,
        )
    return code % 256


if __name__ == "__main__":
    sys.exit(main())
