"""Character offsets of the parts of mwparserfromhell nodes.

mwparserfromhell keeps no positions, but ``str(node)`` gives back the source exactly, so a
part's offset follows from the lengths of what precedes it in the node's own rendering.
Every offset here is derived that way, never by searching the text for the part.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mwparserfromhell.nodes import ExternalLink, Heading, Tag, Template, Wikilink
from mwparserfromhell.wikicode import Wikicode


def children(code: Wikicode, start: int) -> Iterator[tuple[Any, int]]:
    """The nodes of ``code`` with the offset of each."""
    offset = start
    for node in code.nodes:
        yield node, offset
        offset += len(str(node))


def template_parameters(template: Template, start: int) -> Iterator[tuple[Any, int, int]]:
    """Each parameter of ``template`` with the offsets of its name and of its value."""
    offset = start + 2 + len(str(template.name))
    for parameter in template.params:
        offset += 1  # the "|" before the parameter
        if parameter.showkey:
            yield parameter, offset, offset + len(str(parameter.name)) + 1
        else:
            yield parameter, offset, offset
        offset += len(str(parameter))


def tag_contents_offset(tag: Tag, start: int) -> int:
    """The offset of a non-self-closing tag's contents."""
    attributes = "".join(str(attribute) for attribute in tag.attributes)
    padding = tag.padding or ""
    if tag.wiki_markup:
        opening = tag.wiki_markup + attributes + padding + (tag.wiki_style_separator or "")
    else:
        opening = "<" + str(tag.tag) + attributes + padding + ">"
    return start + len(opening)


def external_link_parts(link: ExternalLink, start: int) -> tuple[int, int | None]:
    """The offsets of a link's URL and of its title (None when it has none)."""
    url_offset = start + (1 if link.brackets else 0)
    if link.title is None:
        return url_offset, None
    space = 0 if getattr(link, "suppress_space", False) else 1
    return url_offset, url_offset + len(str(link.url)) + space


def wikilink_text_offset(link: Wikilink, start: int) -> int:
    """The offset of the text after the "|" in ``[[Title|text]]``."""
    return start + 2 + len(str(link.title)) + 1


def heading_title_offset(heading: Heading, start: int) -> int:
    return start + heading.level
