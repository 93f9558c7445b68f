"""Decoding: byte-order marks, UTF-8, legacy encodings, binary files and bytes that fit nothing."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from verifier.extract.decode import SAMPLE_BYTES, Binary, Decoded, decode_document

CHINESE_SIMPLIFIED = (
    "本文梳理了核安全的定义及内涵，提出核安全既包括防止核武器扩散，也包括确保核材料、核设施及和平利用核能等的安全。"
    "参见 http://www.fmprc.gov.cn/mfa_chn/ziliao_611306/1179_611310/t679505.shtml 。\n"
) * 4
CHINESE_TRADITIONAL = (
    "參考來源：本屆峰會共有美國、中國、俄羅斯、英國、法國等53個國家的領導人或代表，以及聯合國參加。"
    "請參閱 http://example.com/report 獲取更多資訊。\n"
) * 3
JAPANESE = (
    "日本語のテキストです。詳しくは http://example.jp/ を参照してください。東京で会議が開かれました。\n" * 3
)
FRENCH = (
    "Le café est très réputé à Paris. Voir http://example.fr/apropos pour plus de détails. Élève, garçon.\n"
) * 3
WESTERN_CP1252 = "“Smart quotes” – and a euro sign: 5 € … café au lait\n"
RUSSIAN = "Привет, мир! Подробности на сайте http://example.ru/ и в документации проекта.\n" * 3
POLISH = "Zażółć gęślą jaźń. Więcej informacji na stronie http://example.pl/ o tym projekcie.\n" * 3


def decoded(data: bytes) -> Decoded:
    result = decode_document(data)
    assert isinstance(result, Decoded), result
    return result


def test_plain_utf8_is_read_as_utf8() -> None:
    result = decoded(CHINESE_SIMPLIFIED.encode("utf-8"))
    assert (result.text, result.encoding, result.replaced) == (CHINESE_SIMPLIFIED, "utf-8", 0)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + FRENCH.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + FRENCH.encode("utf-16-be"), "utf-16"),
        (b"\xff\xfe" + CHINESE_SIMPLIFIED.encode("utf-16-le"), "utf-16"),
        (b"\xff\xfe\x00\x00" + FRENCH.encode("utf-32-le"), "utf-32"),
        (b"\x00\x00\xfe\xff" + FRENCH.encode("utf-32-be"), "utf-32"),
    ],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-16-chinese", "utf-32-le-bom", "utf-32-be-bom"],
)
def test_a_byte_order_mark_decides_and_is_not_part_of_the_text(encoded: bytes, encoding: str) -> None:
    result = decoded(encoded)
    assert result.encoding == encoding
    assert result.text in (FRENCH, CHINESE_SIMPLIFIED)
    assert not result.text.startswith("\ufeff")
    # The encoding recorded reads the file back to the same text, so fixes can write it again.
    assert encoded.decode(encoding) == result.text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(encoding: str) -> None:
    for text in (FRENCH, CHINESE_SIMPLIFIED):
        result = decoded(text.encode(encoding))
        assert (result.text, result.encoding) == (text, encoding)


@pytest.mark.parametrize(
    ("text", "written_in", "read_as"),
    [
        (CHINESE_SIMPLIFIED, "gb18030", {"gb18030"}),
        (CHINESE_SIMPLIFIED[:60], "gb18030", {"gb18030"}),
        (CHINESE_TRADITIONAL, "big5", {"big5", "big5hkscs", "cp950"}),
        ("參考來源 http://example.tw/ 國家\n", "big5", {"big5", "big5hkscs", "cp950"}),
        (JAPANESE, "shift_jis", {"shift_jis", "cp932"}),
        (FRENCH, "latin-1", {"latin-1"}),
        ("Über die Größe der Straße: siehe http://example.de/ für Einzelheiten.\n", "latin-1", {"latin-1"}),
        (WESTERN_CP1252, "cp1252", {"cp1252"}),
        (RUSSIAN, "cp1251", {"cp1251"}),
        (POLISH, "cp1250", {"cp1250"}),
    ],
    ids=[
        "gb18030",
        "gb18030-short",
        "big5",
        "big5-short",
        "shift-jis",
        "latin-1-fr",
        "latin-1-de",
        "cp1252",
        "cp1251",
        "cp1250",
    ],
)
def test_legacy_encodings_are_detected(text: str, written_in: str, read_as: set[str]) -> None:
    result = decoded(text.encode(written_in))
    assert result.text == text
    assert result.encoding in read_as
    assert result.replaced == 0


def test_legacy_bytes_after_a_long_ascii_head_are_judged_where_they_are() -> None:
    head = "Plain ASCII introduction, http://example.org/ and more words.\n" * (SAMPLE_BYTES // 40)
    text = head + FRENCH
    result = decoded(text.encode("latin-1"))
    assert (result.text, result.encoding) == (text, "latin-1")


def test_stray_bytes_in_utf8_are_replaced_counted_and_located() -> None:
    good = ("中文内容，更多中文。" * 20 + "\n") * 3
    data = good.encode("utf-8") + b"broken \xff\xfe here \x80\n" + good.encode("utf-8")
    result = decoded(data)
    assert result.encoding == "utf-8"
    assert result.replaced == 3
    assert result.first_replaced == len(good) + len("broken ")
    assert result.text.startswith(good + "broken \ufffd\ufffd here \ufffd\n")


def test_an_empty_file_is_empty_text() -> None:
    assert decoded(b"") == Decoded("", "utf-8")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive or Office document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip archive"),
        (b"\x7fELF\x02\x01\x01\x00", "executable"),
    ],
    ids=["png", "pdf", "jpeg", "zip", "gzip", "elf"],
)
def test_known_binary_formats_are_refused_by_signature(data: bytes, kind: str) -> None:
    assert decode_document(data) == Binary(kind)


def test_nul_bytes_mark_a_binary_file() -> None:
    assert decode_document(b"some text\x00\x01\x02\x00\x00\x00more\x00") == Binary("binary data")


def test_control_characters_mark_a_binary_file_even_without_nul() -> None:
    data = bytes(range(1, 32)) * 40 + b"a few letters"
    assert isinstance(decode_document(data), Binary)


@pytest.mark.parametrize("letter", ["a", "\u00e9", "\u4e2d", "\U0001f600"])
def test_controls_count_only_in_the_first_64k_characters_however_wide_they_are(letter: str) -> None:
    head = letter * 65536
    # Past the head, a block of controls as long as the head's bytes: the head alone is text.
    after_head = "\x01" * len(head.encode())
    assert decoded((head + after_head).encode()).text == head + after_head
    # The same controls spread within the head make it binary.
    spread = "".join(letter * 9 + "\x01" for _ in range(6554))
    assert isinstance(decode_document(spread.encode()), Binary)
    # And a few of them there do not.
    few = "".join(letter * 99 + "\x01" for _ in range(656))
    assert decoded(few.encode()).text == few


def test_text_with_a_form_feed_and_tabs_is_still_text() -> None:
    text = "Page one\tcolumn\n\fPage two http://example.org/\r\n" * 20
    assert decoded(text.encode()).text == text


def test_carriage_returns_are_kept_so_offsets_map_back_to_the_file() -> None:
    text = "line one\r\nline two http://example.org/\r\n"
    assert decoded(text.encode()).text == text


def test_random_bytes_never_raise() -> None:
    rng = random.Random(20121126)
    shapes: list[Callable[[], int]] = [
        lambda: rng.randint(0, 255),
        lambda: rng.randint(0x20, 0x7E),
        lambda: rng.randint(0x80, 0xFF),
        lambda: rng.choice([0x0A, 0x20, 0xE4, 0xB8, 0xAD]),
    ]
    for _ in range(300):
        pick = rng.choice(shapes)
        data = bytes(pick() for _ in range(rng.randint(0, 2000)))
        result = decode_document(data)
        assert isinstance(result, (Decoded, Binary))
        if isinstance(result, Decoded):
            assert data.decode(result.encoding, "replace") == result.text


def test_a_short_file_with_a_few_stray_bytes_is_still_text() -> None:
    data = "开始 http://example.org/ok 中文\n".encode() + b"\xff\xfe\xfa\xfb " + "更多中文\n".encode()
    result = decoded(data)
    assert (result.encoding, result.replaced) == ("utf-8", 4)


def test_bytes_that_are_mostly_unreadable_are_binary() -> None:
    assert isinstance(decode_document(bytes(range(0x80, 0x100)) * 8), Binary)
