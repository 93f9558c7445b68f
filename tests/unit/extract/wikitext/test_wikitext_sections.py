"""Long pages are parsed section by section, with the same result as parsing them whole."""

from __future__ import annotations

import itertools
from pathlib import Path

from verifier.extract.base import Source
from verifier.extract.wikitext import extract_wikitext, extract_wikitext_in_sections
from verifier.extract.wikitext_sections import section_spans

SAMPLE = (Path(__file__).parent / "samples" / "article.wiki").read_text(encoding="utf-8")

STRADDLING = """Intro [http://intro.test/ i].<ref name=early />
<!-- a comment that hides a heading
== Hidden ==
http://commented.test/ -->
== One ==
{{Quote box
|quote=Text
== Not a heading inside a template ==
|source=[http://quote.test/ q]
}}
<nowiki>
== Inside nowiki ==
http://nowiki.test/
</nowiki>
== Two ==
Claim.<ref>Long note
== heading-looking line in a ref ==
[http://in-ref.test/ r]</ref>
== Notes ==
{{reflist|refs=
<ref name=early>[http://early.test/ e]</ref>
== Still in the list ==
<ref name=late>[http://late.test/ l]</ref>
}}
== After ==
Done http://after.test/.
"""


def test_pieces_end_only_before_headings_outside_open_markup() -> None:
    spans = section_spans(STRADDLING, target=10)
    cuts = [STRADDLING[start : start + 10] for start, _ in spans[1:]]
    assert cuts == ["== One ==\n", "== Two ==\n", "== Notes =", "== After ="]
    assert spans[0][0] == 0 and spans[-1][1] == len(STRADDLING)
    assert all(end == next_start for (_, end), (next_start, _) in itertools.pairwise(spans))


def test_sectioned_parse_matches_whole_parse() -> None:
    for text in (STRADDLING, SAMPLE, SAMPLE * 3):
        source = Source(text, "long.wiki")
        whole = extract_wikitext_in_sections(source, len(text) + 1)
        pieces = extract_wikitext_in_sections(source, 10)
        assert pieces.references == whole.references
        assert pieces.footnote_issues == whole.footnote_issues
        assert pieces.problems == whole.problems


def test_straddling_markup_keeps_its_meaning() -> None:
    found = extract_wikitext_in_sections(Source(STRADDLING, "s.wiki"), 10)
    assert [(r.url, r.footnote) for r in found.references] == [
        ("http://intro.test/", None),
        ("http://quote.test/", None),
        ("http://in-ref.test/", "2"),
        ("http://early.test/", "early"),
        ("http://late.test/", "late"),
        ("http://after.test/", None),
    ]
    assert [issue.label for issue in found.footnote_issues] == ["late"]
    assert found.references == extract_wikitext(Source(STRADDLING, "s.wiki")).references


def test_stray_closers_do_not_cancel_what_is_open() -> None:
    text = "</ref> }} |}\n{|\n<ref name=b>note\n== H ==\n[http://in-note.test/ n]</ref>\n|}\n== After ==\nend"
    spans = section_spans(text, target=5)
    assert [text[start:end].split("\n", 1)[0] for start, end in spans] == ["</ref> }} |}", "== After =="]
    found = extract_wikitext_in_sections(Source(text, "stray.wiki"), 5)
    assert [(r.url, r.footnote) for r in found.references] == [("http://in-note.test/", "b")]


def test_markup_inside_comments_and_nowiki_is_not_counted() -> None:
    text = "<!-- {{ <ref> -->\n== A ==\n<nowiki>{{ <ref></nowiki>\n== B ==\nend"
    assert len(section_spans(text, target=5)) == 3
