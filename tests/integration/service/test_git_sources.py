"""Git sources: what a spec may say, and real fetches over HTTPS from a local smart-HTTP server
(``git http-backend`` run as CGI behind a threaded HTTPS server with the tests' local CA)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integration.check_run.conftest import Site
from tests.integration.service.conftest import Service, quiet_settings
from tests.servers.tls import LocalCA
from verifier.service.git import GitError, checkout_folder, sync_checkout
from verifier.service.netguard import REFUSAL, guarded
from verifier.service.paths import ServicePaths
from verifier.service.sources import SourceError, validate_spec

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def _git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **_GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout


class GitServer:
    """Bare repositories under ``root`` served over HTTPS by ``git http-backend``."""

    def __init__(self, root: Path, ca: LocalCA) -> None:
        self.root = root
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one exchange per connection: no framing to get wrong

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _cgi(self) -> None:
                path, _, query = self.path.partition("?")
                server.requests.append(path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                env = {
                    "PATH": os.environ["PATH"],
                    "GIT_PROJECT_ROOT": str(server.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_ADDR": self.client_address[0],
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                    "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                }
                done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
                head, _, payload = done.stdout.partition(b"\r\n\r\n")
                status = 200
                headers = []
                for line in head.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _cgi
            do_POST = _cgi

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        context = ca.context("valid")
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}/{name}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def ca(tmp_path: Path) -> LocalCA:
    return LocalCA(tmp_path)


@pytest.fixture
def git_server(tmp_path: Path, ca: LocalCA) -> Iterator[GitServer]:
    root = tmp_path / "served"
    root.mkdir()
    server = GitServer(root, ca)
    try:
        yield server
    finally:
        server.close()


class Repo:
    """A working repository whose pushes land in the served bare one."""

    def __init__(self, work: Path, bare: Path) -> None:
        self.work = work
        _git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        _git("init", "--quiet", "--initial-branch=main", str(work))
        _git("remote", "add", "origin", str(bare), cwd=work)

    def commit(self, files: dict[str, str], message: str = "change", branch: str = "main") -> None:
        for name, text in files.items():
            target = self.work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _git("add", "--all", cwd=self.work)
        _git("commit", "--quiet", "-m", message, cwd=self.work)
        _git("push", "--quiet", "origin", f"HEAD:{branch}", cwd=self.work)


@pytest.fixture
def repo(tmp_path: Path, git_server: GitServer) -> Repo:
    return Repo(tmp_path / "work", git_server.root / "docs.git")


# What a spec may say ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("git", "words"),
    [
        ({"url": "http://example.org/r.git", "paths": ["*.md"]}, "https://"),
        ({"url": "ext::sh -c touch% /tmp/pwned", "paths": ["*.md"]}, "https://"),
        ({"url": "file:///etc", "paths": ["*.md"]}, "https://"),
        ({"url": "git@example.org:r.git", "paths": ["*.md"]}, "https://"),
        ({"url": "ssh://example.org/r.git", "paths": ["*.md"]}, "https://"),
        ({"url": "https://user:secret@example.org/r.git", "paths": ["*.md"]}, "credentials"),
        ({"url": "https://example.org/r .git", "paths": ["*.md"]}, "spaces"),
        ({"url": "https://example.org/r.git", "paths": ["*.md"], "branch": "--upload-pack=x"}, "branch"),
        ({"url": "https://example.org/r.git", "paths": ["*.md"], "branch": "a..b"}, "branch"),
        ({"url": "https://example.org/r.git", "paths": ["../outside/*.md"]}, "inside the checkout"),
        ({"url": "https://example.org/r.git", "paths": ["/etc/passwd"]}, "inside the checkout"),
        ({"url": "https://example.org/r.git", "paths": [".git/config"]}, "inside the checkout"),
        ({"url": "https://example.org/r.git", "paths": []}, "non-empty"),
        ({"url": "https://example.org/r.git"}, "non-empty"),
        ({"url": "https://example.org/r.git", "paths": ["*"], "depth": 5}, "only url"),
    ],
)
def test_specs_that_are_refused(git: dict[str, Any], words: str) -> None:
    with pytest.raises(SourceError, match=words):
        validate_spec({"git": git}, None)


def test_a_good_spec_is_kept() -> None:
    spec = validate_spec(
        {"git": {"url": "https://example.org/docs.git", "branch": "release/2.x", "paths": ["docs/**/*.md"]}},
        None,
    )
    assert spec["git"] == {
        "url": "https://example.org/docs.git",
        "branch": "release/2.x",
        "paths": ["docs/**/*.md"],
    }


def test_the_api_takes_and_shows_a_git_source(service: Service) -> None:
    body = {"name": "g", "git": {"url": "https://example.org/d.git", "paths": ["*.md"]}}
    made = service.client.post("/api/v1/sources", json=body, headers=service.as_editor())
    assert made.status_code == 201
    shown = service.client.get(f"/api/v1/sources/{made.json()['id']}", headers=service.as_editor()).json()
    assert shown["git"] == {"url": "https://example.org/d.git", "paths": ["*.md"]}
    refused = service.client.post(
        "/api/v1/sources",
        json={"name": "h", "git": {"url": "file:///srv/r", "paths": ["*"]}},
        headers=service.as_editor(),
    )
    assert refused.status_code == 422
    moved = service.client.patch(
        f"/api/v1/sources/{made.json()['id']}", json={"paths": ["*.md"]}, headers=service.as_editor()
    )
    assert moved.status_code == 200 and moved.json()["git"] is None and moved.json()["paths"] == ["*.md"]


# Real fetches ---------------------------------------------------------------------------------------------


def _settings(ca: LocalCA, **changes: Any) -> Any:
    return guarded(quiet_settings(ca_bundle=str(ca.ca_file), **changes))


def test_a_fetch_over_https_then_a_pull(
    tmp_path: Path, git_server: GitServer, repo: Repo, ca: LocalCA
) -> None:
    repo.commit({"docs/a.md": "first\n", "notes/b.md": "other\n"})
    paths = ServicePaths(tmp_path / "data").create()
    spec = {"url": git_server.url("docs.git"), "paths": ["docs/*.md"]}
    folder = asyncio.run(sync_checkout(paths, 7, spec, _settings(ca)))
    assert folder == checkout_folder(paths, 7) == tmp_path / "data" / "git" / "7"
    assert (folder / "docs" / "a.md").read_text(encoding="utf-8") == "first\n"
    repo.commit({"docs/a.md": "second\n", "docs/c.md": "new\n"})
    (folder / "docs" / "stray.md").write_text("left behind\n", encoding="utf-8")
    asyncio.run(sync_checkout(paths, 7, spec, _settings(ca)))
    assert (folder / "docs" / "a.md").read_text(encoding="utf-8") == "second\n"
    assert (folder / "docs" / "c.md").is_file() and not (folder / "docs" / "stray.md").exists()
    assert any(path.endswith("git-upload-pack") for path in git_server.requests)


def test_a_branch_is_fetched_by_name(tmp_path: Path, git_server: GitServer, repo: Repo, ca: LocalCA) -> None:
    repo.commit({"a.md": "main\n"})
    repo.commit({"a.md": "release\n"}, branch="release")
    paths = ServicePaths(tmp_path / "data").create()
    spec = {"url": git_server.url("docs.git"), "branch": "release", "paths": ["*.md"]}
    folder = asyncio.run(sync_checkout(paths, 1, spec, _settings(ca)))
    assert (folder / "a.md").read_text(encoding="utf-8") == "release\n"
    with pytest.raises(GitError, match="fetch failed"):
        asyncio.run(sync_checkout(paths, 1, {**spec, "branch": "nope"}, _settings(ca)))


def test_the_guard_holds_for_git(tmp_path: Path, git_server: GitServer, repo: Repo, ca: LocalCA) -> None:
    repo.commit({"a.md": "x\n"})
    paths = ServicePaths(tmp_path / "data").create()
    spec = {"url": git_server.url("docs.git"), "paths": ["*.md"]}
    with pytest.raises(GitError, match=REFUSAL):
        asyncio.run(sync_checkout(paths, 1, spec, _settings(ca, allow_private_addresses=())))
    assert git_server.requests == []


def test_hooks_never_run_and_redirects_are_not_followed(
    tmp_path: Path, git_server: GitServer, repo: Repo, ca: LocalCA
) -> None:
    repo.commit({"a.md": "x\n"})
    paths = ServicePaths(tmp_path / "data").create()
    spec = {"url": git_server.url("docs.git"), "paths": ["*.md"]}
    folder = asyncio.run(sync_checkout(paths, 1, spec, _settings(ca)))
    # A hook planted in the checkout (as a compromised earlier fetch might) is not run.
    marker = tmp_path / "hook-ran"
    for hook in ("post-checkout", "reference-transaction", "fsmonitor-watchman"):
        script = folder / ".git" / "hooks" / hook
        script.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
        script.chmod(0o755)
    repo.commit({"a.md": "y\n"})
    asyncio.run(sync_checkout(paths, 1, spec, _settings(ca)))
    assert not marker.exists()


def test_a_run_reads_the_globs_and_no_link_out_of_the_checkout(
    service: Service, git_server: GitServer, repo: Repo, ca: LocalCA, site: Site, tmp_path: Path
) -> None:
    # In place: the fixture's queue holds this very context.
    object.__setattr__(service.context, "settings", _settings(ca))
    live = site.set("/from-git")
    secret = tmp_path / "secret.md"
    secret.write_text(f"[s]({site.set('/secret')})\n", encoding="utf-8")
    repo.commit({"docs/a.md": f"[a]({live})\n", "other/b.md": f"[b]({site.set('/not-in-glob')})\n"})
    os.symlink(str(secret), repo.work / "docs" / "leak.md")
    os.symlink("../../../../../../../../../..", repo.work / "docs" / "up")
    repo.commit({})
    body = {"name": "repo", "git": {"url": git_server.url("docs.git"), "paths": ["docs/**/*.md"]}}
    editor = service.as_editor()
    source = service.client.post("/api/v1/sources", json=body, headers=editor).json()["id"]
    run_id = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor).json()["id"]
    run = service.client.get(f"/api/v1/runs/{run_id}", headers=editor).json()
    assert run["status"] == "complete", run
    report = service.client.get(f"/api/v1/runs/{run_id}/report", headers=editor).json()
    assert [link["url"] for link in report["links"]] == [live]
    assert site.count("/secret") == 0 and site.count("/not-in-glob") == 0
    checkout = checkout_folder(service.context.paths, source)
    assert all(Path(place["path"]).is_relative_to(checkout) for place in report["links"][0]["occurrences"])


def test_a_run_of_an_unreachable_repository_fails_saying_why(service: Service) -> None:
    body = {"name": "gone", "git": {"url": "https://127.0.0.1:9/none.git", "paths": ["*.md"]}}
    editor = service.as_editor()
    source = service.client.post("/api/v1/sources", json=body, headers=editor).json()["id"]
    run_id = service.client.post(f"/api/v1/sources/{source}/runs", headers=editor).json()["id"]
    run = service.client.get(f"/api/v1/runs/{run_id}", headers=editor).json()
    assert run["status"] == "failed" and "git fetch failed" in run["error"]
