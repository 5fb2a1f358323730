"""Every word the counter page gained for a window's state, transfers, what an action may do
now, leaving the window and logging out, and refusals has its Chinese."""

from __future__ import annotations

from typing import Any


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    return [value]


def test_the_window_and_transfer_words_have_their_chinese(app: Any) -> None:
    from flask_babel import force_locale

    from counter_client.page_text import (
        action_text,
        leaving_text,
        refusal_text,
        requeue_text,
        transfer_text,
        window_text,
    )

    def words(locale: str) -> list[str]:
        with app.test_request_context(), force_locale(locale):
            return (
                strings(window_text())
                + strings(transfer_text())
                + strings(action_text())
                + strings(leaving_text())
                + strings(refusal_text())
                + strings(requeue_text())
            )

    english, chinese = words("en"), words("zh")
    assert len(english) >= 60
    assert [text for text, own in zip(english, chinese, strict=True) if text == own] == []
