"""What beautifulsoup4 on html.parser knows of HTML, as plain tables the fast reading looks up.

beautifulsoup4 keeps these on its tree builder and entity classes, and importing it compiles
its CSS selector engine's patterns: a tenth of a second at the start of every run, before any
page is read. Pages read the usual way (html_build) need only the tables; beautifulsoup4 is
loaded for the pages it reads itself. The tests hold each table to beautifulsoup4's own.
"""

from __future__ import annotations

from html.entities import html5

#: Elements that never hold anything: their start tag closes them.
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "command",
        "embed",
        "frame",
        "hr",
        "image",
        "img",
        "input",
        "isindex",
        "keygen",
        "link",
        "menuitem",
        "meta",
        "nextid",
        "param",
        "source",
        "spacer",
        "track",
        "wbr",
    }
)
#: Elements whose strings are of their own kind (a script's, a style's), not plain text.
STRING_CONTAINERS = frozenset({"rp", "rt", "script", "style", "template"})
#: Elements inside which blank strings are kept as written.
PRESERVE_WHITESPACE = frozenset({"pre", "textarea"})
#: Attributes whose value is a list of words, by element ("*" for every element).
LIST_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"class", "accesskey", "dropzone"}),
    "a": frozenset({"rel", "rev"}),
    "link": frozenset({"rel", "rev"}),
    "td": frozenset({"headers"}),
    "th": frozenset({"headers"}),
    "form": frozenset({"accept-charset"}),
    "object": frozenset({"archive"}),
    "area": frozenset({"rel"}),
    "icon": frozenset({"sizes"}),
    "iframe": frozenset({"sandbox"}),
    "output": frozenset({"for"}),
}


def _entities() -> dict[str, str]:
    # Named with and without their semicolon alike: whether one may be left off is the parser's call.
    table: dict[str, str] = {}
    for name, character in sorted(html5.items()):
        table.setdefault(name.removesuffix(";"), character)
    return table


#: Each named character reference, without its semicolon, and the characters it stands for.
ENTITIES = _entities()


def numeric_reference(digits: str) -> str:
    """The character ``&#digits;`` stands for (``digits`` decimal, or hexadecimal after an x).

    As the HTML standard reads it: a null, a surrogate or a number past Unicode is U+FFFD; the
    C1 controls Windows-1252 gives printable characters to are read as those characters.
    """
    hexadecimal = digits[0] in "xX"
    significant = (digits[1:] if hexadecimal else digits).lstrip("0")
    if len(significant) > 8:
        # Past Unicode whatever follows; and Python refuses to read an integer of thousands
        # of digits, which failed the whole page.
        return "\ufffd"
    number = int(significant or "0", 16 if hexadecimal else 10)
    if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= number <= 0x9F:
        try:
            return bytes((number,)).decode("cp1252")
        except UnicodeDecodeError:
            pass  # one of the five Windows-1252 leaves undefined: the control itself
    return chr(number)
