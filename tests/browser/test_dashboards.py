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
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length >= 6")
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
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length >= 4")
    assert page.locator(".plot-container").count() >= 4


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_ministrys_questions_take_one_click_each_from_the_overview(page, figures_data, lang):
    """Who leads export value in 1404, by value and by share of the target; who has not reported 1404-Q2."""
    from wcc.periods import format_period

    sign_in(page, figures_data.users["ministry"].email, TEST_PASSWORD)
    overview = f"{page.base_url}/dashboards?lang={lang}&period_from=1404&period_to=1404&goal=EXPORT-RU"
    page.goto(overview)
    page.locator("#chart-ranking .main-svg").first.wait_for()
    by_value = page.locator("#table-ranking tbody th").all_inner_texts()
    assert by_value and page.locator("#chart-ranking .bartext").count() > 0  # values on the bars
    page.click("#chosen a[href*='rank=share']")
    assert "rank=share" in page.url and page.url.endswith("#chosen")
    page.locator("#chart-ranking .main-svg").first.wait_for()
    assert page.locator("#chosen a[aria-current='true'][href*='rank=share']").count() == 1
    assert sorted(page.locator("#table-ranking tbody th").all_inner_texts()) == sorted(by_value)
    # Who has not reported 1404-Q2: one click from the top of the overview.
    page.goto(overview)
    with page.expect_navigation():
        page.click("nav[aria-labelledby='h-who-missing'] a[href*='period_from=1404-Q2&period_to=1404-Q2']")
    assert "/dashboards/missing" in page.url and page.url.endswith("#results")
    heading = page.locator("#h-results").inner_text()
    assert format_period("1404-Q2", lang, dates=False) in heading
    rows = page.locator("#table-missing tbody tr")
    assert rows.count() > 0
    assert rows.first.locator("a[href^='/dashboards/members/']").count() == 1


# The values written beyond the ends of ranking bars that stick out of their chart (cut off by its edge).
CUT_BAR_VALUES = """() => [...document.querySelectorAll('.wcc-chart')].flatMap((chart) => {
  const svg = chart.querySelector('.main-svg');
  if (!svg) return [];
  const box = svg.getBoundingClientRect();
  return [...chart.querySelectorAll('.bartext')].filter((text) => {
    const r = text.getBoundingClientRect();
    return r.left < box.left - 1 || r.right > box.right + 1;
  }).map((text) => `${chart.id}: ${text.textContent}`);
})"""


# The charts whose value axis (ticks written by the server) has labels tilted or on top of each other.
CROWDED_VALUE_AXES = """() => [...document.querySelectorAll('.wcc-chart')].filter((chart) => {
  const axis = chart._fullLayout && chart._fullLayout.xaxis;
  if (!axis || axis.tickmode !== 'array') return false;
  const labels = [...chart.querySelectorAll('.xtick text')];
  const boxes = labels.map((text) => text.getBoundingClientRect()).sort((a, b) => a.left - b.left);
  return labels.some((text) => (text.getAttribute('transform') || '').includes('rotate'))
    || boxes.slice(1).some((box, i) => box.left < boxes[i].right - 1);
}).map((chart) => chart.id)"""


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_ranking_values_and_axis_labels_are_whole_on_a_phone(page, figures_data, lang):
    sign_in(page, figures_data.users["ministry"].email, TEST_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base_url}/dashboards/goals/EXPORT-RU?lang={lang}&period_from=1403&period_to=1404")
    page.wait_for_function("document.querySelectorAll('.wcc-chart .main-svg').length >= 4")
    assert page.locator(".wcc-chart .bartext").count() > 0
    for _ in range(50):  # the axis is widened once the chart is drawn
        cut = page.evaluate(CUT_BAR_VALUES)
        if not cut:
            break
        page.wait_for_timeout(200)
    assert cut == []
    assert page.evaluate(CROWDED_VALUE_AXES) == []
