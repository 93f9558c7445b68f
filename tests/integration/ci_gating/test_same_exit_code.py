"""``verifier check`` and ``verifier report`` end with the same code on the same report."""

from __future__ import annotations

import pytest

from tests.integration.check_run.conftest import Site, Workspace
from verifier import cli

OFFLINE = ("--network-canaries", "canary.invalid")


def _report_code(workspace: Workspace, *flags: str) -> int:
    path = workspace.reports / "link-health.json"
    return cli.main(
        ["report", str(path), "--format", "md", "--output-dir", str(workspace.root / "out"), *flags]
    )


@pytest.mark.parametrize("fail_only_new", [False, True])
@pytest.mark.parametrize("with_dead", [True, False])
def test_check_and_report_agree_when_the_network_dropped_half_way(
    workspace: Workspace, site: Site, with_dead: bool, fail_only_new: bool
) -> None:
    live = site.set("/ok/a")
    gone = site.set("/gone/b", 404)
    # This name never resolves and neither do the canaries: the run's network counts as down
    # for it, while the local server's links were judged before and beside it.
    text = f"[a]({live})\n\n[c](http://nowhere.invalid/c)\n"
    if with_dead:
        text += f"\n[b]({gone})\n"
    workspace.write("a.md", text)
    flags = ["--fail-on", "dead,unknown", *(["--fail-only-new"] if fail_only_new else [])]
    for _ in range(2):  # the second run's outcomes are no longer new
        code = workspace.check(*OFFLINE, *flags)
        assert code == _report_code(workspace, *flags)
    report = workspace.report()
    assert report["run"]["network_down"] is True
    offline = [link for link in report["links"] if link.get("offline")]
    assert [link["url"] for link in offline] == ["http://nowhere.invalid/c"]
    expected = 1 if with_dead and not fail_only_new else 3
    assert code == expected


def test_report_gains_fail_only_new(workspace: Workspace, site: Site) -> None:
    gone = site.set("/gone/x", 404)
    workspace.write("a.md", f"[x]({gone})\n")
    assert workspace.check() == 1
    assert workspace.check() == 1
    assert _report_code(workspace) == 1
    assert _report_code(workspace, "--fail-only-new") == 0
    assert workspace.check("--fail-only-new") == 0


def test_an_old_report_without_offline_flags_still_reads_the_network_as_down(
    workspace: Workspace, site: Site
) -> None:
    import json

    workspace.write("a.md", "[c](http://nowhere.invalid/c)\n")
    assert workspace.check(*OFFLINE, "--fail-on", "unknown") == 3
    path = workspace.reports / "link-health.json"
    report = json.loads(path.read_text(encoding="utf-8"))
    for link in report["links"]:
        link.pop("offline", None)
    path.write_text(json.dumps(report), encoding="utf-8")
    assert _report_code(workspace, "--fail-on", "unknown") == 3
