"""Every page reachable from the navigation, for every role, in fa, en and ru, in Chromium:
nothing wider than a 390 px phone screen, the navbar on one line at 1280 px, and no serious or
critical accessibility violation found by axe-core at 1280 px. axe runs once per page (the markup
is the same in every language; the pages take turns in fa, en and ru, so each language's text,
direction and labels are checked on a third of them): it is the slowest part of the crawl.

The pages are the ones the navigation crawl finds (tests/fixtures/navigation.py), on the demo
network. One browser; one test, and one context, per role and language (so that the crawl's pages
spread over the test workers); each page is opened once, checked at 390 px, then widened to
1280 px and checked again. axe-core is a test asset only
(tests/browser/vendor/axe-core, MPL-2.0), injected into the page by the test.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import new_context, sign_in_cookie
from tests.conftest import BACKENDS
from tests.fixtures.navigation import ROLES, crawl
from tests.fixtures.server import serve_in_thread, stop_serving

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
DEMO_USERS = {"admin": "admin@wcc.example.org", "ministry": "ministry@wcc.example.org",
              "province": "isfahan.province@wcc.example.org", "municipality": "isfahan.city@wcc.example.org",
              "anonymous": None}
LANGUAGES = ("fa", "en", "ru")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The elements that make the page wider than the screen: the outermost ones whose box goes past the
# screen's edge and that no container of theirs clips or scrolls (an absolutely placed element is
# only clipped by a container that places it).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const placed = (el) => ["absolute", "fixed"].includes(getComputedStyle(el).position);
  const clipped = (el) => {
    let absolute = placed(el);
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (absolute && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      absolute = placed(a);
    }
    return false;
  };
  const beyond = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && (r.right > width + 1 || r.left < -1);
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
    const text = (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const r = el.getBoundingClientRect();
    return `${s} [${Math.round(r.left)}..${Math.round(r.right)}]` + (text ? ` "${text}"` : "");
  };
  const culprits = [...document.body.querySelectorAll("*")].filter((el) => beyond(el) && !clipped(el));
  const outermost = culprits.filter((el) => !culprits.some((other) => other !== el && other.contains(el)));
  return {scrollWidth: document.documentElement.scrollWidth, width, elements: outermost.slice(0, 5).map(name)};
}"""

# axe-core on the whole page but the charts' drawings (thousands of SVG nodes drawn by plotly.js, for
# eyes only: each chart's figures are also a table beside it; the chart's box and toolbar are checked);
# only what it rates serious or critical, one line per node.
AXE_RUN = """async () => {
  const result = await axe.run({exclude: [[".wcc-chart svg.main-svg"]]}, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").flatMap(
    v => v.nodes.map(n => `${v.impact} ${v.id}: ${n.target.join(" ")} - ${
      (n.failureSummary || "").replace(/\\s+/g, " ").replace(/^Fix (any|all) of the following: /, "").slice(0, 200)}`));
}"""

# The navbar at 1280 px: its height (one row is 54 px; a second row of wrapped links adds 30 or more).
NAV_HEIGHT = "() => Math.round(document.querySelector('nav.navbar').getBoundingClientRect().height)"
ONE_ROW = 64


@pytest.fixture(scope="module")
def demo_server(_demo_app):
    server, thread, base = serve_in_thread(_demo_app)
    try:
        yield base
    finally:
        stop_serving(server, thread)


class Problems:
    """What was found, each problem once with the pages it was found on."""

    def __init__(self):
        self.found: dict[str, list[str]] = {}

    def add(self, problem: str, where: str) -> None:
        self.found.setdefault(problem, []).append(where)

    def report(self) -> str:
        return f"{len(self.found)} problems:\n" + "\n".join(
            f"- {problem}\n    on {len(pages)} pages: {', '.join(pages[:6])}{' ...' if len(pages) > 6 else ''}"
            for problem, pages in self.found.items())


@pytest.fixture(scope="module")
def crawled() -> dict:
    """Each role's pages, crawled once for the three languages' tests (on one worker)."""
    return {}


# The layout and the markup do not depend on the database, so the pages are checked on the first
# database kind of the run only (the crawl itself runs on every kind in tests/core/test_navigation.py).
@pytest.mark.parametrize("backend", BACKENDS[:1], indirect=True)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_has_no_serious_accessibility_violation(browser, demo, demo_server, crawled,
                                                                          role, lang):
    from wcc.auth.services import find_user_by_email
    from wcc.extensions import db

    user = find_user_by_email(DEMO_USERS[role]) if DEMO_USERS[role] else None
    if role not in crawled:
        client = demo.client()
        if user:
            demo.sign_in(client, user)
        # The pages as found, apart from the language switch's links: each context keeps its language.
        crawled[role] = [url for url in crawl(client).pages() if "lang=" not in url]
    pages = crawled[role]
    db.session.rollback()  # no transaction left open while the server answers the browser
    assert pages and (role == "anonymous" or len(pages) > 10), pages
    own = urlsplit(demo_server).netloc
    problems = Problems()
    context = new_context(browser, viewport=PHONE, locale="fa-IR")

    def only_own_host(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            problems.add(f"asked another host for {route.request.url}", route.request.frame.url)
            route.abort()

    context.route("**/*", only_own_host)
    if user:
        context.add_cookies([sign_in_cookie(demo, user, demo_server)])
    tab = context.new_page()
    tab.on("pageerror", lambda exc: problems.add(f"JavaScript error: {exc}", role))
    tab.goto(f"{demo_server}/?lang={lang}")
    for number, url in enumerate(pages):
        tab.set_viewport_size(PHONE)
        tab.goto(demo_server + url)
        assert tab.locator("html").get_attribute("lang") == lang, url
        assert tab.locator("html").get_attribute("dir") == ("rtl" if lang == "fa" else "ltr"), url
        overflow = tab.evaluate(OVERFLOW)
        if overflow:
            problems.add(f"wider than 390 px ({overflow['scrollWidth']} px): " + "; ".join(overflow["elements"]), url)
        tab.set_viewport_size(DESKTOP)
        height = tab.evaluate(NAV_HEIGHT)
        if height > ONE_ROW:
            problems.add(f"the navbar wraps at 1280 px ({height} px high)", url)
        if LANGUAGES[number % len(LANGUAGES)] != lang:
            continue  # axe runs once per page, in its turn of the three languages
        tab.evaluate(AXE)  # through the DevTools protocol: the page's CSP allows no inline script
        for line in tab.evaluate(AXE_RUN):
            problems.add(line, url)
    context.close()
    assert not problems.found, f"as {role} in {lang}, " + problems.report()
