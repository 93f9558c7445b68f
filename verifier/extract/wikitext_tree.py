"""The node tree of a piece of wikitext, built from mwparserfromhell's tokens.

mwparserfromhell tokenizes in C, but builds its tree in Python through node setters that
parse every value again to be safe with any input; that took half the time of extracting
a wiki page. The builder here reads the same tokens into the same tree (the same node
kinds, parts and ``str()`` of every node, the same errors on the same tokens) of plain
slotted nodes, each knowing how many characters it spans, so no offset needs a node
written out again.
"""

from __future__ import annotations

import html.entities
from collections.abc import Callable
from operator import attrgetter
from typing import cast

from mwparserfromhell.parser import tokens
from mwparserfromhell.parser.errors import ParserError

try:
    from mwparserfromhell.parser._tokenizer import CTokenizer as _Tokenizer
except ImportError:  # pragma: no cover - the pure-Python tokenizer gives the same tokens
    from mwparserfromhell.parser.tokenizer import Tokenizer as _Tokenizer


_length: Callable[[object], int] = attrgetter("length")


def _parser_error(message: str) -> Exception:
    """The error mwparserfromhell's builder raises on tokens it cannot place."""
    return ParserError(message)  # type: ignore[no-untyped-call]


class Code:
    """A run of nodes (mwparserfromhell's Wikicode)."""

    __slots__ = ("length", "nodes")
    length: int

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.length = sum(map(_length, nodes))

    def __str__(self) -> str:
        return "".join([str(node) for node in self.nodes])


class Text:
    __slots__ = ("length", "value")
    length: int

    def __init__(self, value: str) -> None:
        self.value = value
        self.length = len(value)

    def __str__(self) -> str:
        return self.value


class Parameter:
    """A template's parameter; an unnamed one is named by its number and shows no key."""

    __slots__ = ("length", "name", "showkey", "value")
    length: int

    def __init__(self, name: Code, value: Code, showkey: bool) -> None:
        self.name = name
        self.value = value
        self.showkey = showkey
        self.length = name.length + 1 + value.length if showkey else value.length

    def __str__(self) -> str:
        if self.showkey:
            return str(self.name) + "=" + str(self.value)
        return str(self.value)


class Template:
    __slots__ = ("length", "name", "params")
    length: int

    def __init__(self, name: Code, params: list[Parameter]) -> None:
        self.name = name
        self.params = params
        self.length = 4 + name.length + len(params) + sum(map(_length, params))

    def __str__(self) -> str:
        if self.params:
            return "{{" + str(self.name) + "|" + "|".join([str(param) for param in self.params]) + "}}"
        return "{{" + str(self.name) + "}}"


class Argument:
    __slots__ = ("default", "length", "name")
    length: int

    def __init__(self, name: Code, default: Code | None = None) -> None:
        self.name = name
        self.default = default
        self.length = 6 + name.length + (1 + default.length if default is not None else 0)

    def __str__(self) -> str:
        start = "{{{" + str(self.name)
        if self.default is not None:
            return start + "|" + str(self.default) + "}}}"
        return start + "}}}"


class Wikilink:
    __slots__ = ("length", "text", "title")
    length: int

    def __init__(self, title: Code, text: Code | None = None) -> None:
        self.title = title
        self.text = text
        self.length = 4 + title.length + (1 + text.length if text is not None else 0)

    def __str__(self) -> str:
        if self.text is not None:
            return "[[" + str(self.title) + "|" + str(self.text) + "]]"
        return "[[" + str(self.title) + "]]"


class ExternalLink:
    __slots__ = ("brackets", "length", "suppress_space", "title", "url")
    length: int

    def __init__(self, url: Code, title: Code | None, brackets: bool, suppress_space: bool) -> None:
        self.url = url
        self.title = title
        self.brackets = brackets
        self.suppress_space = suppress_space
        length = url.length
        if brackets:
            length += 2
            if title is not None:
                length += title.length + (0 if suppress_space else 1)
        self.length = length

    def __str__(self) -> str:
        if self.brackets:
            if self.title is not None:
                if self.suppress_space:
                    return "[" + str(self.url) + str(self.title) + "]"
                return "[" + str(self.url) + " " + str(self.title) + "]"
            return "[" + str(self.url) + "]"
        return str(self.url)


