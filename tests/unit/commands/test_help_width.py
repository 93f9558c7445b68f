"""Help is laid out to the terminal's width, found without importing shutil."""

from __future__ import annotations

import os

import pytest

from verifier import cli


@pytest.mark.parametrize(("columns", "width"), [("100", 98), ("0", 78), ("-5", 78), ("wide", 78)])
def test_help_width_follows_columns_and_falls_back_to_80(
    columns: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)

    def no_terminal(descriptor: int) -> os.terminal_size:
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert cli._help_width() == width


def test_help_is_printed_at_any_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "0")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["check", "--help"])
    assert stopped.value.code == 0
    assert "--output-dir" in capsys.readouterr().out
