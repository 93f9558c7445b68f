"""Bytes to text: byte-order marks, UTF-8, then the legacy encodings real documents still use.

A document is decoded once, whole, and never fails to decode: bytes that fit no encoding are
replaced with U+FFFD and counted so the caller can warn about them. Files that are not text
at all (images, PDFs, archives, anything with NUL bytes) are recognised and refused.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x7fELF", "executable"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)

#: How much of a file the guessing looks at; decoding itself always covers the whole file.
SAMPLE_BYTES = 256 * 1024
#: Control characters (other than the white space text uses) that betray a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
#: How much of a text the controls are counted in.
_HEAD_CHARS = 65536
_CONTROL_RATIO = 0.05
_REPLACED_RATIO = 0.3
# Bytes the UTF-8 decoder could not place, as lone surrogates from "surrogateescape".
_ESCAPED = re.compile(r"[\udc80-\udcff]")
# Western European text decoded right: accented letters and the punctuation cp1252 adds.
_WESTERN_EXTRA = re.compile(r"[^\x00-\x7f\u00a0\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff‘’‚“”„–—…€•«»°§©®·]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
# Legacy encodings charset-normalizer names whose supersets decode strictly more text.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "big5": "big5hkscs"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document's text, the encoding it was read with and how many bytes were unreadable."""

    text: str
    encoding: str
    replaced: int = 0
    first_replaced: int | None = None  # character offset of the first U+FFFD put in


@dataclass(frozen=True, slots=True)
class Binary:
    """Content that is not text; ``kind`` names what it looks like."""

    kind: str


def binary_signature(data: bytes) -> str | None:
    """The kind of binary file ``data`` starts like, or None."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when a head holding NUL bytes reads as text in one of them.

    Mostly-ASCII UTF-16 shows itself by NULs in every other byte; other scripts by decoding
    strictly into printable characters, which random binary data almost never does.
    """
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls = head[0 : pairs * 2 : 2].count(0)
    odd_nuls = head[1 : pairs * 2 : 2].count(0)
    if odd_nuls >= 0.6 * pairs and even_nuls <= 0.05 * pairs:
        return "utf-16-le"
    if even_nuls >= 0.6 * pairs and odd_nuls <= 0.05 * pairs:
        return "utf-16-be"
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            # Not final: the head may end inside a surrogate pair.
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        readable = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r\f")
        if readable >= 0.97 * len(text):
            return encoding
    return None


