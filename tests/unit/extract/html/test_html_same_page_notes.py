"""Notes linked by the page's own full address ("https://…/wiki/Page#cite_note-3") are in-page links."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.extract.base import Extraction, Source
from verifier.extract.html import extract_html
from verifier.model import ReferenceIssueKind

SAMPLES = Path(__file__).parent / "samples"
WIKIPEDIA_NOTES = (SAMPLES / "wikipedia_notes.html").read_text(encoding="utf-8")
PAGE = "https://en.wikipedia.org/wiki/Nuclear_Security_Summit"
PAGES = (PAGE, PAGE.replace("https:", "http:"))


def extract(html: str) -> Extraction:
    found = extract_html(Source(html, "page.html"))
    for reference in found.references:
        assert html[reference.start : reference.end] == reference.raw
    return found


def summary(found: Extraction) -> tuple[list[tuple[str, str | None]], list[tuple[str, str, int]]]:
    # The <link rel=canonical> itself is a reference of its own, left out here.
    references = [(r.url, r.footnote) for r in found.references if r.url.rstrip("/") not in PAGES]
    issues = [(i.kind.value, i.label, i.line) for i in found.footnote_issues]
    return references, issues


def absolute(html: str, address: str = PAGE) -> str:
    return html.replace('href="#', f'href="{address}#')


@pytest.mark.parametrize(
    "head",
    [
        f'<link rel="canonical" href="{PAGE}">',
        f'<meta property="og:url" content="{PAGE}">',
        f'<base href="{PAGE}">',
        f'<link rel="canonical" href="{PAGE.replace("https:", "http:")}#top">',
    ],
    ids=["canonical", "og-url", "base", "canonical-other-scheme"],
)
def test_notes_linked_by_the_pages_own_address_read_as_in_page_links(head: str) -> None:
    expected = summary(extract(WIKIPEDIA_NOTES))
    found = extract(head + "\n" + absolute(WIKIPEDIA_NOTES))
    # One line more at the top: every issue moves down by one.
    references, issues = expected
    assert summary(found) == (references, [(kind, label, line + 1) for kind, label, line in issues])
    assert not any(r.url == PAGE for r in found.references if r.raw != PAGE)


def test_without_a_page_address_a_cite_note_fragment_naming_an_id_here_is_in_page() -> None:
    references, issues = summary(extract(WIKIPEDIA_NOTES))
    found = extract(absolute(WIKIPEDIA_NOTES))
    # The marker of note 7, which the page lacks, cannot be told from a link to another page.
    assert summary(found) == (references, [issue for issue in issues if issue[1] != "7"])
    (to_the_page,) = [r for r in found.references if r.url == PAGE]
    assert to_the_page.raw == f"{PAGE}#cite_note-7"


def test_relative_page_links_resolve_against_the_base() -> None:
    html = f'<base href="{PAGE}">\n' + WIKIPEDIA_NOTES.replace('href="#', 'href="Nuclear_Security_Summit#')
    found = extract(html)
    references, issues = summary(extract(WIKIPEDIA_NOTES))
    assert summary(found) == (references, [(kind, label, line + 1) for kind, label, line in issues])


def test_a_link_to_another_pages_note_is_an_external_link() -> None:
    html = (
        f'<link rel="canonical" href="{PAGE}">\n'
        '<p>See <a href="https://en.wikipedia.org/wiki/Other#cite_note-9">there</a>.</p>\n'
        '<ol class="references"><li id="cite_note-1">Note http://one.test/</li></ol>\n'
    )
    found = extract(html)
    assert [r.url for r in found.references if r.raw != PAGE] == ["https://en.wikipedia.org/wiki/Other"]


def test_a_same_page_link_to_a_missing_id_is_reported_like_a_fragment() -> None:
    html = f'<link rel="canonical" href="{PAGE}">\n<p><a href="{PAGE}#History">History</a></p>\n'
    (reference,) = [r for r in extract(html).references if r.raw != PAGE]
    assert reference.raw == f"{PAGE}#History"
    assert [issue.kind for issue in reference.issues] == [ReferenceIssueKind.MISSING_TARGET]


def test_eighty_absolute_markers_give_no_false_unused_definitions() -> None:
    markers = "".join(
        f'<sup class="reference"><a href="{PAGE}#cite_note-{n}">[{n}]</a></sup>' for n in range(1, 81)
    )
    notes = "".join(
        f'<li id="cite_note-{n}"><span class="mw-cite-backlink"><a href="{PAGE}#cite_ref-{n}">^</a></span>'
        f' <a href="http://s{n}.test/">S</a></li>'
        for n in range(1, 81)
    )
    found = extract(f'<p>{markers}</p>\n<ol class="references">{notes}</ol>\n')
    assert found.footnote_issues == []
    assert [r.footnote for r in found.references] == [str(n) for n in range(1, 81)]