class HTMLEntity:
    __slots__ = ("hex_char", "hexadecimal", "length", "named", "value")
    length: int

    def __init__(self, value: str, named: bool, hexadecimal: bool, hex_char: str = "x") -> None:
        self.value = value
        self.named = named
        self.hexadecimal = hexadecimal
        self.hex_char = hex_char
        self.length = len(str(self))

    def __str__(self) -> str:
        if self.named:
            return f"&{self.value};"
        if self.hexadecimal:
            return f"&#{self.hex_char}{self.value};"
        return f"&#{self.value};"

    def normalize(self) -> str:
        """The character the entity stands for."""
        if self.named:
            return chr(html.entities.name2codepoint[self.value])
        if self.hexadecimal:
            return chr(int(self.value, 16))
        return chr(int(self.value))


class Heading:
    __slots__ = ("length", "level", "title")
    length: int

    def __init__(self, title: Code, level: int) -> None:
        if level < 1 or level > 6:
            raise ValueError(level)
        self.title = title
        self.level = level
        self.length = 2 * level + title.length

    def __str__(self) -> str:
        return "=" * self.level + str(self.title) + "=" * self.level


class Comment:
    __slots__ = ("contents", "length")
    length: int

    def __init__(self, contents: str) -> None:
        self.contents = contents
        self.length = 7 + len(contents)

    def __str__(self) -> str:
        return "<!--" + self.contents + "-->"


class Attribute:
    """An attribute of a tag: ``pad_first name pad_before_eq = pad_after_eq "value"``."""

    __slots__ = ("length", "name", "pad_after_eq", "pad_before_eq", "pad_first", "quotes", "value")
    length: int

    def __init__(
        self,
        name: Code,
        value: Code | None,
        quotes: str | None,
        pad_first: str | None,
        pad_before_eq: str | None,
        pad_after_eq: str | None,
    ) -> None:
        quotes = str(quotes) if quotes else None
        if quotes not in (None, '"', "'"):
            raise ValueError(f"{quotes!r} is not a valid quote type")
        if not quotes and _needs_quotes(value):
            raise ValueError("attribute value requires quotes")
        self.name = name
        self.value = value
        self.quotes = quotes
        self.pad_first = _padding(pad_first)
        self.pad_before_eq = _padding(pad_before_eq)
        self.pad_after_eq = _padding(pad_after_eq)
        length = len(self.pad_first) + name.length + len(self.pad_before_eq)
        if value is not None:
            length += 1 + len(self.pad_after_eq) + value.length + (2 if quotes else 0)
        self.length = length

    def __str__(self) -> str:
        result = self.pad_first + str(self.name) + self.pad_before_eq
        if self.value is not None:
            result += "=" + self.pad_after_eq
            if self.quotes:
                return result + self.quotes + str(self.value) + self.quotes
            return result + str(self.value)
        return result


def _needs_quotes(value: Code | None) -> bool:
    """Whether a value must be quoted: blanks in its own text."""
    if value is None or not value.length:
        return False
    return any(char.isspace() for node in value.nodes if isinstance(node, Text) for char in node.value)


def _padding(value: str | None) -> str:
    if not value:
        return ""
    if not value.isspace():
        raise ValueError("padding must be entirely whitespace")
    return value


