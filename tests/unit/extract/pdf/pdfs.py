"""Small PDFs made in the tests themselves: text lines per page and link annotations."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


@dataclass(frozen=True)
class Page:
    lines: Sequence[str]
    links: Sequence[str] = ()


def _escaped(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(*pages: Page, password: str | None = None) -> bytes:
    """A PDF whose pages show ``lines`` in Helvetica, one under the other, with a /URI link
    annotation for each of ``links``; encrypted with ``password`` as the user password."""
    writer = PdfWriter()
    for number, page_spec in enumerate(pages):
        page = writer.add_blank_page(612, 792)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        operators = ["BT", "/F1 10 Tf", "14 TL", "72 740 Td"]
        operators += [f"({_escaped(line)}) Tj T*" for line in page_spec.lines]
        operators.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(operators).encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        for index, url in enumerate(page_spec.links):
            top = 750 - 14 * index
            writer.add_annotation(number, Link(rect=(72, top - 12, 400, top), url=url))
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
