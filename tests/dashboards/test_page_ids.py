"""Every element id on a dashboard page is its own: headings and tables are named by their ids
(``aria-labelledby``, links to a table), so a repeated id names the wrong one."""

from __future__ import annotations

import re
from collections import Counter

from wcc.extensions import db

PAGES = ["/dashboards?period_from=1403&period_to=1404", "/dashboards/goals/EXPORT-RU?period_from=1403&period_to=1404",
         "/dashboards/provinces/IR-10", "/dashboards/members/IR-10-ISFAHAN",
         "/public/goals/EXPORT-RU?period_from=1403&period_to=1404"]


def repeated_ids(html: str) -> dict[str, int]:
    return {i: n for i, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1}


def test_no_dashboard_page_repeats_an_id(client, login_as, figures_data):
    figures_data.goals["EXPORT-RU"].public_dashboard = True
    db.session.commit()
    login_as(figures_data.users["ministry"])
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert repeated_ids(html) == {}, path
    # The goal page and the overview draw an added-up goal twice (per period, cumulative) from one table.
    goal_page = client.get(PAGES[1]).get_data(as_text=True)
    assert 'aria-labelledby="h-trend"' in goal_page and 'aria-labelledby="h-cumulative"' in goal_page
    assert 'id="table-cumulative"' in goal_page


def test_a_rows_link_is_the_url_url_for_makes(app):
    from wcc.dashboards.filters import parse_filters
    from wcc.dashboards.views import _Links, dashboard_url
    from wcc.periods import clock

    with app.test_request_context("/dashboards/goals/EXPORT-RU"):
        filters = parse_filters({"period_from": "1403", "period_to": "1404", "province": "IR-10"}, clock.today())
        link = {"endpoint": "dashboards.member", "key": "org", "allowed": None}
        links = _Links(link, filters)
        for code in ("IR-10-KASHAN", "IR 10/Kashan?x=1"):  # the second needs quoting: url_for makes it
            assert links.url(code) == dashboard_url("dashboards.member", filters, code=code)
        assert _Links({**link, "allowed": {"IR-10"}}, filters).url("IR-10-KASHAN") is None
