"""The ESC/POS byte stream of one queue ticket: GB18030 text, big number, QR code and cut."""

from __future__ import annotations

import unicodedata

import qrcode
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from hardware.paper_profile import PaperProfile
from hardware.print_job import TicketPrintJob

INITIALIZE = b"\x1b@"  # ESC @
ENTER_CHINESE_MODE = b"\x1c&"  # FS &: bytes >= 0x80 are GB18030 characters
LEAVE_CHINESE_MODE = b"\x1c."  # FS .
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QR_QUIET_ZONE_MODULES = 4
LARGEST_TEXT_SIZE = 6  # GS ! allows 8; 6 already fills most of a 58 mm line

# Characters that must not begin a line, and those that must not end one
# (a simplified 避头尾 rule); they move with their neighbour instead. Dashes are in
# both, so "9:00–12:00" and "——" stay whole.
_NO_LINE_START = set("，。、；：？！）】」』〉》”’…%,.;:?!)]}–—")
_NO_LINE_END = set("（【「『〈《“‘([{–—")

_TAGS = {
    "zh": {"appointment": "【预约】", "pre_reviewed": "【预审】", "priority": "【绿色通道】"},
    "en": {
        "appointment": "[Appointment]",
        "pre_reviewed": "[Pre-reviewed]",
        "priority": "[Priority lane]",
    },
}


def display_width(text: str) -> int:
    """Columns `text` takes on the printer in Chinese mode, a Font A cell being one column.

    Wide and full-width characters take two. So do the East Asian "ambiguous" ones
    (– · “ ” é): GB18030 encodes them in two bytes, which the printer draws in a
    full Chinese cell.
    """
    return sum(_character_width(character) for character in text)


def _character_width(character: str) -> int:
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F", "A") else 1


