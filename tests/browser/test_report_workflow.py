"""The issue's "done when", in Persian, in Chromium: a target, a report with a photo typed as «۱۲٬۵۰۰»,
the province's review, the secretariat's approval, the value on the goal's page, and the lock."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (150, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("nav button[type=submit]")


def flash(page) -> str:
    return page.locator("main .alert").first.inner_text()


def test_a_report_goes_from_a_municipality_through_its_province_to_approval(page, network, make_goal):
    from wcc.extensions import db
    from wcc.goals.models import Target

    goal = make_goal()
    city, province, admin = (network.users[n] for n in ("isfahan_city", "isfahan", "admin"))
    # The target of 1404, set back then (the year is closed now, so its targets are locked).
    db.session.add(Target(goal_id=goal.id, org_id=network.orgs["IR-10-ISFAHAN"].id, period_key="1404", value=50000))
    db.session.commit()

    # The municipality officer sets a target, in Persian digits.
    sign_in(page, city.email, TEST_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "fa"
    page.click("nav a[href='/reporting']")
    page.click("main a[href='/targets']")
    # 1405 is the current year: 1404's targets are locked since its last report fell due.
    page.fill(f"input[name='t-{goal.id}-1405']", "۵۰٬۰۰۰")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "مقادیر هدف ذخیره شد" in flash(page)
    assert page.locator(f"input[name='t-{goal.id}-1405']").input_value() == "۵۰۰۰۰"

    # ... then reports on 1404-Q2 from My reporting, with a photo, typing «۱۲٬۵۰۰».
    page.click("nav a[href='/reporting']")
    page.click("main a[href*='period=1404-Q2']")
    assert "سه‌ماههٔ دوم ۱۴۰۴" in page.locator("select[name=period]").inner_text()
    page.fill("input[name=value]", "۱۲٬۵۰۰")
    page.fill("textarea[name=narrative]", "فروش سه تخته نمد به خریدار مسکویی")
    page.set_input_files("input[name=evidence]", files=[
        {"name": "namad.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    assert "گزارش ارسال شد" in flash(page)
    report_id = int(re.search(r"/reports/(\d+)$", page.url).group(1))
    assert "۱۲٬۵۰۰ یورو" in page.locator("main").inner_text()
    thumbnail = page.locator("main img[src*='/evidence/']")
    thumbnail.scroll_into_view_if_needed()  # photos load lazily: bring it on screen, then wait for it
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    sign_out(page)

    # The province officer reviews it from the review queue.
    sign_in(page, province.email, TEST_PASSWORD)
    page.click("nav a[href='/review']")
    page.check(f"input[name=report][value='{report_id}']")
    with page.expect_navigation():
        page.click("button[name=step][value=review]")
    assert "۱ گزارش انجام شد" in flash(page)
    sign_out(page)

    # The secretariat approves it.
    sign_in(page, admin.email, TEST_PASSWORD)
    page.click("nav a[href='/review']")
    page.check(f"input[name=report][value='{report_id}']")
    with page.expect_navigation():
        page.click("button[name=step][value=approve]")
    assert "۱ گزارش انجام شد" in flash(page)

    # The value now counts on the goal's page.
    page.click("nav a[href='/goals']")
    page.click(f"main a[href^='/goals/{goal.code}']")
    page.select_option("select[name=year]", "1404")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    figures = page.locator("main").inner_text()
    assert "تأییدشده تا کنون" in figures and "۱۲٬۵۰۰ یورو" in figures
    assert "۵۰٬۰۰۰ یورو" in figures  # the member's target beside it
    sign_out(page)

    # Editing it now answers that it is locked.
    sign_in(page, city.email, TEST_PASSWORD)
    response = page.goto(f"{page.base_url}/reports/{report_id}/edit")
    assert response.status == 409
    assert "قفل شده است" in page.locator("main").inner_text()
    page.goto(f"{page.base_url}/reports/{report_id}")
    assert page.locator(f"a[href='/reports/{report_id}/edit']").count() == 0