class Tag:
    """An HTML tag or wiki markup read as one (a list item, a table row); contents always a Code."""

    __slots__ = (
        "attributes",
        "closing_tag",
        "closing_wiki_markup",
        "contents",
        "implicit",
        "invalid",
        "length",
        "padding",
        "self_closing",
        "tag",
        "wiki_markup",
        "wiki_style_separator",
    )
    length: int

    def __init__(
        self,
        tag: Code,
        contents: Code | None,
        attrs: list[Attribute],
        wiki_markup: str | None,
        self_closing: bool,
        invalid: bool,
        implicit: bool,
        padding: str,
        closing_tag: Code | None,
        wiki_style_separator: str | None,
        closing_wiki_markup: str | None,
    ) -> None:
        self.tag = tag
        self.closing_tag = closing_tag if closing_tag is not None else tag
        self.contents = contents if contents is not None else Code([])
        self.attributes = attrs
        self.wiki_markup = str(wiki_markup) if wiki_markup else None
        # As mwparserfromhell's setters leave it: the closing markup is the opening one
        # unless one of its own is given.
        self.closing_wiki_markup = self.wiki_markup
        self.self_closing = bool(self_closing)
        self.invalid = bool(invalid)
        self.implicit = bool(implicit)
        self.padding = _padding(padding)
        self.wiki_style_separator = str(wiki_style_separator) if wiki_style_separator else None
        if closing_wiki_markup is not None:
            self.closing_wiki_markup = str(closing_wiki_markup) if closing_wiki_markup else None
        self.length = self._length()

    def _length(self) -> int:
        attributes = sum(map(_length, self.attributes))
        if self.wiki_markup:
            length = len(self.wiki_markup) + attributes + len(self.padding)
            length += len(self.wiki_style_separator or "")
            if self.self_closing:
                return length
            return length + self.contents.length + len(self.closing_wiki_markup or "")
        length = (2 if self.invalid else 1) + self.tag.length + attributes + len(self.padding)
        if self.self_closing:
            return length + (1 if self.implicit else 2)
        return length + 1 + self.contents.length + 3 + self.closing_tag.length

    def __str__(self) -> str:
        if self.wiki_markup:
            attrs = "".join([str(attr) for attr in self.attributes])
            separator = self.wiki_style_separator or ""
            if self.self_closing:
                return self.wiki_markup + attrs + self.padding + separator
            close = self.closing_wiki_markup or ""
            return self.wiki_markup + attrs + self.padding + separator + str(self.contents) + close
        result = ("</" if self.invalid else "<") + str(self.tag)
        result += "".join([str(attr) for attr in self.attributes])
        if self.self_closing:
            return result + self.padding + (">" if self.implicit else "/>")
        return result + self.padding + ">" + str(self.contents) + "</" + str(self.closing_tag) + ">"


Node = Text | Template | Argument | Wikilink | ExternalLink | HTMLEntity | Heading | Comment | Tag


def parse(text: str, *, skip_style_tags: bool = False) -> Code:
    """The tree of ``text``, as ``mwparserfromhell.parse`` reads it."""
    return _Builder(_Tokenizer().tokenize(text, 0, skip_style_tags)).build()