def _sample(data: bytes, around: int = 0) -> bytes:
    """Up to SAMPLE_BYTES of ``data`` from near ``around``, cut at line breaks.

    Cutting at line breaks keeps multi-byte characters whole: a newline byte is never part of
    a multi-byte sequence in UTF-8, GB18030, Big5 or Shift-JIS.
    """
    if len(data) <= SAMPLE_BYTES:
        return data
    start = max(0, around - SAMPLE_BYTES // 4)
    end = start + SAMPLE_BYTES
    if start > 0:
        newline = data.find(b"\n", start, around)
        start = newline + 1 if newline != -1 else start
    if end < len(data):
        newline = data.rfind(b"\n", around + 1, end)
        end = newline + 1 if newline != -1 else end
    return data[start:end]


def _mostly_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 spoiled by a few stray bytes, rather than another encoding."""
    escaped = data.decode("utf-8", "surrogateescape")
    stray = sum(1 for _ in _ESCAPED.finditer(escaped))
    multibyte = sum(1 for ch in escaped if ch > "\x7f") - stray
    return multibyte >= 10 * stray


def _western(sample: bytes) -> str | None:
    """``latin-1`` or ``cp1252`` when the sample reads as Western European text in it.

    charset-normalizer often picks a Central European code page for short French or German
    text; accented letters that sit inside words of ASCII letters settle it instead.
    """
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _WESTERN_EXTRA.search(text):
        return None
    accented = [i for i, ch in enumerate(text) if ch >= "\u00c0"]
    if not accented:
        return None
    inside_words = sum(
        1
        for i in accented
        if (i > 0 and _ASCII_LETTER.match(text[i - 1]))
        or (i + 1 < len(text) and _ASCII_LETTER.match(text[i + 1]))
    )
    if inside_words < 0.5 * len(accented):
        return None
    has_cp1252_only = any(0x80 <= byte <= 0x9F for byte in sample)
    return "cp1252" if has_cp1252_only else "latin-1"


def _halfwidth_katakana_heavy(text: str) -> bool:
    """Whether text is mostly half-width katakana: Big5 or GBK read as Shift-JIS looks like that."""
    wide = [ch for ch in text if ch > "\x7f"]
    return len(wide) > 0 and sum(1 for ch in wide if "\uff61" <= ch <= "\uff9f") > 0.2 * len(wide)


def _detect_legacy(sample: bytes) -> str | None:
    # Loaded by the few runs that meet a file in neither UTF-8 nor a Western encoding.
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        return None
    plausible = [match for match in matches if not _halfwidth_katakana_heavy(str(match))]
    encoding = (plausible or matches)[0].encoding.lower()
    return _SUPERSETS.get(encoding, encoding)


def _replaced(text: str, encoding: str) -> Decoded:
    first = text.find("\ufffd")
    if first == -1:
        return Decoded(text, encoding)
    return Decoded(text, encoding, replaced=text.count("\ufffd"), first_replaced=first)


def _looks_binary(text: str, utf8: bytes | None = None) -> bool:
    """Control characters betray binary data; replaced bytes only when they are most of it.

    ``utf8``, when given, is what ``text`` was decoded from as UTF-8. A control character is
    one byte there and no byte of another character is one, and the head's characters lie
    within four times as many bytes: when those bytes hold too few controls to count, so
    does the head, found without a search of it character by character.
    """
    head = text[:_HEAD_CHARS]
    if not head:
        return False
    limit = _CONTROL_RATIO * len(head)
    few = False
    if utf8 is not None:
        # Counted a slice at a time, so that no more than a slice's copy is held at once.
        controls = 0
        for start in range(0, min(len(utf8), 4 * _HEAD_CHARS), _HEAD_CHARS // 4):
            piece = utf8[start : start + _HEAD_CHARS // 4]
            controls += len(piece) - len(piece.translate(None, _CONTROL_BYTES))
        few = controls <= limit
    if not few and sum(1 for _ in _CONTROL.finditer(head)) > limit:
        return True
    return head.count("\ufffd") > _REPLACED_RATIO * len(head)


def _text_or_binary(
    decoded: Decoded, kind: str = "binary data", utf8: bytes | None = None
) -> Decoded | Binary:
    return Binary(kind) if _looks_binary(decoded.text, utf8) else decoded


def _legacy_encoding(sample: bytes) -> str:
    """The encoding of bytes that are not valid UTF-8, judged on a sample around the first bad byte."""
    if _mostly_utf8(sample):
        return "utf-8"
    return _western(sample) or _detect_legacy(sample) or "utf-8"


def decode_document(data: bytes) -> Decoded | Binary:
    """Decode a whole file's bytes, or say that it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoded = _replaced(data.decode(encoding, "replace"), encoding)
            return _text_or_binary(decoded, "undecodable data after a byte-order mark")
    kind = binary_signature(data)
    if kind is not None:
        return Binary(kind)
    head = data[:8192]
    if b"\x00" in head:
        wide = _utf16_without_bom(head)
        if wide is None:
            return Binary("binary data")
        return _text_or_binary(_replaced(data.decode(wide, "replace"), wide))
    try:
        return _text_or_binary(Decoded(data.decode("utf-8"), "utf-8"), utf8=data)
    except UnicodeDecodeError as error:
        encoding = _legacy_encoding(_sample(data, around=error.start))
    return _text_or_binary(_replaced(data.decode(encoding, "replace"), encoding))
