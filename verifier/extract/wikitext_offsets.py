"""Character offsets of the parts of wikitext nodes (wikitext_tree).

A node keeps no position, but knows how many characters it spans, its own markup included:
a part's offset follows from the lengths of what precedes it in the node. Every offset here
is derived that way, never by searching the text for the part.
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier.extract.wikitext_tree import (
    Code,
    ExternalLink,
    Heading,
    Node,
    Parameter,
    Tag,
    Template,
    Wikilink,
)


def children(code: Code, start: int) -> Iterator[tuple[Node, int]]:
    """The nodes of ``code`` with the offset of each."""
    offset = start
    for node in code.nodes:
        yield node, offset
        offset += node.length


def template_parameters(template: Template, start: int) -> Iterator[tuple[Parameter, int, int]]:
    """Each parameter of ``template`` with the offsets of its name and of its value."""
    offset = start + 2 + template.name.length
    for parameter in template.params:
        offset += 1  # the "|" before the parameter
        if parameter.showkey:
            yield parameter, offset, offset + parameter.name.length + 1
        else:
            yield parameter, offset, offset
        offset += parameter.length


def tag_contents_offset(tag: Tag, start: int) -> int:
    """The offset of a non-self-closing tag's contents."""
    opening = sum(attribute.length for attribute in tag.attributes) + len(tag.padding)
    if tag.wiki_markup:
        opening += len(tag.wiki_markup) + len(tag.wiki_style_separator or "")
    else:
        opening += 2 + tag.tag.length  # "<" and ">"
    return start + opening


def external_link_parts(link: ExternalLink, start: int) -> tuple[int, int | None]:
    """The offsets of a link's URL and of its title (None when it has none)."""
    url_offset = start + (1 if link.brackets else 0)
    if link.title is None:
        return url_offset, None
    space = 0 if link.suppress_space else 1
    return url_offset, url_offset + link.url.length + space


def wikilink_text_offset(link: Wikilink, start: int) -> int:
    """The offset of the text after the "|" in ``[[Title|text]]``."""
    return start + 2 + link.title.length + 1


def heading_title_offset(heading: Heading, start: int) -> int:
    return start + heading.level
