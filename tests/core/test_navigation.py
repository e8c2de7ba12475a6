"""Every page a person reaches from the navigation answers without a server error, for every role.

The links are read from the rendered pages, not listed here (tests/fixtures/navigation.py).
"""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.fixtures.navigation import ROLES, crawl, shape

USERS = {"admin": "admin", "ministry": "ministry", "province": "isfahan", "municipality": "isfahan_city",
         "anonymous": None}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reachable_from_the_navigation_answers(client, figures_data, reference_data, make_initiative,
                                                         login_as, role):
    make_initiative(figures_data.orgs["IR-10-ISFAHAN"], title="Felt rugs for Moscow", published=True)
    if USERS[role]:
        login_as(figures_data.users[USERS[role]])
    touched: list[str] = []

    def note_touched(session, _context, _instances):
        # Rows a page marked as changed without changing them: each costs the flush a look at every column.
        touched.extend(f"{request.path}: {name}" for name in sorted(
            {type(obj).__name__ for obj in session.dirty if not session.is_modified(obj)}))

    event.listen(Session, "before_flush", note_touched)
    try:
        found = crawl(client)
    finally:
        event.remove(Session, "before_flush", note_touched)
    assert found.nav, "the navbar has links"
    failures = [(v.url, v.status) for v in found.visits if v.status >= 500]
    assert not failures, failures
    assert len(found.visits) >= len(set(map(shape, found.nav)))
    assert not touched, f"pages marked rows as changed without changing them: {touched}"


@pytest.mark.parametrize("role", ["ministry", "municipality"])
def test_persian_pages_separate_items_with_a_mark_that_cannot_be_read_as_a_digit(
        client, figures_data, reference_data, make_initiative, login_as, role):
    """A middle dot reads as a Persian zero: «۱ · ۹ خرداد» looks like «۱۰۹ خرداد»."""
    make_initiative(figures_data.orgs["IR-10-ISFAHAN"], title="نمد برای مسکو", published=True)
    login_as(figures_data.users[USERS[role]])
    found = crawl(client, "fa")
    assert not [(v.url, v.status) for v in found.visits if v.status >= 500]
    pages = [v for v in found.visits if v.text]
    assert len(pages) > 5
    assert [v.url for v in pages if "·" in v.text] == []
