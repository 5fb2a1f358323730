"""Every manager page renders in Chinese (the default) and in English, and hands its script the
words it needs."""

from __future__ import annotations

import json
import re

import pytest

PAGES = ["/manager/", "/city/", "/manager/reports", "/manager/admin"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_page_renders_in_both_languages(client, path, lang):
    response = client.get(f"{path}?lang={lang}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'data-locale="{lang}"' in html
    assert 'id="login-form"' in html and "live_client.js" in html
    text = json.loads(re.search(r"text: (\{.*\}),\n", html).group(1))
    assert text["alerts"]["paper_out"]
    if lang == "zh":
        assert "管理员登录" in html
        assert text["managers_only"] == "本页面仅供大厅管理员和系统管理员使用。"
    else:
        assert text["managers_only"].startswith("These pages are for hall managers")


def test_the_printable_report_asks_for_a_login_first(client):
    response = client.get("/manager/reports/print?hall_id=1&period=week")
    assert response.status_code == 401
    assert "请先在本浏览器的管理页面登录" in response.get_data(as_text=True)
    assert client.get("/manager/reports/print?hall_id=x").status_code == 400


def test_the_dashboard_says_waits_in_the_boards_words_and_in_chinese(client):
    html = client.get("/manager/?lang=zh").get_data(as_text=True)
    text = json.loads(re.search(r"text: (\{.*\}),\n", html).group(1))

    assert "wait_text.js" in html  # the kiosk's and board's rules, not a copy of them
    assert text["wait_words"] == {
        "no_window_now": "暂无窗口办理",
        "over_limit": "超过 2 小时",
        "under_a_minute": "无需等候",
        "minutes_point": "约 {n} 分钟",
        "minutes_range": "约 {low}–{high} 分钟",
    }
