"""The World Craft City obligations page in Chromium: a refused "received" on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from wcc.extensions import db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


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


def test_switching_language_after_a_refused_date_keeps_the_picked_file(page, designated):
    sign_in(page, designated.users["admin"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/designations?lang=fa")
    second = page.locator("tr#org-IR-10-ISFAHAN details:has(input[name=received_on])").nth(1)
    second.locator("summary").click()
    second.locator("input[name=received_on]").fill("31/31/1404")
    second.locator("input[name=file]").set_input_files(
        {"name": "isfahan-4-years.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        second.locator("button[type=submit]").click()
    assert page.locator("[data-kept-file]").count() == 1

    with page.expect_navigation():
        page.locator("[data-language-switch][hreflang=ru]").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    second = page.locator("tr#org-IR-10-ISFAHAN details:has(input[name=received_on])").nth(1)
    kept = second.locator("[data-kept-file]")
    assert kept.count() == 1 and "isfahan-4-years.pdf" in kept.inner_text() and kept.is_visible()
    assert page.locator("[data-kept-file]").count() == 1  # under the form it was picked in only
    assert second.locator("input[name=received_on]").input_value() == "31/31/1404"
    assert "kept_uploads" not in page.url

    second.locator("input[name=received_on]").fill("2019-01-20")
    with page.expect_navigation():
        second.locator("button[type=submit]").click()
    from wcc.designations.models import Designation

    db.session.rollback()  # a fresh read: the server committed in its own transaction
    designation = db.session.query(Designation).filter_by(org_id=designated.orgs["IR-10-ISFAHAN"].id).one()
    received = designation.reports[1]
    assert received.file is not None and received.file.original_name == "isfahan-4-years.pdf"
    assert designation.reports[0].file is None
    assert not page.js_errors
