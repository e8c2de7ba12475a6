"""Every page a person reaches from the navigation answers without a server error, for every role.

The links are read from the rendered pages, not listed here: the navbar of the
home page, then the first-level links in the main content of each page the
navbar leads to. Pages that differ only in an id or a query string are opened
once per shape, so the crawl stays short.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

ROLES = {"admin": "admin", "ministry": "ministry", "province": "isfahan", "municipality": "isfahan_city",
         "anonymous": None}
# Not pages: leaving the session, and downloads of files that only exist in a report's evidence.
SKIP = re.compile(r"^/(logout|static/)")


class _Links(HTMLParser):
    """hrefs inside the main navbar and inside <main>, apart."""

    def __init__(self):
        super().__init__()
        self.nav: list[str] = []
        self.main: list[str] = []
        self._where: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "navbar" in (attrs.get("class") or ""):
            self._where.append("nav")
        elif tag == "main":
            self._where.append("main")
        elif tag == "nav":
            self._where.append("other")
        if tag == "a" and attrs.get("href") and self._where:
            where = "nav" if "nav" in self._where else "main" if "main" in self._where else None
            if where:
                getattr(self, where).append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("nav", "main") and self._where:
            self._where.pop()


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"/\d+", "/N", path) + "?" + "&".join(keys)


def _crawl(client, lang: str) -> tuple[dict[str, str], list, int, list[str]]:
    """Open the navbar's pages and the first-level links of each, once per shape: the HTML of
    each page by URL, the server errors, how many were opened, and the navbar's links."""
    home = client.get(f"/?lang={lang}", follow_redirects=True)
    assert home.status_code == 200
    nav = [u for u in (_internal(h) for h in _links(home.get_data(as_text=True)).nav) if u]
    assert nav, "the navbar has links"
    seen: set[str] = set()
    failures = []
    opened = 0
    html: dict[str, str] = {}

    def visit(url: str) -> str | None:
        nonlocal opened
        shape = _shape(url)
        if shape in seen:
            return None
        seen.add(shape)
        response = client.get(url, follow_redirects=True)
        opened += 1
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        if response.mimetype != "text/html":
            return None
        html[url] = response.get_data(as_text=True)
        return html[url]

    pages = [visit(url) for url in nav]
    for page in pages:
        for href in _links(page).main if page else []:
            target = _internal(href)
            if target:
                visit(target)
    return html, failures, opened, nav


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reachable_from_the_navigation_answers(client, figures_data, reference_data, make_initiative,
                                                         login_as, role):
    make_initiative(figures_data.orgs["IR-10-ISFAHAN"], title="Felt rugs for Moscow", published=True)
    if ROLES[role]:
        login_as(figures_data.users[ROLES[role]])
    _, failures, opened, nav = _crawl(client, "en")
    assert not failures, failures
    assert opened >= len(set(map(_shape, nav)))


@pytest.mark.parametrize("role", ["ministry", "municipality"])
def test_persian_pages_separate_items_with_a_mark_that_cannot_be_read_as_a_digit(
        client, figures_data, reference_data, make_initiative, login_as, role):
    """A middle dot reads as a Persian zero: «۱ · ۹ خرداد» looks like «۱۰۹ خرداد»."""
    make_initiative(figures_data.orgs["IR-10-ISFAHAN"], title="نمد برای مسکو", published=True)
    login_as(figures_data.users[ROLES[role]])
    html, failures, _, _ = _crawl(client, "fa")
    assert not failures, failures
    assert len(html) > 5
    assert [url for url, page in html.items() if "·" in page] == []
