"""The World Craft City obligations page in Chromium: a refused "received" on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from wcc.extensions import db


@pytest.fixture
def designated(network):
    from wcc.designations.services import ensure_designations

    network.orgs["IR-10-ISFAHAN"].wcc_year = 2015
    ensure_designations()
    db.session.commit()
    return network


def test_a_refused_date_on_a_phone_shows_once_and_fits_the_screen(page, designated):
    sign_in(page, designated.users["admin"].email, TEST_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for lang in ("fa", "en", "ru"):
        page.goto(page.base_url + f"/designations?lang={lang}")
        row = page.locator("tr#org-IR-10-ISFAHAN")
        forms = row.locator("details:has(input[name=received_on])")
        assert forms.count() == 2  # the two- and four-year reports
        second = forms.nth(1)
        second.locator("summary").click()
        second.locator("input[name=received_on]").fill("31/31/1404")
        with page.expect_navigation():
            second.locator("button[type=submit]").click()

        errors = page.locator("[data-form-error]")
        assert errors.count() == 1
        second = page.locator("tr#org-IR-10-ISFAHAN details:has(input[name=received_on])").nth(1)
        typed = second.locator("input[name=received_on]")
        assert typed.input_value() == "31/31/1404" and typed.is_visible()
        assert typed.evaluate("el => el === document.activeElement")  # taken to the field to correct
        assert page.locator("tr#org-IR-10-ISFAHAN details:has(input[name=received_on])").nth(0) \
            .locator("input[name=received_on]").input_value() == ""
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, lang
        box = errors.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, lang
    assert not page.js_errors
