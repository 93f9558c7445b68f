"""``verifier extract`` end to end: real files, the real extractors, the printed JSON and listing."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.extract.input import samples
from verifier.cli import main
from verifier.extract import iter_documents
from verifier.extract.base import LineIndex
from verifier.model import Document

ROOT = Path(__file__).resolve().parents[3]
MARKDOWN_SEED = "seeds/000_c3dc2c98d2c962ed.txt"
PDF_TEXT_SEED = "seeds/003_a0175d8ff7ab9ad7.txt"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run(["extract", "--json", *argv], capsys)
    documents: list[dict[str, Any]] = json.loads(out)
    return code, documents, err


def by_path(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {document["path"]: document for document in documents}


def urls(document: dict[str, Any]) -> list[str]:
    return [reference["url"] for reference in document["references"]]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_seeds_directory_gives_both_documents_by_content(
    at_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, documents, err = run_json(["seeds/"], capsys)
    assert (code, err) == (0, "")
    assert [(d["path"], d["format"], d["encoding"]) for d in documents] == [
        (MARKDOWN_SEED, "markdown", "utf-8"),
        (PDF_TEXT_SEED, "text", "utf-8"),
    ]
    for document in documents:
        assert document["sha256"] == hashlib.sha256((at_root / document["path"]).read_bytes()).hexdigest()


def test_the_seed_essentials_the_issue_asks_for(at_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, documents, _ = run_json(["seeds"], capsys)
    markdown, pdf_text = by_path(documents)[MARKDOWN_SEED], by_path(documents)[PDF_TEXT_SEED]

    wrapped = {r["url"]: r["line"] for r in pdf_text["references"] if r["line"] in (584, 586)}
    assert wrapped == {
        "http://www.nytimes.com/2010/04/14/world/14summit.html": 584,
        "http://www.sltrib.com/nationworld/ci_14875348": 586,
    }

    missing_pages = [
        r["raw"]
        for r in markdown["references"]
        if r["kind"] == "internal" and any(i["kind"] == "missing-target" for i in r.get("issues", []))
    ]
    assert missing_pages == [
        "../Page/國際會議暨展示中心.md",
        "../Page/美国.md",
        "../Page/俄罗斯.md",
        "../Page/国际原子能机构.md",
    ]

    assert [(i["kind"], i["label"]) for i in markdown["footnote_issues"]] == [("empty-definition", "2")]


def test_globs_and_repeated_paths_name_each_document_once(
    at_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, documents, _ = run_json(["seeds/*.txt", "./seeds/000_c3dc2c98d2c962ed.txt", "seeds/**/003_*"], capsys)
    assert [d["path"] for d in documents] == [MARKDOWN_SEED, PDF_TEXT_SEED]


def test_the_listing_shows_references_issues_and_one_line_per_citation(
    at_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", "seeds"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{MARKDOWN_SEED} (markdown, ")
    assert any(line.startswith(f"{PDF_TEXT_SEED} (text, ") for line in lines)
    assert "    missing-target: links to ../Page/美国.md, which does not exist" in lines
    assert any("empty-definition [2]" in line for line in lines)
    assert "  584:57 [①] external http://www.nytimes.com/2010/04/14/world/14summit.html" in lines
    # Every listed line is a document header or indented under one: no citation spills over.
    assert all(line.startswith(("seeds/", "  ")) for line in lines)


@pytest.mark.parametrize(
    ("name", "content", "fmt", "url"),
    [
        ("page.md", samples.HTML_PAGE, "html", "https://en.wikipedia.org/wiki/Seoul"),
        (
            "article.txt",
            samples.WIKITEXT,
            "wikitext",
            "http://www.nytimes.com/2010/04/14/world/14summit.html",
        ),
        ("notes.html", samples.MARKDOWN_FOOTNOTES, "markdown", "https://example.org/note"),
        ("paper.md", samples.PDF_TEXT, "text", "http://www.nytimes.com/2010/04/14/world/14summit.html"),
    ],
)
def test_misleading_file_names_do_not_fool_the_format(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, fmt: str, url: str
) -> None:
    (in_tmp / name).write_text(content, encoding="utf-8")
    code, documents, _ = run_json([name], capsys)
    assert code == 0
    assert documents[0]["format"] == fmt
    assert url in urls(documents[0])


def test_bad_input_is_reported_and_every_good_file_still_extracted(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = in_tmp / "docs"
    docs.mkdir()
    (docs / "a-utf16.md").write_bytes(
        b"\xff\xfe" + "# Notes\r\n\r\nSee [the summit](https://example.org/summit).\r\n".encode("utf-16-le")
    )
    (docs / "b-gb18030.txt").write_bytes(
        "核安全峰会的资料见 http://www.fmprc.gov.cn/mfa_chn/t679505.shtml。\n国际社会广泛关注。\n".encode(
            "gb18030"
        )
    )
    (docs / "c-big5.txt").write_bytes("參考來源：本屆峰會 http://example.tw/report 國家\n".encode("big5"))
    (docs / "d-latin1.html").write_text(
        '<html><body><p>Caf\u00e9 <a href="https://example.fr/r\u00e9sum\u00e9">r\u00e9sum\u00e9</a></p></body></html>\n',
        encoding="latin-1",
    )
    (docs / "e-mixed.txt").write_bytes(
        "开始 http://example.org/ok 中文内容\n".encode() + b"\xff\xfe\xfa\xfb " + "更多中文内容\n".encode()
    )
    (docs / "f-empty.txt").write_bytes(b"")
    (docs / "g-logo.png").write_bytes(PNG)

    code, documents, err = run_json(["docs", "missing/nowhere.md"], capsys)

    found = {d["path"]: (d["format"], d["encoding"], urls(d)) for d in documents}
    assert found == {
        "docs/a-utf16.md": ("markdown", "utf-16", ["https://example.org/summit"]),
        "docs/b-gb18030.txt": ("text", "gb18030", ["http://www.fmprc.gov.cn/mfa_chn/t679505.shtml"]),
        "docs/c-big5.txt": ("text", "big5hkscs", ["http://example.tw/report"]),
        "docs/d-latin1.html": ("html", "latin-1", ["https://example.fr/r%C3%A9sum%C3%A9"]),
        "docs/e-mixed.txt": ("text", "utf-8", ["http://example.org/ok"]),
        "docs/f-empty.txt": ("text", "utf-8", []),
    }
    assert err.splitlines() == [
        "verifier: docs/e-mixed.txt:2: warning: "
        "4 byte sequences could not be decoded as utf-8 and were replaced with U+FFFD",
        "verifier: docs/f-empty.txt: warning: empty document, no references",
        "verifier: docs/g-logo.png: warning: binary file (PNG image), skipped",
        "verifier: missing/nowhere.md: error: no such file or directory",
    ]
    assert code == 1


def test_warnings_alone_do_not_fail_the_command(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "logo.png").write_bytes(PNG)
    (in_tmp / "notes.md").write_text(samples.MARKDOWN_REFERENCE_STYLE, encoding="utf-8")
    code, documents, err = run_json(["."], capsys)
    assert code == 0
    assert [d["path"] for d in documents] == ["notes.md"]
    assert "binary file (PNG image), skipped" in err


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("links.md", "A [v6](<http://[::1>) and [spaced](<http://exa mple.com>) link.\n"),
        ("links.html", '<p><a href="http://[::1">v6</a> <a href="http://exa mple.com">spaced</a></p>\n'),
    ],
)
def test_malformed_urls_are_issues_of_their_reference(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: str
) -> None:
    (in_tmp / name).write_text(content, encoding="utf-8")
    code, documents, _ = run_json([name], capsys)
    assert code == 0
    flagged = {r["raw"]: [i["kind"] for i in r.get("issues", [])] for r in documents[0]["references"]}
    assert flagged == {"http://[::1": ["malformed-url"], "http://exa mple.com": ["malformed-url"]}


def test_a_malformed_url_in_plain_text_is_flagged(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "t.txt").write_text("Plain text: see http://[::1 for details.\n", encoding="utf-8")
    _, documents, _ = run_json(["t.txt"], capsys)
    [reference] = documents[0]["references"]
    assert (reference["raw"], [i["kind"] for i in reference["issues"]]) == ("http://[::1", ["malformed-url"])


def test_only_missing_paths_fail_with_a_message_naming_each(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["extract", "--json", "nope.md", "docs/*.md"], capsys)
    assert code == 1
    assert json.loads(out) == []
    assert err.splitlines() == [
        "verifier: nope.md: error: no such file or directory",
        "verifier: docs/*.md: error: no files match this pattern",
    ]


def test_the_console_command_reads_standard_input(tmp_path: Path) -> None:
    document = (
        "Voir [le résumé](https://example.fr/résumé) — et [^1].\n\n[^1]: Note <https://example.fr/note>.\n"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "verifier", "extract", "--json", "-"],
        input=document.encode("cp1252"),
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    [parsed] = json.loads(completed.stdout)
    assert (parsed["path"], parsed["format"], parsed["encoding"]) == ("<stdin>", "markdown", "cp1252")
    assert urls(parsed) == ["https://example.fr/r%C3%A9sum%C3%A9", "https://example.fr/note"]


def test_offsets_lines_and_columns_map_back_into_the_file_whatever_its_encoding(
    in_tmp: Path,
) -> None:
    files = {
        "crlf.md": (
            "# Title\r\n\r\nSee [a](https://example.org/a) and <https://example.org/b>.\r\n",
            "utf-8",
        ),
        "utf16.md": ("Intro\r\n\r\n[c](https://example.org/c)\r\n", "utf-16"),
        "gb.txt": ("第一行\r\n第二行 http://example.org/d。\r\n", "gb18030"),
        "page.html": ('<p>\r\n<a href="https://example.org/e">e</a>\r\n</p>\r\n', "cp1252"),
    }
    for name, (text, encoding) in files.items():
        (in_tmp / name).write_bytes(text.encode(encoding))
    documents = [item for item in iter_documents(sorted(files)) if isinstance(item, Document)]
    assert len(documents) == len(files)
    checked = 0
    for document in documents:
        text = (in_tmp / document.path).read_bytes().decode(document.encoding)
        index = LineIndex(text)
        for reference in document.references:
            assert text[reference.start : reference.end] == reference.raw
            assert index.position(reference.start) == (reference.line, reference.column)
            checked += 1
    assert checked == 5


def test_the_format_can_be_forced_when_content_misleads(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "notes.txt").write_text("Plain words and http://example.org/a\n", encoding="utf-8")
    _, sniffed, _ = run_json(["notes.txt"], capsys)
    _, forced, _ = run_json(["--as", "markdown", "notes.txt"], capsys)
    assert (sniffed[0]["format"], forced[0]["format"]) == ("text", "markdown")
    assert urls(forced[0]) == ["http://example.org/a"]


def test_an_unknown_forced_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["extract", "--as", "docx", "x.txt"])
    assert raised.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err
