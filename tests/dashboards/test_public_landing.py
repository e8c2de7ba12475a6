"""The public landing page: what a visitor sees at / and /public, the empty state, robots, no leaks."""

from __future__ import annotations

import json
import re

from wcc.extensions import cache, db


def _open(goal) -> None:
    goal.public_dashboard = True
    db.session.commit()
    cache.clear()


def test_a_visitor_at_the_root_sees_the_public_goals_a_map_and_a_way_to_sign_in(client, figures_data):
    _open(figures_data.goals["EXPORT-RU"])
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/public")
    response = client.get("/public?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/public/goals/EXPORT-RU"' in page and "Goal EXPORT-RU" in page
    assert 'href="/login"' in page and 'hreflang="ru"' in page  # sign in; the language switch
    assert 'data-chart="chart-map"' in page and "iran-provinces" in page
    network = client.get("/public/goals/EXPORT-RU.csv?table=trend&period_from=1404&period_to=1404")
    assert network.status_code == 200


def test_nothing_public_yet_tells_an_admin_where_to_switch_it_on(client, login_as, figures_data):
    page = client.get("/public?lang=en").get_data(as_text=True)
    assert "Nothing is public yet" in page and "Public dashboard" in page
    assert 'data-chart="chart-map"' not in page and 'href="/goals"' not in page
    login_as(figures_data.users["admin"])
    assert 'href="/goals"' in client.get("/public?lang=en").get_data(as_text=True)


def test_no_private_figure_leaks(client, figures_data):
    _open(figures_data.goals["EXPORT-RU"])
    page = client.get("/public?lang=en").get_data(as_text=True)
    # Only the public goal: no other goal's title or code.
    for code in ("POSTAL-ONTIME", "SATISFACTION", "MARKET-STUDIES"):
        assert code not in page and f"Goal {code}" not in page
    # Provinces as a whole only: no municipality, by code or name; no people.
    for text in ("IR-10-ISFAHAN", "IR-10-KASHAN", "IR-07-SHIRAZ", "Kashan", "Shiraz", "@test.example.org"):
        assert text not in page
    figure = json.loads(re.search(r'data-chart="chart-map"[^>]*>(.*?)</script>', page, re.S).group(1))
    markers = figure["data"][0]
    assert markers["type"] == "scattergeo" and markers["lat"] == []
    assert set(figure["data"][2]["locations"]) <= {"IR-10", "IR-07"}
    # A goal that is not public cannot be picked for the map.
    other = client.get("/public?goal=POSTAL-ONTIME&lang=en").get_data(as_text=True)
    assert "Goal POSTAL-ONTIME" not in other and "Map: Goal EXPORT-RU" in other


def test_search_engines_may_index_the_public_pages_only(client, figures_data):
    _open(figures_data.goals["EXPORT-RU"])
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert robots.get_data(as_text=True).splitlines() == ["User-agent: *", "Allow: /public", "Disallow: /"]
    for path in ("/public", "/public/goals/EXPORT-RU"):
        response = client.get(path)
        assert "X-Robots-Tag" not in response.headers
        assert '<meta name="robots" content="index, follow">' in response.get_data(as_text=True)
    login = client.get("/login")
    assert login.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in login.get_data(as_text=True)
