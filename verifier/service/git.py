"""Git sources: a repository fetched over HTTPS into ``DIR/git/<source id>/`` before each run.

``git: {url, branch, paths}`` names an ``https://`` repository (never ``ext::``, ``file://``,
ssh or plain http), an optional branch (else the remote's default), and the globs of the
files to read, which stay inside the checkout (symbolic links that lead out of it are not
followed: the checkout is walked without following any, and a linked file is read only when
it leads to a file inside the checkout).

git is run as a stranger's code would be: only the https transport is allowed
(``GIT_ALLOW_PROTOCOL``, ``protocol.allow``), no hooks, no system or user configuration, no
credential helpers or prompts, no redirects, and within a time limit. Under the service's
address guard the host is resolved here, its addresses put to the policy, and git pinned to
the allowed ones (``http.curloptResolve``), so it connects to exactly what was checked.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from verifier.config import Settings
from verifier.model import InputProblem
from verifier.service.paths import ServicePaths

#: Seconds a fetch and checkout may take in all.
GIT_TIMEOUT = 300.0
#: What a branch name may look like here: git's rules, and never an option.
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+-]*")
_GIT_KEYS = frozenset({"url", "branch", "paths"})


class GitError(Exception):
    """The repository could not be fetched or checked out; the message says why."""


def _refuse(message: str) -> Exception:
    from verifier.service.sources import SourceError

    return SourceError(message)


def validate_git(value: Any) -> dict[str, Any]:
    """The stored form of a ``git`` spec; SourceError when it is not one the service will fetch."""
    if not isinstance(value, Mapping) or not isinstance(value.get("url"), str):
        raise _refuse("git: an object with url, paths and optionally branch")
    unknown = sorted(set(value) - _GIT_KEYS)
    if unknown:
        raise _refuse(f"git: only url, branch and paths, not {unknown}")
    url: str = value["url"].strip()
    parts = urlsplit(url)
    if not url.lower().startswith("https://") or parts.scheme != "https" or not parts.hostname:
        raise _refuse("git.url: an https:// address (no ext::, file://, ssh or http)")
    if parts.username is not None or parts.password is not None:
        raise _refuse("git.url: no credentials in the address (it is shown to every viewer)")
    if any(ord(c) < 33 or c in "\\\x7f" for c in url):
        raise _refuse("git.url: no spaces, backslashes or control characters")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise _refuse(f"git.url: {error}") from None
    clean: dict[str, Any] = {"url": url}
    branch = value.get("branch")
    if branch is not None:
        if (
            not isinstance(branch, str)
            or len(branch) > 200
            or not _BRANCH.fullmatch(branch)
            or ".." in branch
            or "//" in branch
            or branch.endswith((".lock", "/", "."))
        ):
            raise _refuse("git.branch: a branch name (letters, digits and . _ / + -, not starting with -)")
        clean["branch"] = branch
    patterns = value.get("paths")
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise _refuse("git.paths: a non-empty list of globs inside the repository")
    for pattern in patterns:
        parts_of = Path(pattern).parts
        if os.path.isabs(pattern) or ".." in parts_of or ".git" in parts_of:
            raise _refuse(f"git.paths: {pattern!r} must stay inside the checkout (and out of .git)")
    clean["paths"] = list(patterns)
    return clean


def _glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over ``/``-separated relative paths: ``**`` spans folders,
    ``*`` and ``?`` stay within one, ``[…]`` is a class."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:[^/]*/)*")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end].replace("\\", "\\\\")
            out.append(f"[^{body[1:]}]" if body.startswith("!") else f"[{body}]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def git_documents(patterns: list[str], checkout: Path) -> tuple[list[str], list[InputProblem]]:
    """The checkout's files the globs name, read from a walk that never follows a symbolic link
    (a repository may hold one to ``/`` or to anything on the machine); a linked file is read
    only when it leads to a file inside the checkout."""
    root = checkout.resolve()
    compiled = [(pattern, _glob_pattern(pattern.strip("/"))) for pattern in patterns]
    matched: dict[str, list[str]] = {pattern: [] for pattern in patterns}
    problems: list[InputProblem] = []
    for folder, folders, names in os.walk(root, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            hits = [pattern for pattern, test in compiled if test.fullmatch(relative)]
            if not hits:
                continue
            if path.is_symlink():
                target = path.resolve()
                if not (root in target.parents and target.is_file()):
                    problems.append(InputProblem(str(path), None, "leads outside the checkout; skipped"))
                    continue
            elif not path.is_file():
                continue
            for pattern in hits:
                matched[pattern].append(str(path))
    files: list[str] = []
    for pattern, found in matched.items():
        if not found:
            problems.append(InputProblem(pattern, None, "no files match this pattern", "warning"))
        files += [path for path in found if path not in files]
    return files, problems


def checkout_folder(paths: ServicePaths, source_id: int) -> Path:
    return paths.root / "git" / str(source_id)


def _curl_address(address: str) -> str:
    return f"[{address}]" if ":" in address else address


async def _pinning(url: str, settings: Settings) -> list[str]:
    """``-c`` options that make git connect only where the guard allows (or ``--resolve`` says)."""
    from verifier.check.http.transport import parse_resolve
    from verifier.service.netguard import PrivateAddressError, address_policy, permitted_addresses

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or 443
    pinned = parse_resolve(settings.resolve).get((host, port))
    if pinned is not None:
        if pinned[1] != port:
            raise GitError(f"--resolve sends {host}:{port} to another port, which git cannot follow")
        return ["-c", f"http.curloptResolve={host}:{port}:{_curl_address(pinned[0])}"]
    policy = address_policy(settings)
    if policy is None:
        return []
    try:
        addresses = await permitted_addresses(host, port, policy, timeout=settings.connect_timeout)
    except PrivateAddressError as error:
        raise GitError(str(error)) from None
    except (OSError, TimeoutError) as error:
        raise GitError(f"cannot look up {host}: {error}") from None
    joined = ",".join(_curl_address(address) for address in addresses)
    return ["-c", f"http.curloptResolve={host}:{port}:{joined}"]


def _ca_file(folder: Path, settings: Settings) -> Path | None:
    """The trust store plus ``ca-bundle`` in one file, as git takes one (it would replace the store)."""
    if not settings.ca_bundle:
        return None
    import certifi

    combined = folder / "ca-bundle.pem"
    text = Path(certifi.where()).read_text(encoding="ascii", errors="replace")
    text += "\n" + Path(settings.ca_bundle).read_text(encoding="ascii", errors="replace")
    if not combined.is_file() or combined.read_text(encoding="ascii", errors="replace") != text:
        combined.write_text(text, encoding="ascii")
    return combined


def _environment(home: Path) -> dict[str, str]:
    """A bare environment: no user or system configuration, proxies, prompts or helpers."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C",
        "GIT_ALLOW_PROTOCOL": "https",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_LFS_SKIP_SMUDGE": "1",
    }


