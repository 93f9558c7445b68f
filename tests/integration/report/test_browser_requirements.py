"""What the browser tests need, and how .ci/run provides it: a missing CJK font skips the glyph test
with a message outside CI and fails it in CI; .ci/run installs browser and font each when missing."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.report import test_html_browser as browser_tests

ROOT = Path(__file__).resolve().parents[3]


def fake_fc_list(monkeypatch: pytest.MonkeyPatch, output: str, returncode: int = 0) -> None:
    monkeypatch.setattr(browser_tests.shutil, "which", lambda name: f"/usr/bin/{name}")

    def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert command[1:] == [":lang=zh", "family"]
        return subprocess.CompletedProcess(command, returncode, output, "")

    monkeypatch.setattr(browser_tests.subprocess, "run", run)


def test_no_cjk_font_skips_with_a_message_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_fc_list(monkeypatch, "")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="fonts-noto-cjk"):
        browser_tests.require_cjk_font()


def test_no_cjk_font_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_fc_list(monkeypatch, "")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="fonts-noto-cjk"):
        browser_tests.require_cjk_font()


def test_an_installed_cjk_font_lets_the_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_fc_list(monkeypatch, "Noto Sans CJK SC\nNoto Serif CJK JP\n")
    monkeypatch.setenv("CI", "true")
    browser_tests.require_cjk_font()
    assert browser_tests.cjk_font_missing() is None


def test_ci_script_installs_what_is_missing_and_runs_readmes_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^export CI=true$", script, re.MULTILINE)
    # Browser and font are checked apart: a machine may have one without the other.
    assert "command -v chromium" in script
    assert "fc-list :lang=zh" in script
    assert "fonts-noto-cjk" in script and "fonts-noto-cjk" in readme
    commands = re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL)
    [test_command] = [command for command in commands if "tox -e tests" in command]
    last = [line for line in script.splitlines() if line.strip()][-1]
    assert last == test_command
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")], check=False).returncode == 0
