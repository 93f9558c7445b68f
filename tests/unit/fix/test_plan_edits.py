"""The edit planner on hand-placed references: every byte outside the edit stays as it was."""

from __future__ import annotations

from verifier.fix import Replacement, apply_edits, plan_edits
from verifier.model import Document, Format, Reference, ReferenceKind

DEAD = "http://example.org/gone"
SNAPSHOT = "https://web.archive.org/web/20120326000000/http://example.org/gone"
FIXES = {DEAD: Replacement(DEAD, SNAPSHOT, "20120326000000")}


def _document(text: str, fmt: Format, raw: str = DEAD, occurrence: int = 0) -> tuple[Document, str]:
    references = []
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(raw, start + 1)
    references.append(
        Reference(
            url=DEAD,
            raw=raw,
            kind=ReferenceKind.EXTERNAL,
            line=text.count("\n", 0, start) + 1,
            column=1,
            start=start,
            end=start + len(raw),
        )
    )
    return Document(path="doc", format=fmt, encoding="utf-8", references=tuple(references)), text


def _fixed(text: str, fmt: Format, replace: bool = False, **kwargs: object) -> str:
    document, text = _document(text, fmt, **kwargs)  # type: ignore[arg-type]
    return apply_edits(text, plan_edits(document, text, FIXES, replace=replace))


def test_markdown_inline_link_gets_archive_link_after_title() -> None:
    text = f'See [the page]({DEAD} "title (with parens)") here.\r\nNext line.\r\n'
    assert _fixed(text, Format.MARKDOWN) == (
        f'See [the page]({DEAD} "title (with parens)") ([archived]({SNAPSHOT})) here.\r\nNext line.\r\n'
    )


def test_markdown_replace_swaps_only_the_url() -> None:
    text = f"Intro [a]({DEAD}) end\n"
    assert _fixed(text, Format.MARKDOWN, replace=True) == f"Intro [a]({SNAPSHOT}) end\n"


def test_markdown_autolink_and_bare_url() -> None:
    assert _fixed(f"x <{DEAD}> y", Format.MARKDOWN) == f"x <{DEAD}> ([archived]({SNAPSHOT})) y"
    assert _fixed(f"x {DEAD} y", Format.MARKDOWN) == f"x {DEAD} ([archived]({SNAPSHOT})) y"


def test_markdown_reference_definition_is_only_replaced() -> None:
    text = f"[a][1]\n\n[1]: {DEAD}\n"
    assert _fixed(text, Format.MARKDOWN) == text
    assert _fixed(text, Format.MARKDOWN, replace=True) == f"[a][1]\n\n[1]: {SNAPSHOT}\n"


def test_markdown_fix_is_idempotent() -> None:
    once = _fixed(f"[a]({DEAD})", Format.MARKDOWN)
    document, text = _document(once, Format.MARKDOWN)
    assert apply_edits(text, plan_edits(document, text, FIXES)) == once


def test_wikitext_cite_template_on_one_line() -> None:
    text = f"Fact.<ref>{{{{cite web |url={DEAD} |title=Gone |access-date=2012-03-26}}}}</ref> More."
    assert _fixed(text, Format.WIKITEXT) == (
        f"Fact.<ref>{{{{cite web |url={DEAD} |title=Gone |access-date=2012-03-26"
        f" |archive-url={SNAPSHOT} |archive-date=2012-03-26 |url-status=dead}}}}</ref> More."
    )


def test_wikitext_cite_template_one_parameter_a_line_keeps_layout() -> None:
    text = f"<ref>{{{{cite news\n| url = {DEAD}\n| title = {{{{lang|en|Gone}}}}\n}}}}</ref>"
    assert _fixed(text, Format.WIKITEXT) == (
        f"<ref>{{{{cite news\n| url = {DEAD}\n| title = {{{{lang|en|Gone}}}}"
        f"\n| archive-url={SNAPSHOT}\n| archive-date=2012-03-26\n| url-status=dead\n}}}}</ref>"
    )


def test_wikitext_live_status_becomes_dead_and_existing_archive_is_kept() -> None:
    text = f"{{{{cite web|url={DEAD}|url-status=live}}}}"
    assert _fixed(text, Format.WIKITEXT) == (
        f"{{{{cite web|url={DEAD}|url-status=dead |archive-url={SNAPSHOT} |archive-date=2012-03-26}}}}"
    )
    already = f"{{{{cite web|url={DEAD}|archive-url=https://web.archive.org/web/2010/{DEAD}}}}}"
    assert _fixed(already, Format.WIKITEXT) == already


def test_wikitext_bracketed_and_bare_links_get_webarchive() -> None:
    assert _fixed(f"* [{DEAD} Gone page] text", Format.WIKITEXT) == (
        f"* [{DEAD} Gone page] {{{{webarchive |url={SNAPSHOT} |date=2012-03-26}}}} text"
    )
    assert _fixed(f"see {DEAD}\n", Format.WIKITEXT) == (
        f"see {DEAD} {{{{webarchive |url={SNAPSHOT} |date=2012-03-26}}}}\n"
    )


def test_html_gets_robust_link_attributes() -> None:
    text = f'<p><a class="x"\n   href="{DEAD}">Gone</a></p>'
    assert _fixed(text, Format.HTML) == (
        f'<p><a class="x"\n   href="{DEAD}" data-originalurl="{DEAD}" data-versionurl="{SNAPSHOT}"'
        f' data-versiondate="2012-03-26">Gone</a></p>'
    )


def test_html_self_closing_tag() -> None:
    text = f'<img src="{DEAD}"/>'
    assert _fixed(text, Format.HTML, raw=DEAD) == (
        f'<img src="{DEAD}" data-originalurl="{DEAD}" data-versionurl="{SNAPSHOT}"'
        ' data-versiondate="2012-03-26"/>'
    )


def test_plain_text_is_never_edited() -> None:
    text = f"① {DEAD}.\n"
    assert _fixed(text, Format.TEXT) == text


def test_reference_whose_raw_no_longer_matches_is_left_alone() -> None:
    document, text = _document(f"[a]({DEAD})", Format.MARKDOWN)
    assert plan_edits(document, text.replace("gone", "GONE"), FIXES) == []


def test_only_archived_links_become_replacements() -> None:
    from verifier.fix import replacements_from_report

    report = {
        "links": [
            {"url": DEAD, "outcome": "archived", "archive": {"url": SNAPSHOT, "timestamp": "20120326000000"}},
            {"url": "http://a/", "outcome": "dead", "archive": None},
            {"url": "http://b/", "outcome": "live", "archive": None},
        ]
    }
    assert list(replacements_from_report(report)) == [DEAD]
