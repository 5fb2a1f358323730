"""Decodes an ESC/POS byte stream into what the printer would do, so tests assert the printout."""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A
_CODE_PAGES = {0: "cp437", 16: "cp1252"}
_QR_ERROR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_ALIGNMENTS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class DecodeError(ValueError):
    """The stream holds something this decoder (and so the test) did not expect."""


@dataclass(frozen=True)
class Initialize:
    pass


@dataclass(frozen=True)
class ChineseMode:
    on: bool


@dataclass(frozen=True)
class TextSize:
    width: int
    height: int


@dataclass(frozen=True)
class Bold:
    on: bool


@dataclass(frozen=True)
class Align:
    how: str


@dataclass(frozen=True)
class CodePage:
    number: int


@dataclass(frozen=True)
class Text:
    """Characters as printed, with the style in effect when they were received."""

    text: str
    width: int = 1
    height: int = 1
    bold: bool = False
    align: str = "left"


@dataclass(frozen=True)
class LineFeed:
    pass


@dataclass(frozen=True)
class Feed:
    lines: int


@dataclass(frozen=True)
class QrCode:
    payload: str
    module_size: int
    error_correction: str


@dataclass(frozen=True)
class RasterImage:
    width: int
    height: int
    data: bytes

    def is_dark(self, x: int, y: int) -> bool:
        row_bytes = (self.width + 7) // 8
        return bool(self.data[y * row_bytes + x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed: int | None = None


@dataclass(frozen=True)
class StatusQuery:
    kind: int


Element = (
    Initialize | ChineseMode | TextSize | Bold | Align | CodePage | Text | LineFeed | Feed
    | QrCode | RasterImage | Cut | StatusQuery
)  # fmt: skip


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.elements: list[Element] = []
        self.reset()
        self.qr_payload: bytes | None = None

    def reset(self) -> None:
        self.chinese_mode = False
        self.size = (1, 1)
        self.bold = False
        self.align = "left"
        self.code_page = 0
        self.qr_module_size = 3
        self.qr_error_correction = "L"

    def take(self, count: int) -> bytes:
        if self.position + count > len(self.data):
            raise DecodeError(f"stream ends inside a command at offset {self.position}")
        chunk = self.data[self.position : self.position + count]
        self.position += count
        return chunk

    def emit(self, element: Element) -> None:
        self.elements.append(element)

    def run(self) -> list[Element]:
        while self.position < len(self.data):
            start = self.position
            byte = self.take(1)[0]
            if byte == ESC:
                self.escape(start)
            elif byte == GS:
                self.group_separator(start)
            elif byte == FS:
                self.file_separator(start)
            elif byte == DLE:
                if self.take(1) != b"\x04":
                    raise DecodeError(f"unknown DLE command at offset {start}")
                self.emit(StatusQuery(self.take(1)[0]))
            elif byte == LF:
                self.emit(LineFeed())
            elif byte < 0x20 or byte == 0x7F:
                raise DecodeError(f"unexpected control byte {byte:#04x} at offset {start}")
            else:
                self.position = start
                self.text()
        return self.elements

    def text(self) -> None:
        characters = []
        while self.position < len(self.data) and self.data[self.position] >= 0x20:
            byte = self.data[self.position]
            if self.chinese_mode and 0x81 <= byte <= 0xFE:
                second = self.data[self.position + 1 : self.position + 2]
                length = 4 if second and 0x30 <= second[0] <= 0x39 else 2
                raw = self.take(length)
                try:
                    characters.append(raw.decode("gb18030"))
                except UnicodeDecodeError:
                    raise DecodeError(f"invalid GB18030 {raw.hex()}") from None
            else:
                encoding = _CODE_PAGES[self.code_page]
                characters.append(self.take(1).decode(encoding))
        width, height = self.size
        self.emit(Text("".join(characters), width, height, self.bold, self.align))

    def escape(self, start: int) -> None:
        command = self.take(1)
        if command == b"@":
            self.reset()
            self.emit(Initialize())
        elif command == b"E":
            self.bold = bool(self.take(1)[0] & 1)
            self.emit(Bold(self.bold))
        elif command == b"a":
            self.align = _ALIGNMENTS[self.take(1)[0]]
            self.emit(Align(self.align))
        elif command == b"d":
            self.emit(Feed(self.take(1)[0]))
        elif command == b"t":
            number = self.take(1)[0]
            if number not in _CODE_PAGES:
                raise DecodeError(f"code page {number} not supported by the decoder")
            self.code_page = number
            self.emit(CodePage(number))
        else:
            raise DecodeError(f"unknown command ESC {command!r} at offset {start}")

    def group_separator(self, start: int) -> None:
        command = self.take(1)
        if command == b"!":
            value = self.take(1)[0]
            self.size = ((value >> 4) + 1, (value & 0x0F) + 1)
            self.emit(TextSize(*self.size))
        elif command == b"V":
            mode = self.take(1)[0]
            if mode in (0, 1, 48, 49):
                self.emit(Cut(partial=mode in (1, 49)))
            elif mode in (65, 66):
                self.emit(Cut(partial=mode == 66, feed=self.take(1)[0]))
            else:
                raise DecodeError(f"unknown cut mode {mode} at offset {start}")
        elif command == b"v":
            if self.take(1) != b"0":
                raise DecodeError(f"unknown GS v command at offset {start}")
            self.take(1)  # density
            width_bytes = int.from_bytes(self.take(2), "little")
            height = int.from_bytes(self.take(2), "little")
            data = self.take(width_bytes * height)
            self.emit(RasterImage(width_bytes * 8, height, data))
        elif command == b"(":
            self.two_dimensional_code(start)
        else:
            raise DecodeError(f"unknown command GS {command!r} at offset {start}")

    def two_dimensional_code(self, start: int) -> None:
        if self.take(1) != b"k":
            raise DecodeError(f"unknown GS ( command at offset {start}")
        length = int.from_bytes(self.take(2), "little")
        body = self.take(length)
        code_type, function, parameters = body[0], body[1], body[2:]
        if code_type != 49:
            raise DecodeError(f"2D code type {code_type} is not QR at offset {start}")
        if function == 67:
            self.qr_module_size = parameters[0]
        elif function == 69:
            self.qr_error_correction = _QR_ERROR_LEVELS[parameters[0]]
        elif function == 80:
            self.qr_payload = parameters[1:]
        elif function == 81:
            if self.qr_payload is None:
                raise DecodeError(f"QR print without stored data at offset {start}")
            payload = self.qr_payload.decode("utf-8")
            self.emit(QrCode(payload, self.qr_module_size, self.qr_error_correction))
        elif function != 65:  # 65 selects the model; nothing to show
            raise DecodeError(f"unknown QR function {function} at offset {start}")

    def file_separator(self, start: int) -> None:
        command = self.take(1)
        if command == b"&":
            self.chinese_mode = True
        elif command == b".":
            self.chinese_mode = False
        else:
            raise DecodeError(f"unknown command FS {command!r} at offset {start}")
        self.emit(ChineseMode(self.chinese_mode))


def decode(data: bytes) -> list[Element]:
    """Return the elements of an ESC/POS stream; DecodeError on anything unknown."""
    return _Decoder(data).run()


def printed_lines(elements: list[Element]) -> list[str]:
    """The text lines as they come out of the printer, blank lines included."""
    lines: list[str] = []
    current = ""
    for element in elements:
        if isinstance(element, Text):
            current += element.text
        elif isinstance(element, LineFeed):
            lines.append(current)
            current = ""
        elif isinstance(element, Feed):
            lines.append(current)
            lines.extend([""] * (element.lines - 1))
            current = ""
    if current:
        lines.append(current)
    return lines


def texts(elements: list[Element]) -> list[Text]:
    return [element for element in elements if isinstance(element, Text)]
