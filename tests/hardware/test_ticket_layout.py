"""What a rendered ticket prints, read back through the ESC/POS decoder."""

from collections.abc import Callable
from dataclasses import replace

import pytest
import qrcode

from hardware.paper_profile import PaperProfile, paper_profile
from hardware.print_job import TicketPrintJob
from hardware.ticket_layout import QR_ERROR_CORRECTION, display_width, render_ticket
from tests.hardware.escpos_decoder import (
    ChineseMode,
    Cut,
    Element,
    Feed,
    Initialize,
    QrCode,
    RasterImage,
    Text,
    decode,
    printed_lines,
    texts,
)

MakeJob = Callable[..., TicketPrintJob]
PAPER_80 = paper_profile("80mm")
PAPER_58 = paper_profile("58mm")


def printout(job: TicketPrintJob, paper: PaperProfile = PAPER_80) -> list[Element]:
    return decode(render_ticket(job, paper))


def test_chinese_ticket_prints_hall_service_and_queue_lines(make_job: MakeJob) -> None:
    lines = printed_lines(printout(make_job()))

    assert lines[0] == "南山区政务服务中心"
    assert lines[1] == "住房公积金提取"
    assert "A023" in lines
    assert "前面还有 12 人" in lines
    assert "预计等候 10～15 分钟" in lines
    assert "取号时间 2026-11-30 09:12" in lines
    assert "扫码查看排队进度" in lines
    assert "请留意叫号，过号请到服务台登记。" in lines


@pytest.mark.parametrize("wait", [(10, 15), (20, 20), (0, 0), (120, 120)])
def test_chinese_ticket_words_are_all_in_gb2312(make_job: MakeJob, wait: tuple[int, int]) -> None:
    """Some Chinese printers' fonts hold GB2312 alone: a character only GBK has (the en dash
    of "10–15") prints as a blot there."""
    kind = "over_limit" if wait == (120, 120) else "range"
    lines = printed_lines(printout(make_job(estimated_wait_minutes=wait, wait_kind=kind)))

    for line in lines:
        line.encode("gb2312")  # raises UnicodeEncodeError for a character beyond it


def test_ticket_number_prints_very_large_and_bold(make_job: MakeJob) -> None:
    elements = printout(make_job(ticket_number="B107"))

    (number,) = [text for text in texts(elements) if text.text == "B107"]
    assert number.width >= 4 and number.height >= 4
    assert number.bold and number.align == "center"
    assert max(text.width for text in texts(elements)) == number.width


@pytest.mark.parametrize(
    ("visitor_class", "tag"),
    [("appointment", "【预约】"), ("pre_reviewed", "【预审】"), ("priority", "【绿色通道】")],
)
def test_visitor_class_prints_its_tag(make_job: MakeJob, visitor_class: str, tag: str) -> None:
    lines = printed_lines(printout(make_job(visitor_class=visitor_class)))

    assert lines[lines.index("A023") + 1] == tag


def test_walk_in_ticket_has_no_class_tag(make_job: MakeJob) -> None:
    lines = printed_lines(printout(make_job(visitor_class="walk_in")))

    assert lines[lines.index("A023") + 1] == ""
    assert not any(tag in line for line in lines for tag in ("预约", "预审", "绿色通道"))


def test_english_ticket_prints_english_tag_and_queue_lines(make_job: MakeJob) -> None:
    job = make_job(language="en", visitor_class="priority", people_ahead=1)

    lines = printed_lines(printout(job))

    assert "[Priority lane]" in lines
    assert "1 person ahead of you" in lines
    assert "Estimated wait: 10-15 min" in lines
    assert "Issued: 2026-11-30 09:12" in lines


@pytest.mark.parametrize(
    ("language", "line"),
    [("zh", "预约时段 10:40，请留意叫号"), ("en", "Your slot: 10:40")],
)
@pytest.mark.parametrize("paper", [PAPER_80, PAPER_58], ids=["80mm", "58mm"])
def test_an_appointment_ticket_prints_its_slot_on_one_line_above_the_queue_lines(
    make_job: MakeJob, language: str, line: str, paper: PaperProfile
) -> None:
    job = make_job(language=language, visitor_class="appointment", appointment_due_local="10:40")

    lines = printed_lines(printout(job, paper))

    assert line in lines
    ahead = "前面还有 12 人" if language == "zh" else "12 people ahead of you"
    assert lines.index(line) + 1 == lines.index(ahead)


def test_a_ticket_without_a_slot_prints_no_slot_line(make_job: MakeJob) -> None:
    for language in ("zh", "en"):
        lines = printed_lines(printout(make_job(language=language, visitor_class="appointment")))

        assert not any("预约时段" in line or "Your slot" in line for line in lines)


def test_point_wait_estimate_prints_one_value(make_job: MakeJob) -> None:
    lines = printed_lines(printout(make_job(estimated_wait_minutes=[20, 20])))

    assert "预计等候约 20 分钟" in lines


def test_native_qr_code_encodes_the_status_url(make_job: MakeJob) -> None:
    job = make_job()

    qr_codes = [e for e in printout(job) if isinstance(e, QrCode)]

    assert qr_codes == [QrCode(job.status_url, PAPER_80.qr_module_dots, "M")]


