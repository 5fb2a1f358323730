"""The test decoder itself, on hand-made ESC/POS bytes."""

import pytest

from tests.hardware.escpos_decoder import (
    Align,
    Bold,
    ChineseMode,
    Cut,
    DecodeError,
    Feed,
    Initialize,
    LineFeed,
    QrCode,
    RasterImage,
    StatusQuery,
    Text,
    TextSize,
    decode,
    printed_lines,
)


def test_gb18030_text_in_chinese_mode_decodes_to_chinese() -> None:
    data = b"\x1c&" + "前面还有 12 人".encode("gb18030") + b"\n\x1c."

    assert decode(data) == [
        ChineseMode(True),
        Text("前面还有 12 人"),
        LineFeed(),
        ChineseMode(False),
    ]


def test_four_byte_gb18030_character_decodes_whole() -> None:
    data = b"\x1c&" + "𠮷野家".encode("gb18030")

    assert decode(data)[1] == Text("𠮷野家")


def test_high_bytes_outside_chinese_mode_print_from_code_page_437() -> None:
    # What a printer left in its default code page prints for GB18030 bytes.
    assert decode("号".encode("gb18030")) == [Text("║┼")]


def test_text_carries_the_size_bold_and_alignment_in_effect() -> None:
    data = b"\x1b@\x1ba\x01\x1bE\x01\x1d!\x33A023\n"

    elements = decode(data)

    assert elements == [
        Initialize(),
        Align("center"),
        Bold(True),
        TextSize(4, 4),
        Text("A023", width=4, height=4, bold=True, align="center"),
        LineFeed(),
    ]


def test_initialize_resets_chinese_mode_and_style() -> None:
    data = b"\x1c&\x1d!\x11\x1b@" + "号".encode("gb18030")

    assert decode(data)[-1] == Text("║┼")


def test_native_qr_payload_comes_from_the_store_command() -> None:
    url = b"https://example.cn/t/1"
    store = b"\x1d(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    data = (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        + b"\x1d(k\x03\x001C\x06"  # module size 6
        + b"\x1d(k\x03\x001E1"  # error correction M
        + store
        + b"\x1d(k\x03\x001Q0"  # print
    )

    assert decode(data) == [QrCode("https://example.cn/t/1", 6, "M")]


def test_raster_image_keeps_its_size_and_pixels() -> None:
    data = b"\x1dv0\x00\x02\x00\x02\x00" + bytes([0x80, 0x01, 0x00, 0xFF])

    (image,) = decode(data)

    assert isinstance(image, RasterImage)
    assert (image.width, image.height) == (16, 2)
    assert image.is_dark(0, 0) and image.is_dark(15, 0) and not image.is_dark(1, 0)
    assert not image.is_dark(7, 1) and image.is_dark(8, 1)


@pytest.mark.parametrize(
    ("data", "cut"),
    [
        (b"\x1dV\x00", Cut(partial=False)),
        (b"\x1dV\x01", Cut(partial=True)),
        (b"\x1dVA\x10", Cut(partial=False, feed=16)),
        (b"\x1dVB\x00", Cut(partial=True, feed=0)),
    ],
)
def test_cut_commands_decode_to_full_or_partial_cut(data: bytes, cut: Cut) -> None:
    assert decode(data) == [cut]


def test_status_queries_and_feeds_are_recognised() -> None:
    assert decode(b"\x10\x04\x01\x10\x04\x04\x1bd\x06") == [
        StatusQuery(1),
        StatusQuery(4),
        Feed(6),
    ]


def test_printed_lines_split_at_line_feeds_and_keep_blank_lines() -> None:
    elements = decode(b"hall\n\nnumber\x1bd\x02")

    assert printed_lines(elements) == ["hall", "", "number", ""]


@pytest.mark.parametrize(
    "data",
    [b"\x1b\x7f", b"\x1dZ", b"\x1c?", b"\x09", b"\x1d(k\x05\x001P0"],
    ids=["unknown ESC", "unknown GS", "unknown FS", "tab", "truncated QR store"],
)
def test_unknown_or_truncated_commands_are_rejected(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(data)
