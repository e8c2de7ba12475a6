"""Who sees which dashboard: role × page × how the organisation stands to the user; the public page."""

from __future__ import annotations

import pytest

from wcc.extensions import db
from wcc.permissions import can

ROLES = ["admin", "ministry", "isfahan", "isfahan_city"]

# page → expected status per user (isfahan: province officer of IR-10; isfahan_city: municipality in IR-10)
PAGES = {
    "/dashboards": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 200},
    "/dashboards/goals/EXPORT-RU": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 200},
    "/dashboards/provinces/IR-10": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 404},
    "/dashboards/provinces/IR-07": {"admin": 200, "ministry": 200, "isfahan": 404, "isfahan_city": 404},
    "/dashboards/members/IR-10-ISFAHAN": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 200},
    "/dashboards/members/IR-10-KASHAN": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 404},
    "/dashboards/members/IR-07-SHIRAZ": {"admin": 200, "ministry": 200, "isfahan": 404, "isfahan_city": 404},
    "/dashboards/members/IR-10": {"admin": 200, "ministry": 200, "isfahan": 200, "isfahan_city": 404},
}


@pytest.mark.parametrize("role", ROLES)
def test_role_by_page(client, login_as, figures_data, role):
    login_as(figures_data.users[role])
    for path, expected in PAGES.items():
        assert client.get(path).status_code == expected[role], (role, path)
        csv_path = path.replace("/dashboards", "/dashboards", 1) + ".csv?table=" + (
            "goals" if path == "/dashboards" else "comparison" if "/provinces/" in path or "/members/" in path
            else "members")
        if path == "/dashboards":
            csv_path = "/dashboards/overview.csv?table=goals"
        assert client.get(csv_path).status_code == expected[role], (role, csv_path)


def test_signed_out_visitors_are_sent_to_sign_in(client, figures_data):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/v1/dashboard/overview").status_code == 401
    assert client.get("/api/v1/dashboard/goals/EXPORT-RU").status_code == 401


@pytest.mark.parametrize("role,home", [("admin", "/dashboards"), ("ministry", "/dashboards"),
                                       ("isfahan", None), ("isfahan_city", None)])
def test_the_overview_is_home_for_the_ministry_and_admins(client, login_as, figures_data, role, home):
    login_as(figures_data.users[role])
    response = client.get("/")
    if home:
        assert response.status_code == 302 and response.headers["Location"].endswith(home)
    else:
        assert response.status_code == 200


def test_rule_truth_table(figures_data):
    from flask_login import AnonymousUserMixin

    users, orgs, goal = figures_data.users, figures_data.orgs, figures_data.goals["EXPORT-RU"]
    table = {
        # action, object: {user: allowed}
        ("dashboard.province", "IR-10"): {"admin": True, "ministry": True, "isfahan": True, "fars": False,
                                          "isfahan_city": False},
        ("dashboard.province", "IR-10-ISFAHAN"): {"admin": False, "ministry": False, "isfahan": False,
                                                  "fars": False, "isfahan_city": False},
        ("dashboard.member", "IR-10-KASHAN"): {"admin": True, "ministry": True, "isfahan": True, "fars": False,
                                               "isfahan_city": False, "kashan_city": True},
        ("dashboard.member", "WCC"): {"admin": False, "ministry": False, "isfahan": False},
    }
    for (action, code), expected in table.items():
        for name, allowed in expected.items():
            assert can(users[name], action, orgs[code]) is allowed, (action, code, name)
    anonymous = AnonymousUserMixin()
    assert not can(anonymous, "dashboard.overview")
    assert not can(anonymous, "dashboard.public_goal", goal)
    goal.public_dashboard = True
    assert can(anonymous, "dashboard.public_goal", goal)
    goal.active = False
    assert not can(anonymous, "dashboard.public_goal", goal)
    db.session.rollback()