def wrap_text(text: str, columns: int) -> list[str]:
    """Break `text` into lines of at most `columns` display columns.

    Latin words stay whole unless longer than a line; CJK text breaks between any two
    characters except before closing or after opening punctuation.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for unit in _units(paragraph, columns):
            if unit.isspace():
                if line:
                    line += unit
                continue
            if display_width(line + unit) <= columns:
                line += unit
            else:
                if line.rstrip():
                    lines.append(line.rstrip())
                line = unit
        lines.append(line.rstrip())
    return lines


def _units(text: str, columns: int) -> list[str]:
    """Split text into pieces that may not be broken: words, single CJK characters, spaces."""
    units: list[str] = []
    for character in text:
        previous = units[-1] if units else ""
        if character.isspace():
            units.append(" ")
        elif (
            previous
            and not previous.isspace()
            and (
                character in _NO_LINE_START
                or previous[-1] in _NO_LINE_END
                or (_is_word_character(character) and _is_word_character(previous[-1]))
            )
        ):
            units[-1] = previous + character
        else:
            units.append(character)
    pieces: list[str] = []
    for unit in units:
        pieces.extend(_split_to_width(unit, columns))
    return pieces


def _is_word_character(character: str) -> bool:
    return character.isascii() and not character.isspace()


def _split_to_width(unit: str, columns: int) -> list[str]:
    if display_width(unit) <= columns:
        return [unit]
    pieces = [""]
    for character in unit:
        if pieces[-1] and display_width(pieces[-1] + character) > columns:
            pieces.append("")
        pieces[-1] += character
    return pieces


def printable_text(text: str) -> str:
    """Remove what the printer would take as a command: control and format characters."""
    return "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in text
        if unicodedata.category(c) != "Cf"
    )


def qr_image(content: str, module_dots: int, max_width_dots: int) -> Image.Image:
    """Draw the QR code of `content` as a black-on-white image no wider than `max_width_dots`."""
    code = qrcode.QRCode(
        error_correction=QR_ERROR_CORRECTION, border=QR_QUIET_ZONE_MODULES, box_size=1
    )
    code.add_data(content)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    dots = max(1, min(module_dots, max_width_dots // size))
    image = Image.new("1", (size * dots, size * dots), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.paste(0, (x * dots, y * dots, (x + 1) * dots, (y + 1) * dots))
    return image


class _TicketWriter:
    """Collects ESC/POS commands; python-escpos builds the QR, image and cut commands.

    Text is encoded here rather than through python-escpos's text(), whose encoder only
    uses GB18030 for lines holding a CJK ideograph: 【】：。 alone come out as ????.
    """

    def __init__(self, paper: PaperProfile) -> None:
        self.paper = paper
        self._commands = Dummy(profile=paper.escpos_profile)
        # After ESC @ some Chinese printers start in Chinese mode and some do not.
        self._chinese_mode: bool | None = None
        self._commands._raw(INITIALIZE)

    def output(self) -> bytes:
        return bytes(self._commands.output)

    def lines(self, text: str, *, size: int = 1, bold: bool = False, align: str = "center") -> None:
        """Print `text` wrapped to the paper at `size` times the normal width and height."""
        self._commands.set(align=align, bold=bold, custom_size=True, width=size, height=size)
        self._set_chinese_mode(True)
        for line in wrap_text(printable_text(text), self.paper.columns // size):
            self._commands._raw(line.encode("gb18030", errors="replace") + b"\n")

    def blank_line(self) -> None:
        self._commands._raw(b"\n")

    def qr_code(self, content: str) -> None:
        # Graphics and 2D-code data may hold bytes >= 0x80; leave Chinese mode so no
        # printer can mistake them for the first byte of a character.
        self._set_chinese_mode(False)
        self._commands.set(align="center")
        if self._commands.profile.supports("qrCode"):
            self._commands.qr(content, ec=QR_ECLEVEL_M, size=self.paper.qr_module_dots, native=True)
        else:
            image = qr_image(content, self.paper.qr_module_dots, self.paper.printable_dots)
            self._commands.image(image, center=True)
        self.blank_line()

    def cut(self) -> None:
        self._set_chinese_mode(False)
        # python-escpos feeds the ticket past the cutter, then cuts if the profile
        # lists a cutter; a profile without one gets only the feed, to tear off.
        self._commands.cut()

    def _set_chinese_mode(self, on: bool) -> None:
        if self._chinese_mode is not on:
            self._commands._raw(ENTER_CHINESE_MODE if on else LEAVE_CHINESE_MODE)
            self._chinese_mode = on


def render_ticket(job: TicketPrintJob, paper: PaperProfile) -> bytes:
    """Return the bytes that print `job` on `paper`, from initialisation to the cut."""
    writer = _TicketWriter(paper)
    columns = paper.columns
    writer.lines(job.hall_name, size=_double_if_it_fits(job.hall_name, columns), bold=True)
    writer.lines(job.service_name)
    writer.blank_line()

    number_size = max(1, min(LARGEST_TEXT_SIZE, columns // display_width(job.ticket_number)))
    writer.lines(job.ticket_number, size=number_size, bold=True)
    tag = _TAGS[job.language].get(job.visitor_class)
    if tag:
        writer.lines(tag, size=_double_if_it_fits(tag, columns), bold=True)
    writer.blank_line()

    for line in _queue_lines(job):
        writer.lines(line)
    writer.blank_line()
    writer.qr_code(job.status_url)
    writer.lines("扫码查看排队进度" if job.language == "zh" else "Scan to follow your queue")

    if job.notice_lines:
        writer.lines("-" * columns, align="left")
        for line in job.notice_lines:
            writer.lines(line, align="left")
    writer.cut()
    return writer.output()


def _double_if_it_fits(text: str, columns: int) -> int:
    return 2 if display_width(text) * 2 <= columns else 1


def _wait_line(job: TicketPrintJob) -> str:
    low, high = job.estimated_wait_minutes
    zh = job.language == "zh"
    if job.wait_kind == "unknown":
        return "暂无预计等候时间" if zh else "Estimated wait: not known yet"
    if job.wait_kind == "over_limit":
        return "预计等候 2 小时以上" if zh else "Estimated wait: over 2 hours"
    if high == 0:
        return "预计等候不足 1 分钟" if zh else "Estimated wait: under a minute"
    if zh:
        # "～", not "–": the en dash is only in GBK, and some printers' fonts hold GB2312 alone.
        return f"预计等候 {low}～{high} 分钟" if low != high else f"预计等候约 {low} 分钟"
    return (
        f"Estimated wait: {low}-{high} min" if low != high else f"Estimated wait: about {low} min"
    )


def _slot_lines(job: TicketPrintJob) -> list[str]:
    """An appointment's slot: a visitor who came early learns from the paper when it is."""
    if job.appointment_due_local is None:
        return []
    if job.language == "zh":
        return [f"预约时段 {job.appointment_due_local}，请留意叫号"]
    return [f"Your slot: {job.appointment_due_local}"]


def _queue_lines(job: TicketPrintJob) -> list[str]:
    if job.language == "zh":
        return [
            *_slot_lines(job),
            f"前面还有 {job.people_ahead} 人",
            _wait_line(job),
            f"取号时间 {job.issued_at_local}",
        ]
    people = "person" if job.people_ahead == 1 else "people"
    return [
        *_slot_lines(job),
        f"{job.people_ahead} {people} ahead of you",
        _wait_line(job),
        f"Issued: {job.issued_at_local}",
    ]
