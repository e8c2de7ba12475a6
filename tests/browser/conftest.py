"""Browser tests: the app served on a local port, driven through Chromium by Playwright.

``live_server`` serves the test database of the current backend with CSRF on,
exactly as a browser meets it. ``page`` is a fresh Chromium tab whose requests
to any other host are blocked and recorded; a test fails if there were any.
Chromium comes from Debian's package at /usr/bin/chromium (never downloaded).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from tests.fixtures.server import serve_in_thread, stop_serving

CHROMIUM = os.environ.get("WCC_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# How long a click, a fill or a page load may wait before the test fails: a bound on waiting,
# not a measure of speed. Playwright's 30 s is not enough when four test workers, their
# browsers and the servers they drive share two CPUs and a photo upload is in line behind them.
WAIT_MS = 90_000


def new_context(browser, **options):
    """A browser context whose waits are bounded by ``WAIT_MS``."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    return context


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium chromium-driver)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app, make_app) -> Iterator[SimpleNamespace]:
    """The app on http://127.0.0.1:<free port>, sharing the test database."""
    served = make_app(WTF_CSRF_ENABLED=True)
    server, thread, base = serve_in_thread(served)
    try:
        yield SimpleNamespace(url=base, app=served)
    finally:
        stop_serving(server, thread)


@pytest.fixture
def page(browser, live_server):
    """A Chromium tab; requests to other hosts are refused and fail the test."""
    own = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    context = new_context(browser, viewport={"width": 1280, "height": 900}, locale="fa-IR")

    def guard(route):
        url = route.request.url
        if urlsplit(url).netloc != own and not url.startswith(("data:", "blob:")):
            foreign.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.foreign_requests = foreign
    tab.js_errors = errors
    tab.base_url = live_server.url
    yield tab
    context.close()
    assert not foreign, f"the page asked another host for: {foreign}"
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page, email: str, password: str) -> None:
    """Sign in as a person would: the password, then (when asked) the code of the second factor."""
    page.goto(page.base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if "/login/two-factor" in page.url:
        from tests.conftest import totp_code
        from wcc.auth.services import find_user_by_email
        from wcc.extensions import db

        db.session.expire_all()
        page.fill("input[name=code]", totp_code(find_user_by_email(email)))
        with page.expect_navigation():
            page.click("main form button[type=submit]")


def sign_in_cookie(demo, user, base: str) -> dict:
    """The session cookie of a fresh, complete sign-in of ``user``, for a browser context on ``base``."""
    from tests.conftest import sign_in_session
    from wcc.extensions import db

    client = demo.client()
    sign_in_session(client, user)
    db.session.rollback()
    name = demo.app.config["SESSION_COOKIE_NAME"]
    return {"name": name, "value": client.get_cookie(name).value, "url": base}
