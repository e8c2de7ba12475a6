"""The bell and the notifications page in Chromium, in each language: a returned report reaches its
municipality's officer, who opens the notice, reads the comment, follows it to the report and marks one read."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD

# language → (the kind's title, the page's heading, how the counts 2 and 1 are written)
WORDS = {
    "fa": ("گزارش برگشت خورد", "اعلان‌ها", "۲", "۱"),
    "en": ("Report returned", "Notifications", "2", "1"),
    "ru": ("Отчёт возвращён на доработку", "Уведомления", "2", "1"),
}


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_a_returned_report_rings_the_bell_and_is_read(page, network, make_goal, make_report, client, bearer, lang):
    city, province = network.users["isfahan_city"], network.users["isfahan"]
    goal = make_goal()
    reports = [make_report(network.orgs["IR-10-ISFAHAN"], goal, period, status="submitted", author=city)
               for period in ("1404-Q1", "1404-Q2")]
    for report, comment in zip(reports, ("Attach the sales invoice, please.", "Check the EUR value."), strict=True):
        answer = client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(province),
                             json={"comment": comment})
        assert answer.status_code == 200
    title, heading, two, one = WORDS[lang]

    sign_in(page, city.email, TEST_PASSWORD)
    if lang != "fa":
        with page.expect_navigation():
            page.click(f"nav a[hreflang={lang}]")
    assert page.locator("html").get_attribute("lang") == lang
    bell = page.locator("nav a.wcc-bell")
    assert bell.locator(".badge").inner_text().split()[0] == two
    # On a phone the menu (and its bell) is folded: the count shows on the menu button.
    page.set_viewport_size({"width": 390, "height": 800})
    assert not bell.is_visible()
    assert page.locator("nav .navbar-toggler .wcc-bell-phone").inner_text() == two
    page.click("nav .navbar-toggler")
    bell.wait_for(state="visible")
    assert bell.locator(".badge").inner_text().split()[0] == two
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not page.locator("nav .navbar-toggler").is_visible()

    with page.expect_navigation():
        bell.click()
    assert page.locator("main h1").inner_text() == heading
    items = page.locator("main .list-group-item")
    assert items.count() == 2
    first = items.filter(has_text="Attach the sales invoice, please.")
    assert title in first.inner_text()
    assert first.locator("blockquote").inner_text() == "Attach the sales invoice, please."
    if lang == "fa":
        assert "۱۴۰۴" in first.inner_text()  # the period and the date in Persian digits

    # The notice leads to the report (and following it marks it read).
    with page.expect_navigation():
        first.locator("a.fw-semibold").click()
    assert page.url.endswith(f"/reports/{reports[0].id}")
    assert bell.locator(".badge").inner_text().split()[0] == one

    # The other one is marked read on the page: the bell goes quiet.
    with page.expect_navigation():
        bell.click()
    with page.expect_navigation():
        page.locator("main .list-group-item").filter(has_text="Check the EUR value.").locator(
            "form button[type=submit]").click()
    assert bell.locator(".badge").count() == 0
    assert page.locator("main .list-group-item-warning").count() == 0
