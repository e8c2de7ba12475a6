"""Initiatives in Chromium: a province officer registers one in Persian; hostile titles stay text."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD
from wcc.extensions import db
from wcc.initiatives import services

XSS = "<img src=x onerror=alert(1)>"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def categories(app):
    services.ensure_reference_data()
    db.session.commit()
    from sqlalchemy import select

    from wcc.initiatives.models import Category

    return {c.code: c for c in db.session.scalars(select(Category))}


def photo(colour) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, "JPEG")
    return {"name": f"photo-{colour[0]}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def test_a_province_officer_registers_and_publishes_an_initiative_that_others_can_see_but_not_edit(
        page, network, categories):
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/")
    page.click("main a[href='/initiatives/new']")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_label("عنوان", exact=True).fill("نمایشگاه‌های زنده صنایع دستی در مسکو")
    page.get_by_label("دسته").select_option("exhibition")
    page.get_by_label("تاریخ آغاز").fill("۱۴۰۴/۱۱/۱۲")
    page.get_by_label("نمدمالی").check()
    page.get_by_label("عکس‌ها").set_input_files([photo((200, 40, 40)), photo((40, 120, 160))])
    page.get_by_label("اسناد PDF").set_input_files([{"name": "برنامه.pdf", "mimeType": "application/pdf",
                                                     "buffer": PDF}])
    page.get_by_label("منتشرشده: همه اعضای شبکه آن را می‌بینند").check()
    with page.expect_navigation():
        page.get_by_role("button", name="ذخیره").click()

    assert re.search(r"/initiatives/\d+$", page.url)
    detail_url = page.url
    assert page.locator("h1").inner_text() == "نمایشگاه‌های زنده صنایع دستی در مسکو"  # ZWNJ kept
    assert page.locator(".initiative-gallery img").count() == 2
    assert page.locator("a[download]", has_text="برنامه.pdf").count() == 1
    # The photos load (lazily, so each is scrolled into view first) and show a picture.
    for photo_img in page.locator(".initiative-gallery img").all():
        photo_img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo_img.element_handle())

    page.click("nav form button[type=submit]")  # sign out
    sign_in(page, network.users["shiraz_city"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives?q=نمایشگاه های زنده")  # a space where the title has a ZWNJ
    page.click("text=نمایشگاه‌های زنده صنایع دستی در مسکو")
    assert page.url == detail_url
    assert page.get_by_role("link", name="ویرایش").count() == 0
    assert page.locator("form[action$='/delete']").count() == 0
    response = page.goto(detail_url + "/edit")
    assert response.status == 403


def test_another_members_draft_is_invisible_to_outsiders(page, network, categories):
    draft = services.create_initiative(network.orgs["IR-07-SHIRAZ"], {"title": "پیش‌نویس شیراز",
                                                                       "category": categories["auction"]})
    db.session.commit()
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives")
    assert page.locator("text=پیش‌نویس شیراز").count() == 0
    assert page.goto(f"{page.base_url}/initiatives/{draft.id}").status == 404


def test_a_hostile_title_shows_literally_and_never_runs(page, network, categories):
    ini = services.create_initiative(network.orgs["IR-10"], {
        "title": XSS, "category": categories["film"], "summary": XSS, "published": True,
        "story": f"{XSS}\n\n<script>alert(2)</script>", "partners": [XSS]})
    services.update_initiative(ini, {"title": XSS + " (2)"})
    db.session.commit()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, network.users["kashan_city"].email, TEST_PASSWORD)
    for path in ("/initiatives?lang=en", "/initiatives?view=cards&lang=en", f"/initiatives/{ini.id}?lang=en",
                 "/initiatives?q=onerror&lang=fa"):
        page.goto(page.base_url + path)
        assert page.get_by_text(XSS + " (2)").count() >= 1, path
        assert page.locator("img[src='x']").count() == 0, path
    page.click("nav form button[type=submit]")
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)  # the owner's province, who may edit
    page.goto(f"{page.base_url}/initiatives/{ini.id}/edit?lang=en")
    assert page.get_by_label("Title", exact=True).input_value() == XSS + " (2)"
    page.goto(f"{page.base_url}/initiatives/{ini.id}?lang=en")
    assert page.locator("#history-heading").count() == 1
    assert page.locator("img[src='x'], script:has-text('alert(2)')").count() == 0
    assert dialogs == []


def test_a_photo_picked_before_a_form_error_is_kept_and_saved_once(page, network, categories):
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives/new?lang=en")
    page.get_by_label("Category").select_option("exhibition")
    page.get_by_label("Photos").set_input_files([photo((30, 140, 90))])
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()  # the title is missing

    kept = page.locator("[data-kept-file]")
    assert kept.count() == 1 and "photo-30.jpg" in kept.inner_text()
    assert kept.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")  # its preview
    remove = kept.get_by_role("button", name="Remove photo-30.jpg")
    remove.click()  # changed one's mind twice: removed, then kept again
    assert kept.locator("input[name=kept_remove]").is_checked()
    kept.get_by_role("button", name="Keep photo-30.jpg").click()
    assert not kept.locator("input[name=kept_remove]").is_checked()

    assert saved_file_names(page) == ["photo-30.jpg"]
    assert page.locator(".initiative-gallery img").count() == 1
    assert not page.js_errors


def saved_file_names(page) -> list[str]:
    """Save the form with its missing title filled in; the names of the new initiative's files."""
    from sqlalchemy import select

    from wcc.initiatives.models import Initiative

    page.get_by_label("Title", exact=True).fill("Felt market in Moscow")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert re.search(r"/initiatives/\d+$", page.url)
    db.session.rollback()  # a fresh read: the server committed in its own transaction
    return [f.stored.original_name for f in db.session.scalars(select(Initiative)).one().files]


def test_switching_language_after_a_form_error_keeps_the_kept_photo(page, network, categories):
    sign_in(page, network.users["isfahan"].email, TEST_PASSWORD)
    page.goto(page.base_url + "/initiatives/new?lang=en")
    page.get_by_label("Category").select_option("exhibition")
    page.get_by_label("Summary").fill("Felt from Isfahan shown in Moscow")
    page.get_by_label("Photos").set_input_files([photo((60, 90, 150))])
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()  # the title is missing
    assert page.locator("[data-kept-file]").count() == 1

    with page.expect_navigation():
        page.locator("[data-language-switch][hreflang=ru]").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    kept = page.locator("[data-kept-file]")
    assert kept.count() == 1 and "photo-60.jpg" in kept.inner_text()
    assert page.locator("#category").input_value() == "exhibition"
    assert "kept_uploads" not in page.url  # the token is not left in the address bar

    with page.expect_navigation():  # and back again: still kept
        page.locator("[data-language-switch][hreflang=en]").click()
    assert page.locator("[data-kept-file]").count() == 1
    assert saved_file_names(page) == ["photo-60.jpg"]
    assert not page.js_errors
