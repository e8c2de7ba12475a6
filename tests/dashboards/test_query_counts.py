"""Dashboards load in a fixed number of queries, however many members and reports there are."""

from __future__ import annotations

from decimal import Decimal

from wcc.dashboards.rollups import rebuild
from wcc.extensions import cache, db

PAGES = ["/dashboards?period_from=1403&period_to=1404", "/dashboards/goals/EXPORT-RU?period_from=1403&period_to=1404",
         "/dashboards/provinces/IR-10", "/dashboards/members/IR-10-ISFAHAN",
         "/api/v1/dashboard/goals/SATISFACTION?period_from=1403&period_to=1404"]


def counts(client, count_queries) -> dict[str, tuple[int, int]]:
    out = {}
    for path in PAGES:
        cache.clear()
        with count_queries() as cold:
            assert client.get(path).status_code == 200
        with count_queries() as warm:
            assert client.get(path).status_code == 200
        out[path] = (cold.count, warm.count)
    return out


def test_query_counts_do_not_grow_with_members_or_reports(client, login_as, count_queries, figures_data,
                                                         create_org, make_report):
    login_as(figures_data.users["ministry"])
    before = counts(client, count_queries)
    for path, (cold, warm) in before.items():
        assert warm < cold, path
        assert warm <= 10, (path, warm)  # session, user, data version, the filter form's choices
    isfahan = figures_data.orgs["IR-10"]
    for n in range(3):
        town = create_org("municipality", code=f"IR-10-NEW{n}", parent=isfahan)
        for goal in figures_data.goals.values():
            if goal.reported_by(town) and goal.frequency == "quarterly":
                for period in ("1403-Q1", "1403-Q2", "1404-Q1", "1404-Q2"):
                    make_report(town, goal, period, status="approved", value=Decimal("10"))
    rebuild()
    db.session.commit()
    assert counts(client, count_queries) == before
