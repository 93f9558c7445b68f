"""GitHub Actions annotations: one workflow command per problem, escaped as the runner expects."""

from __future__ import annotations

from typing import Any

import pytest

from verifier.report.github import annotations, command, escape_data, escape_property


def test_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"
    assert escape_data("a,b:c") == "a,b:c"


def test_command_shape() -> None:
    line = command("error", "gone\nfor good", file="docs/a,b:c.md", line=3, col=7, title="Dead link: x")
    assert line == "::error file=docs/a%2Cb%3Ac.md,line=3,col=7,title=Dead link%3A x::gone%0Afor good"
    assert command("warning", "m", file="f.txt", title="t") == "::warning file=f.txt,title=t::m"


def test_annotations_for_the_sample(sample_report: dict[str, Any]) -> None:
    lines = annotations(sample_report, ("dead",))
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 7 + 1  # dead references and the unreadable input
    levels = [line[2 : line.index(" ")] for line in lines]
    assert levels == sorted(levels, key=["error", "warning", "notice"].index)
    first = next(line for line in errors if "line=165," in line)
    assert first.startswith("::error file=seeds/003_a0175d8ff7ab9ad7.txt,line=165,col=3,title=Dead link::")
    assert "footnote [②]" in first and "no good archive snapshot" in first
    archived = next(line for line in lines if "line=34," in line and "seeds/000" in line)
    assert archived.startswith("::warning ")
    assert "replace with https://web.archive.org/web/20120327031545/" in archived
    assert not any("zh.wikipedia.org" in line for line in lines)  # live links stay quiet
    assert any(
        line.startswith("::warning file=docs/2012年核安全峰會.wiki,line=40,title=Footnote issue%3A")
        for line in lines
    )
    assert all("\n" not in line and "\r" not in line for line in lines)


@pytest.mark.parametrize(
    ("fail_on", "errors"), [(("never",), 1), (("dead", "archived"), 14), (("unknown",), 2)]
)
def test_fail_on_decides_errors(sample_report: dict[str, Any], fail_on: tuple[str, ...], errors: int) -> None:
    lines = annotations(sample_report, fail_on)
    assert sum(1 for line in lines if line.startswith("::error ")) == errors
