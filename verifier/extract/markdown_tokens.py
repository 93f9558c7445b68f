"""A markdown-it parser whose inline tokens remember where in their source they came from.

markdown-it gives block tokens line maps only. The inline rules that produce links, images,
autolinks, code spans, raw HTML and footnote markers are wrapped here so that each token they
push carries ``meta["span"]``: its (start, end) offsets in the inline source. Links and images
also carry ``meta["destination"]``, the offsets of the URL as written, or ``meta["ref_label"]``
when the URL lives in a reference definition elsewhere. An inline footnote (``^[text]``) is a
``footnote_ref`` with no ``label``; its span covers the whole note.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace

from markdown_it import MarkdownIt, rules_inline
from markdown_it.common.utils import normalizeReference, unescapeAll
from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.helpers.parse_link_destination import _Result
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_inline, footnote_ref

InlineRule = Callable[[StateInline, bool], bool]

ESCAPED_MARKER = "escaped_footnote_ref"

# The token type each wrapped rule produces first; pending text may be flushed before it.
_TRACKED = {
    "link": "link_open",
    "image": "image",
    "autolink": "link_open",
    "backticks": "code_inline",
    "html_inline": "html_inline",
    "footnote_ref": "footnote_ref",
    "footnote_inline": "footnote_ref",
}

_MAX_MARKER_DIGITS = 4


def _skip_space(src: str, pos: int, maximum: int) -> int:
    while pos < maximum and src[pos] in " \t\n":
        pos += 1
    return pos


def _inline_destination(
    state: StateInline, label_start: int, label_end: int, is_image: bool
) -> tuple[int, int] | str | None:
    """Where the destination of the link whose label is at ``label_start:label_end`` is written.

    Mirrors markdown-it's link rule: (start, end) offsets of an inline destination, the
    normalised label of a reference-style link, or None for an empty destination.
    """
    src = state.src
    maximum = state.posMax
    pos = label_end + 1
    if pos < maximum and src[pos] == "(":
        pos = _skip_space(src, pos + 1, maximum)
        result = fast_link_destination(src, pos, maximum)
        if result.ok:
            destination = (pos, result.pos)
            after = _skip_space(src, result.pos, maximum)
            title = parseLinkTitle(src, after, maximum)
            if after < maximum and after != result.pos and title.ok:
                after = _skip_space(src, title.pos, maximum)
            if after < maximum and src[after] == ")":
                begin, end = destination
                if begin < end and src[begin] == "<":
                    begin, end = begin + 1, end - 1
                return (begin, end) if begin < end else None
        elif pos < maximum and src[pos] == ")":
            return None
    label = ""
    if pos < maximum and src[pos] == "[":
        end = parseLinkLabel(state, pos)
        if end >= 0:
            label = src[pos + 1 : end]
    if not label:
        label = src[label_start + 1 : label_end]
    return normalizeReference(label)


def _tracked(name: str, rule: InlineRule) -> InlineRule:
    token_type = _TRACKED[name]

    def run(state: StateInline, silent: bool) -> bool:
        start = state.pos
        first = len(state.tokens)
        if not rule(state, silent):
            return False
        if silent:
            return True
        end = state.pos
        for token in state.tokens[first:]:
            if token.type == token_type:
                token.meta["span"] = (start, end)
                if name in ("link", "image"):
                    label_start = start + 1 if name == "image" else start
                    label_end = parseLinkLabel(state, label_start, name == "link")
                    if label_end < 0:
                        break
                    token.meta["label"] = (label_start + 1, label_end)
                    where = _inline_destination(state, label_start, label_end, name == "image")
                    if isinstance(where, tuple):
                        token.meta["destination"] = where
                    elif where is not None:
                        token.meta["ref_label"] = where
                elif name == "autolink":
                    token.meta["destination"] = (start + 1, end - 1)
                break
        return True

    return run


def _escaped_marker(state: StateInline, silent: bool) -> bool:
    r"""``\[12\]``: a footnote marker in Markdown exported from a wiki."""
    src = state.src
    pos = state.pos
    if not src.startswith("\\[", pos):
        return False
    end = pos + 2
    limit = min(state.posMax, end + _MAX_MARKER_DIGITS)
    while end < limit and "0" <= src[end] <= "9":
        end += 1
    if end == pos + 2 or not src.startswith("\\]", end):
        return False
    if not silent:
        token = state.push(ESCAPED_MARKER, "", 0)
        token.meta = {"label": src[pos + 2 : end], "span": (pos, end + 2)}
    state.pos = end + 2
    return True


def _rules() -> dict[str, InlineRule]:
    return {
        "link": rules_inline.link,
        "image": rules_inline.image,
        "autolink": rules_inline.autolink,
        "backticks": rules_inline.backtick,
        "html_inline": rules_inline.html_inline,
        "footnote_ref": partial(footnote_ref, always_match=True),
        "footnote_inline": footnote_inline,
    }


# A destination with no escape, pointy bracket or parenthesis ends at the first space, control
# character or ")": that common case is found at regex speed, the rest by markdown-it itself.
_PLAIN_DESTINATION = re.compile(r"[^\x00-\x20\x7f()\\]*")
_LEAN_TERMINATORS = re.compile(r"[\\`\[\]!<^]")


def fast_link_destination(string: str, pos: int, maximum: int) -> _Result:
    """markdown-it's ``parseLinkDestination``, same results, faster on plain URLs."""
    if string.startswith("<", pos):
        return parseLinkDestination(string, pos, maximum)
    match = _PLAIN_DESTINATION.match(string, pos, maximum)
    end = match.end() if match else pos
    if end == pos or (end < maximum and string[end] in "(\\"):
        return parseLinkDestination(string, pos, maximum)
    result = _Result()
    result.ok = True
    result.pos = end
    written = string[pos:end]
    result.str = unescapeAll(written) if "&" in written else written
    return result


def _keep(url: str) -> str:
    return url


def _accept(url: str) -> bool:
    return True


def make_parser(*, emphasis: bool) -> MarkdownIt:
    """A CommonMark parser with tables, footnotes and position tracking.

    Inline parsing is left to the caller (the core ``inline`` rule is off) so it can skip
    inline content that cannot hold a reference. Without ``emphasis`` the parser is faster
    and finds the same links; emphasis is only needed to read publishers in citations.
    """
    md = MarkdownIt("commonmark", {"inline_definitions": True}).enable(["table", "strikethrough"])
    # Inline footnotes ("^[text]") are notes too: their links belong to them.
    md.use(footnote_plugin, inline=True, move_to_end=False, always_match_refs=True)
    # URLs are taken from the source as written; markdown-it's own encoding is not needed
    # and its safety filter would hide javascript: and data: links from the report.
    md.normalizeLink = _keep  # type: ignore[method-assign]
    md.normalizeLinkText = _keep  # type: ignore[method-assign, assignment]
    md.validateLink = _accept  # type: ignore[method-assign]
    md.core.ruler.disable(["inline", "text_join"])
    for name, rule in _rules().items():
        md.inline.ruler.at(name, _tracked(name, rule))
    md.inline.ruler.before("escape", ESCAPED_MARKER, _escaped_marker)
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=parseLinkLabel,
        parseLinkDestination=fast_link_destination,
        parseLinkTitle=parseLinkTitle,
    )
    if not emphasis:
        md.inline.ruler.disable(["newline", "emphasis", "strikethrough", "entity"])
        md.inline.ruler2.disable(["balance_pairs", "emphasis", "strikethrough", "fragments_join"])
        # Only the rules left need the text rule to stop for them.
        md.inline.terminator_re = _LEAN_TERMINATORS
    return md
