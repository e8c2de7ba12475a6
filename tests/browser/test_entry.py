"""Typing numbers and dates as people write them, in Chromium, in Persian: never a silent guess."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from wcc.extensions import db
from wcc.goals.models import Target
from wcc.initiatives import services
from wcc.initiatives.models import Initiative
from wcc.periods.clock import today
from wcc.periods.period import period_containing
from wcc.reporting.models import ProgressReport


@pytest.fixture
def categories(app):
    services.ensure_reference_data()
    db.session.commit()


def test_a_province_officer_types_a_persian_date_and_amount_then_finds_the_initiative(page, network, categories):
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives/new")
    help_text = page.locator("#start_date-help")
    assert help_text.locator("bdi").all_inner_texts() == ["۲۲ بهمن ۱۴۰۵", "۱۴۰۵/۱۱/۲۲", "2027-02-11"]
    page.locator("#title").fill("فروش نمد به خریدار مسکو")
    page.locator("#summary").fill("نمدمالی اصفهان")
    page.locator("#category").select_option("export_deal")
    page.locator("#start_date").fill("۲۲ بهمن ۱۴۰۵")
    # The end date from the Solar Hijri calendar: Persian month names and digits.
    page.locator("[data-date-picker='end_date']").click()
    picker = page.locator("jdp-container")
    picker.wait_for(state="visible")
    assert "ش" in picker.inner_text() and any(m in picker.inner_text() for m in ("فروردین", "آذر", "دی", "بهمن"))
    picker.locator(".jdp-day:not(.disabled-day):not(.not-in-month)", has_text="۱۵").first.click()
    end_typed = page.locator("#end_date").input_value()
    assert end_typed.count("/") == 2 and end_typed[0] == "۱"
    page.locator("#end_date").fill("۱۰ اسفند ۱۴۰۵")
    page.locator("#deal_amount").fill("۱۲٬۵۰۰ یورو")
    with page.expect_navigation():
        page.get_by_role("button", name="ذخیره").click()

    db.session.rollback()  # a fresh read: the server committed in its own transaction
    ini = db.session.scalars(select(Initiative)).one()
    assert str(ini.start_date) == "2027-02-11"
    assert (ini.deal_amount, ini.deal_currency) == (Decimal("12500"), "EUR")
    page.goto(page.base_url + "/initiatives?q=نمدمالي مسكو")  # Arabic ي/ك, words in the other fields
    assert page.locator("main").get_by_text("فروش نمد به خریدار مسکو").count() >= 1


def test_a_municipality_officer_is_asked_what_an_ambiguous_number_meant(page, network, make_goal):
    goal = make_goal()
    sign_in(page, network.users["isfahan_city"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/targets")
    # The running year's box (a closed year's targets are locked).
    box = page.locator(f"#t-{goal.id}-{period_containing(today(), 'yearly').key}")
    box.fill("۱۲.۵۰۰")
    with page.expect_navigation():
        page.get_by_role("button", name="ذخیرهٔ مقادیر هدف").click()
    db.session.rollback()
    assert db.session.scalars(select(Target)).first() is None  # nothing was guessed
    question = page.locator("fieldset.number-choice")
    assert question.locator("legend").inner_text() == "منظورتان کدام بود؟"
    question.get_by_label("۱۲٬۵۰۰").check()
    with page.expect_navigation():
        page.get_by_role("button", name="ذخیرهٔ مقادیر هدف").click()
    db.session.rollback()  # a fresh read: the server committed in its own transaction
    assert db.session.scalars(select(Target)).one().value == 12500


def test_switching_language_keeps_a_half_filled_form(page, network, categories):
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives/new")
    page.locator("#title").fill("نمایشگاه نمد در مسکو")
    page.locator("#category").select_option("exhibition")
    page.get_by_label("نمدمالی").check()
    page.locator("#start_date").fill("۲۲ بهمن ۱۴۰۵")
    with page.expect_navigation():
        page.locator("[data-language-switch][hreflang=en]").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#title").input_value() == "نمایشگاه نمد در مسکو"
    assert page.locator("#category").input_value() == "exhibition"
    assert page.get_by_label("Felt-making (namad)").is_checked()
    assert page.locator("#start_date").input_value() == "۲۲ بهمن ۱۴۰۵"
    page.reload()  # carried over once only
    assert page.locator("#title").input_value() == ""


def test_a_municipality_officer_confirms_what_an_ambiguous_report_value_meant(page, network, make_goal, make_report):
    goal = make_goal()
    city = network.orgs["IR-10-ISFAHAN"]
    make_report(city, goal, "1404-Q1", "approved", value=Decimal("1000"))
    sign_in(page, network.users["isfahan_city"].email, TEST_PASSWORD)
    page.goto(page.base_url + f"/reports/new?goal={goal.code}&period=1404-Q2")
    beside = page.locator("#value-context")
    assert "۱٬۰۰۰ یورو" in beside.inner_text()  # last period's approved value, beside the field
    echo = page.locator("#value-echo")
    page.locator("#value").fill("۱۲٬۵۰۰")
    expect(echo).to_have_text("خوانده شد: ۱۲٬۵۰۰ یورو")  # read as it will be saved, before saving
    page.locator("#value").fill("۱۲.۵۰۰")
    expect(echo).to_contain_text("۱۲٫۵")  # both readings named: nothing is guessed
    save = page.locator("button[name=action][value=save]")
    with page.expect_navigation():
        save.click()
    db.session.rollback()
    assert db.session.scalar(select(ProgressReport).where(ProgressReport.period_key == "1404-Q2")) is None
    question = page.locator("fieldset.number-choice")
    assert question.locator("legend").inner_text() == "منظورتان کدام بود؟"
    question.get_by_label("۱۲٬۵۰۰").check()
    with page.expect_navigation():
        save.click()
    # More than ten times last period's value: asked again, in Persian, before anything is saved.
    db.session.rollback()
    assert db.session.scalar(select(ProgressReport).where(ProgressReport.period_key == "1404-Q2")) is None
    assert "بیش از ده برابر" in page.locator("#value-errors").inner_text()
    assert echo.inner_text() == "خوانده شد: ۱۲٬۵۰۰ یورو"
    page.get_by_label("بله، ۱۲٬۵۰۰ یورو درست است").check()
    with page.expect_navigation():
        save.click()
    assert "/reports/" in page.url and "/new" not in page.url
    db.session.rollback()  # a fresh read: the server committed in its own transaction
    report = db.session.scalar(select(ProgressReport).where(ProgressReport.period_key == "1404-Q2"))
    assert report.value == 12500
    assert not page.js_errors
