"""One progress status: the goal page, the goal progress API and the dashboards agree."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from wcc.auth.models import User
from wcc.dashboards.rollups import rebuild
from wcc.extensions import db
from wcc.goals.models import Goal, Target
from wcc.periods import clock
from wcc.reporting.progress import STATUS_LABELS, ProgressStatus
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


# --- every demo goal, member and province, for two years --------------------------------------

YEARS = (1403, 1404)
ROW = re.compile(r'<tr[^>]* data-(org|province)="([^"]+)"[^>]*>(?:(?!</tr>).)*?data-status="([^"]+)"', re.S)


def english_status_labels(app) -> dict[str, str]:
    """The English label of each status, as the CSV files write it → the status value."""
    with app.test_request_context("/?lang=en"), force_locale("en"):
        return {str(label): status.value for status, label in STATUS_LABELS.items()}


def csv_statuses(client, url: str, labels: dict[str, str]) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    code_column = next(c for c in rows.fieldnames if c.endswith(": code"))
    return {r[code_column]: labels[r["Progress"]] for r in rows}


def test_every_demo_goal_member_and_province_has_one_status_everywhere(demo, monkeypatch):
    """Goal page = goal progress API = dashboard JSON = dashboard CSV, for every demo goal, member and
    province as a whole, in two years (the demo network, loaded once for the session)."""
    app = demo.app
    # A hundred CSV files in a minute: more than one person's export limit, on purpose.
    monkeypatch.setitem(app.config, "EXPORTS_PER_MINUTE", 10_000)
    ministry = db.session.scalar(select(User).where(User.email == "ministry@wcc.example.org"))
    headers = demo.bearer(ministry)
    client = demo.sign_in(demo.client(), ministry)
    labels = english_status_labels(app)
    goals = list(db.session.scalars(select(Goal).order_by(Goal.code)))
    assert len(goals) == 11
    compared = {"members": 0, "provinces": 0}
    statuses = set()
    disagreements = []
    for goal in goals:
        for year in YEARS:
            first, last = (f"{year}-Q1", f"{year}-Q4") if goal.frequency == "quarterly" else (str(year), str(year))
            span = f"period_from={first}&period_to={last}"
            page = client.get(f"/goals/{goal.code}?year={year}&lang=en")
            assert page.status_code == 200
            on_page = {(kind, code): status for kind, code, status in ROW.findall(page.get_data(as_text=True))}
            api = client.get(f"/api/v1/goals/{goal.code}/progress?year={year}", headers=headers)
            assert api.status_code == 200, api.get_json()
            body = api.get_json()
            assert (body["goal"], body["year"]) == (goal.code, year)
            dashboard = client.get(f"/api/v1/dashboard/goals/{goal.code}?{span}", headers=headers).get_json()
            for kind, table, api_key, dashboard_key in (("org", "members_all", "members", "members"),
                                                         ("province", "provinces", "provinces", "provinces")):
                from_api = {m["org"]: m["status"] for m in body[api_key]}
                from_csv = csv_statuses(client, f"/dashboards/goals/{goal.code}.csv?table={table}&{span}&lang=en",
                                        labels)
                for item in dashboard[dashboard_key]:
                    code = item["org"]
                    seen = (on_page.get((kind, code)), from_api.get(code), item["status"], from_csv.get(code))
                    if len(set(seen)) != 1:
                        disagreements.append((goal.code, year, code, seen))
                    compared[api_key] += 1
                    statuses.add(item["status"])
    assert disagreements == [], disagreements
    # Every demo member of every goal, twice; and the provinces the dashboards show.
    assert compared["members"] > 500 and compared["provinces"] > 100, compared
    assert len(statuses) >= 5, statuses  # the demo shows every kind of progress, not just "not enough data"
    print(f"statuses compared: {compared}")


def test_the_goal_progress_api_answers_for_a_year_and_refuses_other_years(client, network, bearer,
                                                                         rising_then_flat):
    goal, city = rising_then_flat
    headers = bearer(network.users["isfahan_city"])
    body = client.get(f"/api/v1/goals/{goal.code}/progress?year=۱۴۰۴", headers=headers).get_json()
    assert body["goal"] == goal.code and body["year"] == 1404
    mine = next(m for m in body["members"] if m["org"] == city.code)
    assert mine == {"org": city.code, "actual": 80.0, "target": 90.0, "status": "moderate_progress"}
    assert {m["org"] for m in body["members"]} == {"IR-10", "IR-07", "IR-10-ISFAHAN", "IR-10-KASHAN",
                                                  "IR-07-SHIRAZ"}
    for year in ("1399", "soon", "1404-Q1"):
        response = client.get(f"/api/v1/goals/{goal.code}/progress?year={year}", headers=headers)
        assert response.status_code == 400
        assert "year" in response.get_json()["error"]["details"]
    assert client.get("/api/v1/goals/NOPE/progress", headers=headers).status_code == 404
    assert "/api/v1/goals/{code}/progress" in client.get("/api/v1/openapi.json").get_json()["paths"]
