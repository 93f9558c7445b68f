"""A network of its own for a benchmark: loopback only, and every DNS name answered NXDOMAIN.

The misbehaving corpus cites names that must not resolve (``*.invalid``). Looking them up
through the machine's resolver would send queries off the machine, and a resolver that is
unreachable answers "try again", not "no such name", which is a different verdict. So the
benchmark re-executes itself under ``unshare`` in a new user, network and mount namespace:
only ``lo`` exists (127.0.0.0/8 and nothing else can be reached), ``/etc/resolv.conf`` is
replaced inside the namespace by one naming 127.0.0.1, and a tiny DNS server there answers
NXDOMAIN to every question. ``localhost`` still resolves from ``/etc/hosts``.

Call :func:`enter` first thing in ``main``; the parent process only waits for the child.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

INSIDE = "VERIFIER_BENCH_NAMESPACE"


def enter() -> None:
    """Re-run this script inside its own namespace (a no-op once inside)."""
    if os.environ.get(INSIDE) == "1":
        _set_up()
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        raise SystemExit("unshare (util-linux) is needed to keep the benchmark's traffic on loopback")
    command = [unshare, "--user", "--map-root-user", "--net", "--mount", sys.executable, *sys.argv]
    # exec rather than a child: Ctrl-C and the exit code go straight to the benchmark.
    os.execve(unshare, command, {**os.environ, INSIDE: "1"})


def _set_up() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    resolv = Path(tempfile.mkdtemp(prefix="bench-resolv-")) / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
    subprocess.run(["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    threading.Thread(target=_answer_nxdomain, args=(sock,), name="nxdomain", daemon=True).start()


def _answer_nxdomain(sock: socket.socket) -> None:
    while True:
        query, peer = sock.recvfrom(4096)
        if len(query) < 12:
            continue
        end = 12
        while end < len(query) and query[end] != 0:
            end += query[end] + 1
        question = query[12 : end + 5]
        # Same id; QR, opcode copied, RD copied, RA set, rcode 3 (NXDOMAIN); one question, no records.
        flags = bytes([0x80 | (query[2] & 0x79), 0x83])
        sock.sendto(query[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question, peer)