class _Builder:
    """mwparserfromhell's Builder, step for step, making the nodes above."""

    def __init__(self, token_list: list[tokens.Token]) -> None:
        token_list.reverse()
        self.tokens = token_list
        self.stacks: list[list[Node]] = []

    def build(self) -> Code:
        self.stacks.append([])
        while self.tokens:
            self.stacks[-1].append(self.handle(self.tokens.pop()))
        return Code(self.stacks.pop())

    def handle(self, token: tokens.Token) -> Node:
        handler = _HANDLERS.get(type(token))
        if handler is None:
            raise _parser_error(f"_handle_token() got unexpected {type(token).__name__}")
        return handler(self, token)

    def pop(self) -> Code:
        return Code(self.stacks.pop())

    def text(self, token: tokens.Token) -> Node:
        return Text(str(token.get("text")))

    def parameter(self, default: int) -> Parameter:
        key: Code | None = None
        showkey = False
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.TemplateParamEquals:
                key = self.pop()
                showkey = True
                self.stacks.append([])
            elif kind is tokens.TemplateParamSeparator or kind is tokens.TemplateClose:
                self.tokens.append(token)
                value = self.pop()
                if key is None:
                    key = Code([Text(str(default))])
                return Parameter(key, value, showkey)
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_parameter() missed a close token")

    def template(self, token: tokens.Token) -> Node:
        name: Code | None = None
        params: list[Parameter] = []
        default = 1
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.TemplateParamSeparator:
                if not params:
                    name = self.pop()
                param = self.parameter(default)
                params.append(param)
                if not param.showkey:
                    default += 1
            elif kind is tokens.TemplateClose:
                if not params:
                    name = self.pop()
                assert name is not None
                return Template(name, params)
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_template() missed a close token")

    def argument(self, token: tokens.Token) -> Node:
        name: Code | None = None
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.ArgumentSeparator:
                name = self.pop()
                self.stacks.append([])
            elif kind is tokens.ArgumentClose:
                if name is not None:
                    return Argument(name, self.pop())
                return Argument(self.pop())
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_argument() missed a close token")

    def wikilink(self, token: tokens.Token) -> Node:
        title: Code | None = None
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.WikilinkSeparator:
                title = self.pop()
                self.stacks.append([])
            elif kind is tokens.WikilinkClose:
                if title is not None:
                    return Wikilink(title, self.pop())
                return Wikilink(self.pop())
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_wikilink() missed a close token")

    def external_link(self, token: tokens.Token) -> Node:
        brackets = bool(token.get("brackets"))
        url: Code | None = None
        suppress_space = None
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.ExternalLinkSeparator:
                url = self.pop()
                suppress_space = token.get("suppress_space")
                self.stacks.append([])
            elif kind is tokens.ExternalLinkClose:
                if url is not None:
                    return ExternalLink(url, self.pop(), brackets, suppress_space is True)
                return ExternalLink(self.pop(), None, brackets, suppress_space is True)
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_external_link() missed a close token")

    def entity(self, token: tokens.Token) -> Node:
        token = self.tokens.pop()
        if type(token) is tokens.HTMLEntityNumeric:
            token = self.tokens.pop()
            if type(token) is tokens.HTMLEntityHex:
                text = self.tokens.pop()
                self.tokens.pop()  # the HTMLEntityEnd
                return HTMLEntity(str(text.get("text")), False, True, str(token.get("char")))
            self.tokens.pop()
            return HTMLEntity(str(token.get("text")), False, False)
        self.tokens.pop()
        return HTMLEntity(str(token.get("text")), True, False)

    def heading(self, token: tokens.Token) -> Node:
        level = int(cast(int, token.get("level")))
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            if type(token) is tokens.HeadingEnd:
                return Heading(self.pop(), level)
            self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_heading() missed a close token")

    def comment(self, token: tokens.Token) -> Node:
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            if type(token) is tokens.CommentEnd:
                return Comment(str(self.pop()))
            self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_comment() missed a close token")

    def attribute(self, start: tokens.Token) -> Attribute:
        name: Code | None = None
        quotes = None
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.TagAttrEquals:
                name = self.pop()
                self.stacks.append([])
            elif kind is tokens.TagAttrQuote:
                quotes = token.get("char")
            elif (
                kind is tokens.TagAttrStart or kind is tokens.TagCloseOpen or kind is tokens.TagCloseSelfclose
            ):
                self.tokens.append(token)
                value: Code | None
                if name:
                    value = self.pop()
                else:
                    name, value = self.pop(), None
                return Attribute(
                    name,
                    value,
                    quotes,
                    start.get("pad_first"),
                    start.get("pad_before_eq"),
                    start.get("pad_after_eq"),
                )
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_attribute() missed a close token")

    def tag(self, token: tokens.Token) -> Node:
        tag: Code | None = None
        padding: str | None = None
        implicit, attrs, contents, closing_tag = False, [], None, None
        wiki_markup, invalid = token.get("wiki_markup"), token.get("invalid") or False
        wiki_style_separator, closing_wiki_markup = None, wiki_markup
        self.stacks.append([])
        while self.tokens:
            token = self.tokens.pop()
            kind = type(token)
            if kind is tokens.TagAttrStart:
                attrs.append(self.attribute(token))
            elif kind is tokens.TagCloseOpen:
                wiki_style_separator = token.get("wiki_markup")
                padding = token.get("padding") or ""
                tag = self.pop()
                self.stacks.append([])
            elif kind is tokens.TagOpenClose:
                closing_wiki_markup = token.get("wiki_markup")
                contents = self.pop()
                self.stacks.append([])
            elif kind is tokens.TagCloseSelfclose or kind is tokens.TagCloseClose:
                if kind is tokens.TagCloseSelfclose:
                    closing_wiki_markup = token.get("wiki_markup")
                    tag = self.pop()
                    self_closing = True
                    padding = token.get("padding") or ""
                    implicit = token.get("implicit") or False
                else:
                    self_closing = False
                    closing_tag = self.pop()
                assert tag is not None
                assert padding is not None
                return Tag(
                    tag,
                    contents,
                    attrs,
                    wiki_markup,
                    self_closing,
                    invalid,
                    implicit,
                    padding,
                    closing_tag,
                    wiki_style_separator,
                    closing_wiki_markup,
                )
            else:
                self.stacks[-1].append(self.handle(token))
        raise _parser_error("_handle_tag() missed a close token")


_HANDLERS: dict[type[tokens.Token], Callable[[_Builder, tokens.Token], Node]] = {
    tokens.Text: _Builder.text,
    tokens.TemplateOpen: _Builder.template,
    tokens.ArgumentOpen: _Builder.argument,
    tokens.WikilinkOpen: _Builder.wikilink,
    tokens.ExternalLinkOpen: _Builder.external_link,
    tokens.HTMLEntityStart: _Builder.entity,
    tokens.HeadingStart: _Builder.heading,
    tokens.CommentStart: _Builder.comment,
    tokens.TagOpenOpen: _Builder.tag,
}
