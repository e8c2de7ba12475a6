"""Dashboards in Chromium: charts draw in every language, nothing is fetched from another host,
and the ministry's three questions are answered on the overview."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD

QUESTIONS = {
    "fa": ("رتبه‌بندی استان‌ها", "چه کسانی گزارش نداده‌اند؟", "خارج از مسیر"),
    "en": ("Provinces ranked", "Who has not reported?", "Off track"),
    "ru": ("Рейтинг провинций", "Кто не отчитался?", "Отстаёт"),
}


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_overview_and_goal_page_draw_their_charts_offline(page, figures_data, lang):  # noqa: F811
    sign_in(page, figures_data.users["ministry"].email, TEST_PASSWORD)
    page.goto(f"{page.base_url}/dashboards?lang={lang}&period_from=1404&period_to=1404&period=1404-Q2")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr")
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length >= 6", timeout=20_000)
    main = page.locator("main").inner_text()
    for text in QUESTIONS[lang]:
        assert text in main, text
    # The goals table filters by status, the list of missing members names the period asked for.
    page.click("[data-track-filter='off_track']")
    visible = page.locator("#table-goals tbody tr:not([hidden])")
    assert all(row.get_attribute("data-track") == "off_track" for row in visible.all())
    # The map drew the provinces from the app's own GeoJSON.
    assert page.locator("#chart-map .choroplethlocation").count() > 0
    page.goto(f"{page.base_url}/dashboards/goals/EXPORT-RU?lang={lang}&period_from=1403&period_to=1404")
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length >= 4", timeout=20_000)
    assert page.locator(".plot-container").count() >= 4
