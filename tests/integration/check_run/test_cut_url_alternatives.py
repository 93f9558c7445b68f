"""A URL the text cut with a space inside its path: the joined form answers for it only when
the URL as read is dead."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.integration.check_run.conftest import Site, Workspace
from tests.unit.extract.pdf.pdfs import Page, make_pdf

SCHEMA = json.loads((Path(__file__).parents[3] / "verifier" / "report" / "schema.json").read_text())


def test_a_dead_cut_url_is_live_when_its_joined_form_answers(workspace: Workspace, site: Site) -> None:
    joined = site.set("/some/long/path")
    cut = site.url("/some/lo")
    workspace.write("paper.txt", f"The data are at {cut} ng/path for anyone.\n")
    assert workspace.check() == 0
    link = workspace.links()[cut]
    assert link["outcome"] == "live"
    assert link["final_url"] == joined
    assert joined in link["reason"] and "joined" in link["reason"]
    assert site.count("/some/lo") >= 1 and site.count("/some/long/path") >= 1
    (reference,) = workspace.report()["documents"][0]["references"]
    assert reference["alternatives"] == [joined]


def test_a_live_cut_url_never_asks_for_its_joined_form(workspace: Workspace, site: Site) -> None:
    cut = site.set("/some/lo")
    site.set("/some/long/path")
    workspace.write("paper.txt", f"The data are at {cut} ng/path for anyone.\n")
    assert workspace.check() == 0
    assert workspace.links()[cut]["outcome"] == "live"
    assert site.count("/some/long/path") == 0


def test_dead_both_ways_stays_dead_with_the_reason_as_read(workspace: Workspace, site: Site) -> None:
    cut = site.url("/some/lo")
    workspace.write("paper.txt", f"The data are at {cut} ng/path for anyone.\n")
    assert workspace.check() == 1
    link = workspace.links()[cut]
    assert link["outcome"] == "dead" and link["http_status"] == 404
    assert "joined" not in link["reason"]
    assert site.count("/some/long/path") >= 1


def test_a_warm_run_reuses_the_joined_answer(workspace: Workspace, site: Site) -> None:
    joined = site.set("/some/long/path")
    cut = site.url("/some/lo")
    workspace.write("paper.txt", f"The data are at {cut} ng/path for anyone.\n")
    assert workspace.check() == 0
    hits = site.total()
    assert workspace.check() == 0
    assert site.total() == hits
    link = workspace.links()[cut]
    assert link["outcome"] == "live" and link["final_url"] == joined and link["from_cache"]


def test_a_pdf_is_checked_at_its_annotation_s_url_and_its_page_reported(
    workspace: Workspace, site: Site
) -> None:
    joined = site.set("/some/long/path")
    cut = site.url("/some/lo")
    docs = workspace.root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "paper.pdf").write_bytes(
        make_pdf(Page(["Cover."]), Page(["Intro.", f"The data are at {cut} ng/path here."], links=[joined]))
    )
    assert workspace.check("--format", "json,html,md,junit,sarif,csv") == 0
    report = workspace.report()
    jsonschema.validate(report, SCHEMA)
    assert set(workspace.links()) == {joined}
    (occurrence,) = workspace.links()[joined]["occurrences"]
    assert (occurrence["page"], occurrence["line"]) == (2, 2)
    (document,) = report["documents"]
    assert document["format"] == "pdf" and document["references"][0]["page"] == 2
    assert site.count("/some/lo") == 0
