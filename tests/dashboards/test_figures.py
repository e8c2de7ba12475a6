"""Page = CSV = API = the sums a person computes from the raw report rows, for every goal."""

from __future__ import annotations

import csv
import io

import pytest

from tests.fixtures.dashboards import (
    expected_area,
    expected_member,
    expected_target,
    raw_reports,
    yearly_targets,
)
from wcc.periods import parse_period

RANGES = [("1404", "1404"), ("1403-Q3", "1404-Q2"), ("1403", "1404")]


def api_goal(client, headers, code, first, last, **extra):
    response = client.get(f"/api/v1/dashboard/goals/{code}", headers=headers,
                          query_string={"period_from": first, "period_to": last, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def csv_table(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def close(a, b, places: int = 6) -> bool:
    """Equal up to float rounding (CSV files carry four decimal places)."""
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=1e-9, abs=10 ** -places)


@pytest.mark.parametrize("first,last", RANGES)
def test_every_goal_matches_the_raw_rows_in_api_csv_and_page(client, login_as, bearer, figures_data, first, last):
    data = figures_data
    ministry = data.users["ministry"]
    headers = bearer(ministry)
    login_as(ministry)
    reports = raw_reports()
    p_first, p_last = parse_period(first), parse_period(last)
    for code, goal in data.goals.items():
        body = api_goal(client, headers, code, first, last, include="periods")
        assert body["goal"] == code
        members = {m["org"]: m for m in body["members"]}
        assert set(members) == {o.code for o in data.members if goal.reported_by(o)}
        csv_rows = {r["Member: code"]: r for r in csv_table(
            client, f"/dashboards/goals/{code}.csv?table=members&period_from={first}&period_to={last}&lang=en")}
        page = client.get(f"/dashboards/goals/{code}?period_from={first}&period_to={last}&lang=en")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        for org in data.members:
            if not goal.reported_by(org):
                continue
            actual, count, per_period = expected_member(goal, org, p_first, p_last, reports)
            item = members[org.code]
            assert close(item["actual"], actual), (code, org.code, item["actual"], actual)
            assert item["reports"] == count
            assert {p["period"]: p["actual"] for p in item["periods"] if p["actual"] is not None} == \
                pytest.approx(per_period)
            target = expected_target(goal, yearly_targets(goal, org.id), p_first, p_last)
            assert close(item["target"], target), (code, org.code)
            row = csv_rows[org.code]
            assert close(float(row["Approved"]) if row["Approved"] else None, actual, 4)
            assert close(float(row["Target"]) if row["Target"] else None, target, 4)
            assert int(row["Approved reports"]) == count
            assert formatted(client, goal, actual) in html
        network_ids = {o.id for o in data.members}
        actual, per_period = expected_area(goal, network_ids, p_first, p_last, reports)
        assert close(body["network"]["actual"], actual), (code, body["network"]["actual"], actual)
        assert close(body["network"]["target"],
                     expected_target(goal, yearly_targets(goal, data.orgs["WCC"].id), p_first, p_last))
        if actual is not None:
            assert formatted(client, goal, actual) in html
        for province in ("IR-10", "IR-07"):
            ids = {o.id for o in data.members if o.code.startswith(province)}
            area_actual, _ = expected_area(goal, ids, p_first, p_last, reports)
            found = next((p for p in body["provinces"] if p["org"] == province), None)
            # A province with neither an approved figure nor a target is left out of the list.
            assert close(found["actual"] if found else None, area_actual), (code, province)


def formatted(client, goal, value) -> str:
    """The value as the English page writes it."""
    from wcc.goals.display import format_value

    with client.application.test_request_context("/?lang=en"):
        return format_value(value, goal.unit)


def test_overview_api_matches_the_raw_rows_and_the_goal_api(client, bearer, figures_data):
    data = figures_data
    headers = bearer(data.users["ministry"])
    reports = raw_reports()
    body = client.get("/api/v1/dashboard/overview?period_from=1403&period_to=1404", headers=headers).get_json()
    assert {g["code"] for g in body["goals"]} == set(data.goals)
    assert set(body["tiles"]) >= {"members_reporting", "active_initiatives", "export_eur", "goals_on_track"}
    first, last = parse_period("1403"), parse_period("1404")
    for row in body["goals"]:
        goal = data.goals[row["code"]]
        actual, _ = expected_area(goal, {o.id for o in data.members}, first, last, reports)
        assert close(row["actual"], actual)
        assert row["status"] and row["target"] is not None
        goal_body = api_goal(client, headers, row["code"], "1403", "1404")
        assert close(goal_body["network"]["actual"], row["actual"])
        assert goal_body["network"]["status"] == row["status"]
    # Export value this year: the EUR goal's approved total in 1404.
    eur, _ = expected_area(data.goals["EXPORT-RU"], {o.id for o in data.members}, last, last, reports)
    assert close(body["tiles"]["export_eur"]["value"], eur)


def test_province_filter_narrows_the_members_not_the_network(client, bearer, figures_data):
    headers = bearer(figures_data.users["ministry"])
    whole = api_goal(client, headers, "EXPORT-RU", "1404", "1404")
    fars = api_goal(client, headers, "EXPORT-RU", "1404", "1404", province="IR-07")
    assert {m["org"] for m in fars["members"]} == {"IR-07", "IR-07-SHIRAZ"}
    assert [p["org"] for p in fars["provinces"]] == ["IR-07"]
    assert fars["network"] == whole["network"]


def test_overview_csv_tables_hold_the_page_numbers(client, login_as, figures_data):
    login_as(figures_data.users["ministry"])
    rows = csv_table(client, "/dashboards/overview.csv?table=goals&period_from=1404&period_to=1404&lang=en")
    api = {g["code"]: g for g in client.get("/api/v1/dashboard/overview?period_from=1404&period_to=1404")
           .get_json()["goals"]}
    assert {r["Goal: code"] for r in rows} == set(api)
    for row in rows:
        assert close(float(row["Approved"]) if row["Approved"] else None, api[row["Goal: code"]]["actual"], 4)
    for table in ("heatmap", "ranking", "trend", "compliance", "compliance_periods", "missing", "by_category",
                  "by_craft"):
        assert client.get(f"/dashboards/overview.csv?table={table}").status_code == 200
    assert client.get("/dashboards/overview.csv?table=nothing").status_code == 404


def test_compliance_counts_owed_sent_and_missing_reports(client, bearer, figures_data):
    """1404-Q2: every member owes one report per quarterly goal its kind reports."""
    from wcc.dashboards import compliance, pages
    from wcc.periods import clock

    data = figures_data
    body = client.get("/api/v1/dashboard/overview?period_from=1404&period_to=1404",
                      headers=bearer(data.users["ministry"])).get_json()
    assert body["tiles"]["members_reporting"]["of"] == len(data.members)
    sent = {}
    for r in (r for r in raw_reports() if r.period_key == "1404-Q2"):
        if r.status == "approved" or (r.status in ("submitted", "reviewed", "returned") and r.submitted_at):
            sent[r.org_id] = sent.get(r.org_id, 0) + 1
    quarterly = [g for g in data.goals.values() if g.frequency == "quarterly"]
    ctx = pages.Context.load(clock.today())
    rows = compliance.member_compliance(list(data.goals.values()), parse_period("1404-Q2"), clock.today(),
                                        ctx.directory, [o.id for o in data.members])
    for row in rows:
        org = data.orgs[row["org"]]
        owed = sum(1 for g in quarterly if g.reported_by(org))
        assert row["expected"] == owed
        assert row["missing"] == owed - sent.get(org.id, 0)