async def sync_checkout(
    paths: ServicePaths,
    source_id: int,
    spec: Mapping[str, Any],
    settings: Settings,
    *,
    timeout: float = GIT_TIMEOUT,
) -> Path:
    """Fetch the branch's newest commit and check it out; the checkout's folder. GitError if not."""
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed where the service runs")
    url: str = spec["url"]
    folder = checkout_folder(paths, source_id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    options = [
        "-c", "protocol.allow=never",
        "-c", "protocol.https.allow=always",
        "-c", f"core.hooksPath={os.devnull}",
        "-c", "core.fsmonitor=false",
        "-c", "credential.helper=",
        "-c", "http.followRedirects=false",
        "-c", "http.lowSpeedLimit=1024",
        "-c", "http.lowSpeedTime=60",
        "-c", f"http.userAgent={settings.user_agent}",
        "-c", "submodule.recurse=false",
        *await _pinning(url, settings),
    ]  # fmt: skip
    ca_file = _ca_file(folder.parent, settings)
    if ca_file is not None:
        options += ["-c", f"http.sslCAInfo={ca_file}"]
    if settings.insecure:
        options += ["-c", "http.sslVerify=false"]
    environment = _environment(folder.parent)
    deadline = time.monotonic() + timeout

    async def run(*args: str) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise GitError(f"git took longer than {timeout:g} s")
        try:
            done = await asyncio.to_thread(
                subprocess.run,
                [git, *options, *args],
                env=environment,
                capture_output=True,
                text=True,
                timeout=remaining,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise GitError(f"git took longer than {timeout:g} s") from None
        if done.returncode != 0:
            said = " ".join(done.stderr.strip().splitlines()[-3:]) or f"exit code {done.returncode}"
            raise GitError(f"git {args[2] if args[0] == '-C' else args[0]} failed: {said}")

    if not (folder / ".git").is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        await run("init", "--quiet", str(folder))
    # One commit deep, every time into the same folder: a changed URL or branch simply
    # replaces what is checked out.
    ref = f"refs/heads/{spec['branch']}" if spec.get("branch") else "HEAD"
    fetch = ("fetch", "--quiet", "--depth", "1", "--no-tags", "--no-recurse-submodules")
    await run("-C", str(folder), *fetch, url, ref)
    await run("-C", str(folder), "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD")
    await run("-C", str(folder), "clean", "--quiet", "-ffdx")
    return folder
