"""One progress status: the goal page, the goal progress API and the dashboards agree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wcc.dashboards.rollups import rebuild
from wcc.extensions import db
from wcc.goals.models import Target
from wcc.periods import clock
from wcc.reporting.progress import ProgressStatus
from wcc.reporting.queries import goal_progress


@pytest.fixture
def rising_then_flat(network, make_goal, make_report):
    """A "latest" goal: Isfahan city rose 50 → 80 through 1403 and stayed at 80 through 1404;
    its 1404 target is 90."""
    goal = make_goal("POSTAL-ONTIME", aggregation="latest", unit="percent")
    city = network.orgs["IR-10-ISFAHAN"]
    values = {"1403-Q1": 50, "1403-Q2": 60, "1403-Q3": 70, "1403-Q4": 80,
              "1404-Q1": 80, "1404-Q2": 80, "1404-Q3": 80, "1404-Q4": 80}
    for period, value in values.items():
        make_report(city, goal, period, "approved", value=Decimal(value))
    db.session.add(Target(goal_id=goal.id, org_id=city.id, period_key="1404", value=Decimal(90)))
    db.session.commit()
    rebuild()
    db.session.commit()
    return goal, city


def dashboard_status(client, headers, goal, org, first, last) -> str:
    response = client.get(f"/api/v1/dashboard/goals/{goal.code}", headers=headers,
                          query_string={"period_from": first, "period_to": last})
    assert response.status_code == 200, response.get_json()
    return next(m["status"] for m in response.get_json()["members"] if m["org"] == org.code)


def test_goal_page_and_dashboard_measure_growth_from_the_same_base(client, network, bearer, rising_then_flat):
    goal, city = rising_then_flat
    headers = bearer(network.users["ministry"])
    # Base 50 (1403-Q1), now 80 (end of 1404), 90 needed by the end of 1404: about 0.77 of the pace needed.
    page = goal_progress(goal, 1404, clock.today()).members[city.id].assessment.status
    assert page == ProgressStatus.MODERATE
    assert dashboard_status(client, headers, goal, city, "1404-Q1", "1404-Q4") == page
    # Narrowing the range's start does not move the base.
    assert dashboard_status(client, headers, goal, city, "1404-Q3", "1404-Q4") == page
