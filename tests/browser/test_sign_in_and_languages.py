"""Signing in as each role and switching language, in Chromium."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import TEST_PASSWORD

HOME_MARKERS = {
    # role → (where signing in lands, a link only that home page offers)
    "admin": ("/dashboards", "main a[href^='/dashboards/overview.csv']"),
    "ministry": ("/dashboards", "main a[href^='/dashboards/overview.csv']"),
    "isfahan": ("", "main a[href='/orgs/IR-10-ISFAHAN']"),
    "isfahan_city": ("", "main a[href='/orgs/IR-10-ISFAHAN']"),
}


@pytest.mark.parametrize("who", sorted(HOME_MARKERS))
def test_each_role_signs_in_to_its_home_page_and_switches_language(page, network, who):
    """The ministry and the secretariat land on the network overview; members on their home page."""
    user = network.users[who]
    home, marker = HOME_MARKERS[who]
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "fa"
    assert page.locator("html").get_attribute("dir") == "rtl"
    sign_in(page, user.email, TEST_PASSWORD)
    assert page.url.rstrip("/") == page.base_url + home
    assert page.locator(marker).count() >= 1
    assert "sign-out" not in page.url

    for lang, direction, word in (("en", "ltr", "Sign out"), ("ru", "ltr", "Выйти"), ("fa", "rtl", "خروج")):
        with page.expect_navigation():
            page.click(f"nav a[hreflang={lang}]")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("html").get_attribute("dir") == direction
        assert page.locator("nav button[type=submit]").inner_text().strip() == word

    with page.expect_navigation():
        page.click("nav button[type=submit]")  # sign out
    assert "/login" in page.url


def test_wrong_password_shows_the_same_message_as_an_unknown_address(page, network):
    page.goto(page.base_url + "/login?lang=en")
    messages = []
    for email in (network.users["admin"].email, "nobody@test.example.org"):
        sign_in(page, email, "wrong password")
        messages.append(page.locator(".alert-danger").inner_text().strip())
    assert messages[0] == messages[1]
    assert "not correct" in messages[0]


def test_the_language_picked_on_the_sign_in_page_is_kept_with_what_was_typed_and_saved(page, network):
    from wcc.extensions import db

    user = network.users["isfahan_city"]
    user.preferred_language = "fa"
    db.session.commit()
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", user.email)
    with page.expect_navigation():
        page.click("[data-language-switch][hreflang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=email]").input_value() == user.email  # what was typed is kept
    with page.expect_navigation():
        page.click("[data-language-switch][hreflang=ru]")
    assert page.locator("input[name=email]").input_value() == user.email
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("nav button[type=submit]").inner_text().strip() == "Выйти"
    db.session.rollback()  # a fresh read: the server committed in its own transaction
    assert user.preferred_language == "ru"
