"""The ``<ref>`` bookkeeping of a wiki page: labels in order of first use, and the cite errors.

The rules follow MediaWiki's Cite extension: a named reference may be defined once (or again
with identical content) and reused with ``<ref name="x" />``; references defined in
``<references>…</references>`` or ``{{reflist|refs=…}}`` must be used in the text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from verifier.model import FootnoteIssue, FootnoteIssueKind

RefKey = tuple[str, str]  # (group, name)


@dataclass(slots=True)
class _Definition:
    line: int
    # A digest of the content, which is only ever compared with another definition's: a
    # page's named references would otherwise be held whole until the page is read.
    content: bytes
    listed: bool


def _fingerprint(content: str) -> bytes:
    return hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(slots=True)
class RefRegistry:
    """Uses and definitions of the references of one page, per group."""

    _counters: dict[str, int] = field(default_factory=dict)
    _first_use: dict[RefKey, int] = field(default_factory=dict)
    # A name's definition, or its definitions once it has more than one (seldom).
    _definitions: dict[RefKey, _Definition | list[_Definition]] = field(default_factory=dict)
    _issues: list[FootnoteIssue] = field(default_factory=list)

    def _number(self, group: str) -> int:
        self._counters[group] = self._counters.get(group, 0) + 1
        return self._counters[group]

    def use(self, group: str, name: str, line: int) -> str:
        """A named reference cited in the text; its label is its name."""
        key = (group, name)
        if key not in self._first_use:
            self._first_use[key] = line
            self._number(group)  # a named reference takes a number, as unnamed ones count on
        return name

    def use_unnamed(self, group: str) -> str:
        """An unnamed reference, labelled with its number in order of first use."""
        number = self._number(group)
        return f"{group} {number}" if group else str(number)

    def define(self, group: str, name: str, content: str, line: int, *, listed: bool) -> None:
        definition = _Definition(line, _fingerprint(content.strip()), listed)
        key = (group, name)
        earlier = self._definitions.get(key)
        if earlier is None:
            self._definitions[key] = definition
        elif isinstance(earlier, list):
            earlier.append(definition)
        else:
            self._definitions[key] = [earlier, definition]

    def empty(self, label: str, line: int, *, named: bool) -> None:
        what = f'the reference "{label}"' if named else "a reference"
        self._issues.append(
            FootnoteIssue(
                FootnoteIssueKind.EMPTY_DEFINITION,
                label,
                line,
                f"{what} has no content: <ref> tags without a name must have content",
            )
        )

    def issues(self) -> list[FootnoteIssue]:
        """Every cite error of the page, in line order."""
        issues = list(self._issues)
        for key, line in self._first_use.items():
            if key not in self._definitions:
                issues.append(
                    FootnoteIssue(
                        FootnoteIssueKind.MISSING_DEFINITION,
                        key[1],
                        line,
                        f'the named reference "{key[1]}"{_in_group(key)} is used but never defined',
                    )
                )
        for key, defined in self._definitions.items():
            definitions = defined if isinstance(defined, list) else [defined]
            first = definitions[0]
            for definition in definitions[1:]:
                if definition.content != first.content:
                    issues.append(
                        FootnoteIssue(
                            FootnoteIssueKind.DUPLICATE_DEFINITION,
                            key[1],
                            definition.line,
                            f'the named reference "{key[1]}"{_in_group(key)} is defined again with '
                            f"different content (first defined on line {first.line})",
                        )
                    )
            if key not in self._first_use:
                listed = next((d for d in definitions if d.listed), None)
                if listed is not None:
                    issues.append(
                        FootnoteIssue(
                            FootnoteIssueKind.UNUSED_DEFINITION,
                            key[1],
                            listed.line,
                            f'the list-defined reference "{key[1]}"{_in_group(key)} is not used in the text',
                        )
                    )
        issues.sort(key=lambda issue: (issue.line, issue.kind.value))
        return issues


def _in_group(key: RefKey) -> str:
    return f' (group "{key[0]}")' if key[0] else ""
