"""Column counting and line wrapping of mixed Chinese and Latin ticket text."""

import pytest

from hardware.ticket_layout import display_width, wrap_text

MIXED = (
    "请携带身份证原件及复印件到3号窗口办理业务，Please bring your ID card (original) to window 3."
)


@pytest.mark.parametrize(
    ("text", "columns"),
    [("A023", 4), ("前面还有", 8), ("【】：。", 8), ("Ａ１", 4), ("10–15", 6), ("“é”", 6)],
)
def test_wide_fullwidth_and_ambiguous_characters_take_two_columns(text: str, columns: int) -> None:
    assert display_width(text) == columns


def test_combining_marks_take_no_column() -> None:
    assert display_width("e\u0301") == 1


def test_mixed_text_wraps_at_32_columns() -> None:
    assert wrap_text(MIXED, 32) == [
        "请携带身份证原件及复印件到3号窗",
        "口办理业务，Please bring your ID",
        "card (original) to window 3.",
    ]


def test_mixed_text_wraps_at_48_columns() -> None:
    assert wrap_text(MIXED, 48) == [
        "请携带身份证原件及复印件到3号窗口办理业务，",
        "Please bring your ID card (original) to window",
        "3.",
    ]


@pytest.mark.parametrize("columns", [32, 48])
def test_no_wrapped_line_is_wider_than_the_paper(columns: int) -> None:
    text = MIXED * 3 + "——【提示】：Supercalifragilisticexpialidocious" * 2

    assert all(display_width(line) <= columns for line in wrap_text(text, columns))


def test_closing_punctuation_never_starts_a_line() -> None:
    assert wrap_text("一二三四五六七八九十一二三四五。", 30) == [
        "一二三四五六七八九十一二三四",
        "五。",
    ]


def test_opening_bracket_never_ends_a_line() -> None:
    assert wrap_text("请保管好【号票】", 10) == ["请保管好", "【号票】"]


def test_time_ranges_stay_on_one_line() -> None:
    lines = wrap_text("办理时间：周一至周五 9:00–12:00，14:00–17:30（法定节假日除外）。", 32)

    assert lines == ["办理时间：周一至周五", "9:00–12:00，14:00–17:30（法定", "节假日除外）。"]


def test_word_longer_than_a_line_is_split() -> None:
    assert wrap_text("Supercalifragilisticexpialidocious", 20) == [
        "Supercalifragilistic",
        "expialidocious",
    ]


def test_blank_lines_are_kept() -> None:
    assert wrap_text("第一段\n\n第二段", 32) == ["第一段", "", "第二段"]
