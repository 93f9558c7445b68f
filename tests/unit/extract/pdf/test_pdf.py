"""PDF files: text page by page with its footnotes, link annotations, bad files, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.unit.extract.pdf.pdfs import Page, make_pdf
from verifier import cli
from verifier.extract import extract_bytes, iter_documents
from verifier.extract.sniff import sniff_bytes
from verifier.model import Document, Format, InputProblem, ReferenceKind
from verifier.report.build import document_json, occurrences_by_url
from verifier.store.codec import extraction_from_json, extraction_json

SCHEMA = json.loads((Path(__file__).parents[4] / "verifier" / "report" / "schema.json").read_text())


def read(data: bytes, name: str = "paper.pdf") -> Document:
    document, problems = extract_bytes(data, name)
    assert document is not None, problems
    assert [p for p in problems if p.severity == "error"] == []
    return document


def test_a_pdf_is_told_by_its_bytes_and_read_page_by_page() -> None:
    data = make_pdf(
        Page(["First page cites [1].", "[1] A note, http://example.org/one.html"]),
        Page(["Second page cites [1] again.", "[1] Its own note, http://example.org/two.html"]),
    )
    assert sniff_bytes(data) is Format.PDF
    document = read(data)
    assert document.format is Format.PDF
    # Numbering restarts on each page, so both [1] answer their own page's note.
    assert document.footnote_issues == ()
    assert [(r.page, r.line, r.footnote, r.url) for r in document.references] == [
        (1, 2, "1", "http://example.org/one.html"),
        (2, 2, "1", "http://example.org/two.html"),
    ]


def test_the_annotation_gives_the_url_a_space_broke_in_the_text() -> None:
    data = make_pdf(
        Page(
            ["Intro line.", "See http://example.org/some/lo ng/path for the data."],
            links=["http://example.org/some/long/path"],
        )
    )
    (reference,) = read(data).references
    assert reference.url == "http://example.org/some/long/path"
    # The text's place is kept: where the URL starts on the page.
    assert (reference.page, reference.line, reference.column) == (1, 2, 5)
    assert reference.raw.startswith("http://example.org/some/lo")
    assert reference.alternatives == ()


def test_the_annotation_corrects_a_host_the_text_cut() -> None:
    data = make_pdf(Page(["See http://www.exa mple.com/page for it."], links=["http://www.example.com/page"]))
    (reference,) = read(data).references
    assert reference.url == "http://www.example.com/page"
    assert reference.issues == ()
    assert (reference.line, reference.column) == (1, 5)


def test_an_annotation_with_no_url_in_the_text_is_a_reference_on_its_page() -> None:
    data = make_pdf(
        Page(["Nothing here."]),
        Page(
            ["Click the logo.", "More text."], links=["https://example.org/logo", "https://example.org/logo"]
        ),
    )
    (reference,) = read(data).references
    assert (reference.url, reference.kind, reference.page) == (
        "https://example.org/logo",
        ReferenceKind.EXTERNAL,
        2,
    )
    # No place in the text: the page's first line stands for it.
    assert (reference.line, reference.column, reference.raw) == (1, 1, "https://example.org/logo")


def test_a_footnote_keeps_its_citation_and_the_link_text_stays_short() -> None:
    data = make_pdf(
        Page(
            [
                "The summit [1] was reported.",
                '[1] Jane Doe, "Seoul Summit Report," Nuclear Policy Review, 12 March 2012,',
                "http://example.org/seoul.html",
            ],
            links=["http://example.org/seoul.html"],
        )
    )
    (reference,) = read(data).references
    assert reference.footnote == "1" and reference.text == "Seoul Summit Report"
    assert reference.citation is not None and reference.citation.publisher == "Nuclear Policy Review"


def test_a_text_url_with_no_annotation_keeps_its_cut_alternative() -> None:
    (reference,) = read(make_pdf(Page(["See http://example.org/a/lo ng/b.html here."]))).references
    assert reference.url == "http://example.org/a/lo"
    assert reference.alternatives == ("http://example.org/a/long/b.html",)


def test_an_encrypted_pdf_readable_with_the_empty_password_is_read() -> None:
    data = make_pdf(Page(["See http://example.org/x.html"]), password="")
    assert [r.url for r in read(data).references] == ["http://example.org/x.html"]


def test_encrypted_and_damaged_pdfs_are_problems_naming_the_file_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a_locked.pdf").write_bytes(make_pdf(Page(["secret"]), password="s3cret"))
    good = make_pdf(Page(["See http://example.org/x.html"]))
    (tmp_path / "b_damaged.pdf").write_bytes(good[: len(good) // 3])
    (tmp_path / "c_good.pdf").write_bytes(good)
    items = list(iter_documents([str(tmp_path)]))
    problems = [item for item in items if isinstance(item, InputProblem)]
    documents = [item for item in items if isinstance(item, Document)]
    assert [Path(d.path).name for d in documents] == ["c_good.pdf"]
    by_file = {Path(p.path).name: p for p in problems}
    assert "password" in by_file["a_locked.pdf"].message
    assert "damaged PDF" in by_file["b_damaged.pdf"].message
    assert all(p.severity == "error" for p in by_file.values())


def test_report_parts_carry_the_page_and_follow_the_schema() -> None:
    data = make_pdf(Page(["x"]), Page(["See http://example.org/a/lo ng/b.html here."]))
    document = read(data)
    entry = document_json(document)
    assert entry["format"] == "pdf"
    (reference,) = entry["references"]
    assert reference["page"] == 2 and reference["alternatives"] == ["http://example.org/a/long/b.html"]
    (occurrence,) = occurrences_by_url([document])["http://example.org/a/lo"]
    assert occurrence["page"] == 2
    defs = SCHEMA["$defs"]
    resolver_schema = {"$defs": defs, **defs["document"]}
    jsonschema.validate(entry, resolver_schema)
    jsonschema.validate(occurrence, {"$defs": defs, **defs["occurrence"]})


def test_the_store_keeps_pages_and_alternatives() -> None:
    document = read(make_pdf(Page(["x"]), Page(["See http://example.org/a/lo ng/b.html here."])))
    payload = json.loads(json.dumps(extraction_json(document, [])))
    again, _ = extraction_from_json(payload)
    assert again == document
    assert [(r.page, r.alternatives) for r in again.references] == [
        (2, ("http://example.org/a/long/b.html",))
    ]


def test_cli_extract_reads_pdfs_and_as_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "paper.bin"
    pdf.write_bytes(make_pdf(Page(["See http://example.org/x.html"])))
    assert cli.main(["extract", str(pdf), "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["format"] == "pdf" and entry["references"][0]["page"] == 1
    assert cli.main(["extract", str(pdf), "--as", "pdf", "--json"]) == 0
    capsys.readouterr()
    text = tmp_path / "notes.txt"
    text.write_text("See http://example.org/x.html\n", encoding="utf-8")
    assert cli.main(["extract", str(text), "--as", "pdf"]) == 1
    assert "not a PDF file" in capsys.readouterr().err