def test_an_admin_opens_a_goal_to_the_public_from_its_form_and_it_is_audited(client, login_as, network, make_goal):
    from sqlalchemy import select

    from tests.goals.test_goal_admin import FORM
    from wcc.audit.models import AuditEvent

    goal = make_goal()
    login_as(network.users["admin"])
    data = {**FORM, "code": "EXPORT-RU", "title_fa": goal.title_fa, "title_en": goal.title_en,
            "title_ru": goal.title_ru, "unit": "EUR", "baseline_value": "", "baseline_period": "",
            "public_dashboard": "y"}
    assert client.post("/admin/goals/EXPORT-RU/edit", data=data).status_code == 302
    db.session.refresh(goal)
    assert goal.public_dashboard is True
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goal.update"))
    assert event.before == {"public_dashboard": False} and event.after == {"public_dashboard": True}
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/public/goals/EXPORT-RU").status_code == 200


def test_public_page_only_for_goals_an_admin_opened(client, login_as, figures_data):
    goal = figures_data.goals["EXPORT-RU"]
    assert client.get("/public/goals/EXPORT-RU").status_code == 404
    # The admin switches it on in the goal's form.
    admin = figures_data.users["admin"]
    login_as(admin)
    form = client.get(f"/admin/goals/{goal.code}/edit")
    assert 'name="public_dashboard"' in form.get_data(as_text=True)
    with client.session_transaction() as session:
        session.clear()
    goal.public_dashboard = True
    db.session.commit()
    page = client.get("/public/goals/EXPORT-RU?period_from=1404&period_to=1404&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Only approved figures: the network total equals the approved rows; drafts and submissions are left out.
    from tests.dashboards.test_figures import formatted
    from tests.fixtures.dashboards import expected_area, raw_reports
    from wcc.periods import parse_period

    approved, _ = expected_area(goal, {o.id for o in figures_data.members}, parse_period("1404"),
                                parse_period("1404"), raw_reports())
    assert formatted(client, goal, approved) in html
    pending = sum(float(r.value) for r in raw_reports() if r.goal_id == goal.id and r.status != "approved"
                  and r.period_key.startswith("1404"))
    assert pending and formatted(client, goal, approved + pending) not in html
    # No people: no names or e-mail addresses of users; no member-by-member table.
    for user in figures_data.users.values():
        assert user.email not in html and user.name not in html
    assert "table-members" not in html
    assert client.get("/public/goals/EXPORT-RU.csv?table=provinces").status_code == 200
    assert client.get("/public/goals/EXPORT-RU.csv?table=members").status_code == 404
    assert client.get("/public/goals/POSTAL-ONTIME").status_code == 404


BAD_INPUTS = ["1404-Q9", "abcd", "۱۴۰۴-Q5", "x" * 10_000, "<script>", "1404'--"]


@pytest.mark.parametrize("value", BAD_INPUTS)
def test_bad_filters_get_a_clear_error_and_never_a_500(client, login_as, bearer, figures_data, value):
    login_as(figures_data.users["ministry"])
    for path in ("/dashboards", "/dashboards/goals/EXPORT-RU", "/dashboards/overview.csv"):
        response = client.get(path, query_string={"period_from": value, "lang": "en"})
        assert response.status_code == 400, (path, value)
        assert "Periods are written 1404" in response.get_data(as_text=True)
    api = client.get("/api/v1/dashboard/overview", query_string={"period_to": value[:10]},
                     headers=bearer(figures_data.users["ministry"]))
    assert api.status_code in (400, 422)
    assert api.get_json()["error"]["message"]


def test_persian_digits_and_a_reversed_range_in_filters(client, login_as, figures_data):
    login_as(figures_data.users["ministry"])
    assert client.get("/dashboards?period_from=۱۴۰۴-Q1&period_to=۱۴۰۴-Q2").status_code == 200
    response = client.get("/dashboards?period_from=1404&period_to=1403&lang=en")
    assert response.status_code == 400
    assert "cannot come before" in response.get_data(as_text=True)
    assert client.get("/dashboards?theme=nonsense").status_code == 400
    assert client.get("/dashboards?province=IR-99").status_code == 200


def test_a_network_with_no_goals_or_reports_yet_shows_empty_dashboards(client, login_as, network):
    login_as(network.users["ministry"])
    for path in ("/dashboards", "/dashboards/provinces/IR-10", "/dashboards/members/IR-10-KASHAN",
                 "/api/v1/dashboard/overview", "/dashboards/overview.csv?table=compliance"):
        assert client.get(path).status_code == 200, path
