"""Footnote integrity: markers in the body against the definitions that answer them.

Every extractor collects uses and definitions in its own way; the rules about them are the
same everywhere and live here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from verifier.model import FootnoteIssue, FootnoteIssueKind


@dataclass(frozen=True, slots=True)
class FootnoteUse:
    label: str
    line: int


@dataclass(frozen=True, slots=True)
class FootnoteDefinition:
    label: str
    line: int
    empty: bool = False


def check_footnotes(
    uses: Iterable[FootnoteUse],
    definitions: Iterable[FootnoteDefinition],
    *,
    scope: str = "",
    check_numbering: bool = True,
) -> list[FootnoteIssue]:
    """Issues with one set of footnotes (a document, or one page of a PDF).

    ``scope`` is added to messages ("on page 3") where numbering restarts per page.
    """
    uses = list(uses)
    definitions = list(definitions)
    where = f" {scope}" if scope else ""
    issues: list[FootnoteIssue] = []
    used = {use.label for use in uses}
    first_definition: dict[str, FootnoteDefinition] = {}
    for definition in definitions:
        earlier = first_definition.get(definition.label)
        if earlier is not None:
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.DUPLICATE_DEFINITION,
                    definition.label,
                    definition.line,
                    f"footnote {definition.label}{where} is defined again"
                    f" (first defined on line {earlier.line})",
                )
            )
            continue
        first_definition[definition.label] = definition
        if definition.empty:
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.EMPTY_DEFINITION,
                    definition.label,
                    definition.line,
                    f"footnote {definition.label}{where} has an empty definition",
                )
            )
        if definition.label not in used:
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.UNUSED_DEFINITION,
                    definition.label,
                    definition.line,
                    f"footnote {definition.label}{where} is defined but never cited in the text",
                )
            )
    reported_missing: set[str] = set()
    for use in uses:
        if use.label not in first_definition and use.label not in reported_missing:
            reported_missing.add(use.label)
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.MISSING_DEFINITION,
                    use.label,
                    use.line,
                    f"footnote {use.label}{where} is cited but has no definition",
                )
            )
    if check_numbering:
        issues.extend(_numbering_gaps(definitions, where))
    issues.sort(key=lambda issue: (issue.line, issue.kind.value))
    return issues


def _numbering_gaps(definitions: list[FootnoteDefinition], where: str) -> list[FootnoteIssue]:
    """Definitions numbered 1, 2, 4: the missing 3 is a gap, reported at the next definition."""
    numbered = sorted(
        {int(d.label): d for d in reversed(definitions) if d.label.isdecimal()}.items(),
        key=lambda item: item[0],
    )
    if len(numbered) < 2 and not (numbered and numbered[0][0] != 1):
        return []
    issues: list[FootnoteIssue] = []
    expected = 1
    for number, definition in numbered:
        if number > expected:
            missing = f"{expected}" if number == expected + 1 else f"{expected}–{number - 1}"
            issues.append(
                FootnoteIssue(
                    FootnoteIssueKind.NUMBERING_GAP,
                    str(expected),
                    definition.line,
                    f"footnote numbering{where} skips {missing} before {number}",
                )
            )
        expected = number + 1
    return issues
