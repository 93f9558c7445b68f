"""--fail-only-new: a nightly job fails on what went wrong since the last run, not the same old list."""

from __future__ import annotations

from tests.integration.check_run.conftest import Site, Workspace


def test_only_new_failures_fail_the_run(workspace: Workspace, site: Site) -> None:
    old_dead = site.set("/old", 404)
    fine = site.set("/fine", 200)
    workspace.write("a.md", f"[old]({old_dead}) and [fine]({fine})\n")

    # First sight of a dead link is new.
    assert workspace.check("--no-archive", "--fail-only-new") == 1
    # The same dead link again: not new, the run passes; without the flag it still fails.
    assert workspace.check("--no-archive", "--no-cache", "--fail-only-new") == 0
    assert workspace.check("--no-archive", "--no-cache") == 1

    # A link that dies since the previous run fails it again.
    site.set("/fine", 410)
    assert workspace.check("--no-archive", "--no-cache", "--fail-only-new") == 1
    changes = {change["url"]: change["change"] for change in workspace.report()["changes"]}
    assert changes == {fine: "died"}
    assert workspace.check("--no-archive", "--no-cache", "--fail-only-new") == 0


def test_fail_only_new_from_the_config_file(workspace: Workspace, site: Site) -> None:
    dead = site.set("/gone", 404)
    workspace.write("a.md", f"<{dead}>\n")
    (workspace.root / "verifier.toml").write_text("fail-only-new = true\n")
    assert workspace.check("--no-archive") == 1
    assert workspace.check("--no-archive", "--no-cache") == 0
    assert workspace.check("--no-archive", "--no-cache", "--no-fail-only-new") == 1
