"""Managing the goal catalogue: admins only, every value checked, every change audited."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.goals.models import Goal

FORM = {
    "code": "crafts-sold", "title_fa": "صنایع دستی فروخته‌شده", "title_en": "Crafts sold", "title_ru": "Продано изделий",
    "description_fa": "", "description_en": "", "description_ru": "", "theme": "exports", "unit": "count",
    "aggregation": "sum", "direction": "higher", "frequency": "quarterly", "baseline_value": "۱٬۲۰۰",
    "baseline_period": "1402", "first_period": "1403-Q1", "last_period": "1405-Q4",
    "reported_by_province": "y", "reported_by_municipality": "y", "due_days": "30", "active": "y",
}


def goal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Goal))


def test_an_admin_creates_a_goal_from_the_form(client, network, login_as):
    login_as(network.users["admin"])
    response = client.post("/admin/goals/new", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/goals/CRAFTS-SOLD")
    goal = db.session.scalar(select(Goal))
    assert (goal.code, goal.baseline_value, goal.first_period, goal.reporting_kinds) == (
        "CRAFTS-SOLD", 1200, "1403-Q1", ("province", "municipality"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goal.create"))
    assert event.after["code"] == "CRAFTS-SOLD"


@pytest.mark.parametrize("changes, message", [
    ({"code": "no spaces please"}, "capital letters, digits and hyphens"),
    ({"title_en": ""}, "This field is required."),
    ({"title_fa": "x" * 301}, "At most 300 characters"),
    ({"title_ru": "a\x00b"}, "control characters"),
    ({"first_period": "1403"}, "must be quarters for a quarterly goal"),
    ({"last_period": "1402-Q4"}, "cannot come before the first"),
    ({"baseline_period": "1404"}, "must come before the goal's first period"),
    ({"baseline_period": ""}, "Give both the baseline value and its period"),
    ({"baseline_value": "lots"}, "Enter a number"),
    ({"unit": "percent", "baseline_value": "140"}, "between 0 and 100"),
    ({"reported_by_province": "", "reported_by_municipality": ""}, "at least one kind of member"),
    ({"due_days": "400"}, "between 0 and 365"),
    ({"theme": "<script>"}, "Not a valid choice"),
])
def test_bad_goal_values_are_explained_and_nothing_is_saved(client, network, login_as, changes, message):
    login_as(network.users["admin"])
    data = {k: v for k, v in {**FORM, **changes}.items() if v != ""}
    response = client.post("/admin/goals/new?lang=en", data=data)
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert goal_count() == 0


def test_codes_are_unique(client, network, login_as, make_goal):
    make_goal("CRAFTS-SOLD")
    login_as(network.users["admin"])
    response = client.post("/admin/goals/new?lang=en", data=FORM)
    assert response.status_code == 400 and "already has the code" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["ministry", "isfahan", "isfahan_city"])
def test_only_admins_manage_goals(client, network, login_as, make_goal, name):
    make_goal()
    login_as(network.users[name])
    assert client.get("/admin/goals/new").status_code == 403
    assert client.post("/admin/goals/new", data=FORM).status_code == 403
    assert client.post("/admin/goals/EXPORT-RU/edit", data=FORM).status_code == 403
    assert goal_count() == 1


def test_editing_records_only_what_changed_and_frequency_is_fixed_once_reported(client, network, login_as,
                                                                               make_goal, make_report):
    goal = make_goal()
    login_as(network.users["admin"])
    form = client.get("/admin/goals/EXPORT-RU/edit").get_data(as_text=True)
    assert 'value="EXPORT-RU"' in form
    data = {**FORM, "code": "EXPORT-RU", "title_fa": goal.title_fa, "title_en": "Exports to Russia",
            "title_ru": goal.title_ru, "unit": "EUR", "baseline_value": "", "baseline_period": ""}
    assert client.post("/admin/goals/EXPORT-RU/edit", data=data).status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "goal.update"))
    assert event.before == {"title_en": "Export value to Russia"} and event.after == {"title_en": "Exports to Russia"}
    make_report(network.orgs["IR-10-ISFAHAN"], goal)
    yearly = {**data, "frequency": "yearly", "first_period": "1403", "last_period": "1405"}
    response = client.post("/admin/goals/EXPORT-RU/edit?lang=en", data=yearly)
    assert response.status_code == 400 and "frequency cannot change" in response.get_data(as_text=True)


def test_the_api_creates_goals_for_admins_only(client, network, bearer):
    body = {"code": "STORIES", "titles": {"fa": "روایت‌ها", "en": "Stories", "ru": "Истории"},
            "theme": "promotion", "unit": "count", "aggregation": "sum", "frequency": "yearly",
            "first_period": "1403", "last_period": "1405", "reported_by": ["municipality"]}
    assert client.post("/api/v1/goals", json=body, headers=bearer(network.users["isfahan"])).status_code == 403
    created = client.post("/api/v1/goals", json=body, headers=bearer(network.users["admin"]))
    assert created.status_code == 201
    assert created.get_json()["reported_by"] == ["municipality"] and created.get_json()["direction"] == "higher"
    assert client.post("/api/v1/goals", json=body, headers=bearer(network.users["admin"])).status_code == 409
    bad = client.post("/api/v1/goals", json={**body, "code": "X2", "first_period": "1403-Q1"},
                      headers=bearer(network.users["admin"]))
    assert bad.status_code == 422 and "first_period" in bad.get_json()["error"]["details"]
    assert client.post("/api/v1/goals", json={**body, "unit": "kg"},
                       headers=bearer(network.users["admin"])).status_code == 422