def test_ticket_ends_with_a_cut_after_the_notice_lines(make_job: MakeJob) -> None:
    elements = printout(make_job())

    assert elements[0] == Initialize()
    assert isinstance(elements[-1], Cut) and not elements[-1].partial
    last_text = max(i for i, e in enumerate(elements) if isinstance(e, Text))
    assert elements[last_text].text == "请留意叫号，过号请到服务台登记。"


def test_fullwidth_punctuation_without_ideographs_prints_as_gb18030(make_job: MakeJob) -> None:
    lines = printed_lines(printout(make_job(notice_lines=["【】：。", "“…”——"])))

    assert "【】：。" in lines
    assert "“…”——" in lines


def test_chinese_mode_is_on_for_text_and_off_for_qr_and_cut(make_job: MakeJob) -> None:
    for paper in (PAPER_80, PAPER_58):
        chinese_mode = False
        for element in printout(make_job(), paper):
            if isinstance(element, ChineseMode):
                chinese_mode = element.on
            elif isinstance(element, Text) and not element.text.isascii():
                assert chinese_mode, element
            elif isinstance(element, QrCode | RasterImage | Cut | Feed):
                assert not chinese_mode, element


def qr_modules(image: RasterImage) -> list[list[bool]]:
    """Sample the modules of a QR code image: quiet zone of 4 modules, any scale, any offset."""
    top = next(
        y for y in range(image.height) if any(image.is_dark(x, y) for x in range(image.width))
    )
    left = next(x for x in range(image.width) if image.is_dark(x, top))
    scale = top // 4
    size = image.height // scale
    origin_x = left - 4 * scale
    return [
        [
            image.is_dark(origin_x + mx * scale + scale // 2, my * scale + scale // 2)
            for mx in range(size)
        ]
        for my in range(size)
    ]


def test_profile_without_native_qr_prints_the_status_url_as_an_image(make_job: MakeJob) -> None:
    job = make_job()

    elements = printout(job, PAPER_58)

    assert not [e for e in elements if isinstance(e, QrCode)]
    (image,) = [e for e in elements if isinstance(e, RasterImage)]
    assert image.width <= PAPER_58.printable_dots
    expected = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=4)
    expected.add_data(job.status_url)
    expected.make(fit=True)
    assert qr_modules(image) == expected.get_matrix()


@pytest.mark.parametrize(
    ("escpos_profile", "native"),
    [("TM-T88V", True), ("default", True), ("POS-5890", False), ("ZJ-5870", False)],
)
def test_printer_profile_decides_native_or_image_qr(
    make_job: MakeJob, escpos_profile: str, native: bool
) -> None:
    elements = printout(make_job(), replace(PAPER_80, escpos_profile=escpos_profile))

    assert any(isinstance(e, QrCode) for e in elements) is native
    assert any(isinstance(e, RasterImage) for e in elements) is not native


def test_profile_without_cutter_feeds_the_ticket_out_instead(make_job: MakeJob) -> None:
    elements = printout(make_job(), PAPER_58)

    assert not [e for e in elements if isinstance(e, Cut)]
    assert isinstance(elements[-1], Feed) and elements[-1].lines >= 3


@pytest.mark.parametrize("paper", [PAPER_58, PAPER_80], ids=["58mm", "80mm"])
def test_every_printed_line_fits_the_paper(make_job: MakeJob, paper: PaperProfile) -> None:
    job = make_job(
        hall_name="深圳市南山区粤海街道党群服务中心便民服务站",
        service_name="企业开办一窗通办（营业执照、公章刻制、发票申领）",
        notice_lines=[
            "温馨提示：请提前准备好身份证原件、营业执照副本及相关材料，Please have your ID ready.",
            "Number called but you were away? Go to the service desk within 30 minutes.",
        ],
    )

    for text in texts(printout(job, paper)):
        assert display_width(text.text) * text.width <= paper.columns, text


def test_control_characters_in_job_text_cannot_inject_commands(make_job: MakeJob) -> None:
    job = make_job(notice_lines=["过号\x1b@请重新取号\x1dV\x00", "zero\u200bwidth"])

    elements = printout(job)

    assert elements.count(Initialize()) == 1
    assert len([e for e in elements if isinstance(e, Cut)]) == 1
    lines = printed_lines(elements)
    assert "过号 @请重新取号 V" in lines
    assert "zerowidth" in lines


@pytest.mark.parametrize(
    ("language", "wait", "kind", "line"),
    [
        ("zh", [120, 120], "over_limit", "预计等候 2 小时以上"),
        ("en", [120, 120], "over_limit", "Estimated wait: over 2 hours"),
        ("zh", [0, 0], "unknown", "暂无预计等候时间"),
        ("en", [0, 0], "unknown", "Estimated wait: not known yet"),
        ("zh", [0, 0], "range", "预计等候不足 1 分钟"),
        ("en", [0, 0], "range", "Estimated wait: under a minute"),
    ],
)
def test_a_wait_beyond_words_prints_as_such(
    make_job: MakeJob, language: str, wait: list[int], kind: str, line: str
) -> None:
    job = make_job(language=language, estimated_wait_minutes=wait, wait_kind=kind)

    lines = printed_lines(printout(job))

    assert line in lines
    assert not any("120" in printed or " 0 分钟" in printed for printed in lines)


def test_an_unknown_wait_kind_is_refused(make_payload: Callable[..., dict]) -> None:
    with pytest.raises(ValueError, match="wait_kind"):
        TicketPrintJob.from_dict(make_payload(wait_kind="soon"))
