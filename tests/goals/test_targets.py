"""Targets: members set their own, the network's is the secretariat's, every change kept in the history."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.goals.models import Target


@pytest.fixture
def goal(make_goal):
    return make_goal()


def targets() -> dict[tuple[int, str], object]:
    return {(t.org_id, t.period_key): t.value for t in db.session.scalars(select(Target))}


def test_a_municipality_sets_its_targets_in_persian_digits_and_sees_the_history(client, network, goal, login_as):
    user, org = network.users["isfahan_city"], network.orgs["IR-10-ISFAHAN"]
    login_as(user)
    page = client.get("/targets?lang=en").get_data(as_text=True)
    assert f'name="t-{goal.id}-1404"' in page and f'name="t-{goal.id}-1406"' not in page
    response = client.post("/targets", data={"org": org.code, f"t-{goal.id}-1404": "۱۲۰٬۰۰۰",
                                             f"t-{goal.id}-1405": "150000"})
    assert response.status_code == 302
    assert targets() == {(org.id, "1404"): 120000, (org.id, "1405"): 150000}
    client.post("/targets", data={"org": org.code, f"t-{goal.id}-1404": "130000", f"t-{goal.id}-1405": ""})
    db.session.expire_all()
    assert targets() == {(org.id, "1404"): 130000}
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "targets")
                                 .order_by(AuditEvent.id)).all()
    assert [(e.action, (e.before or {}).get("value"), (e.after or {}).get("value")) for e in changes] == [
        ("target.set", None, "120000"), ("target.set", None, "150000"), ("target.set", "120000", "130000"),
        ("target.delete", "150000", None)]
    history = html.unescape(client.get("/targets?lang=en").get_data(as_text=True)).split("History of changes")[1]
    assert "120,000 → 130,000" in history


@pytest.mark.parametrize("raw, message", [("lots", "Enter a number"), ("-5", "cannot be negative"),
                                          ("1.00001", "four decimal places"), ("1e20", "Enter a number")])
def test_a_bad_target_saves_nothing_and_says_why(client, network, goal, login_as, raw, message):
    login_as(network.users["isfahan_city"])
    response = client.post("/targets?lang=en", data={f"t-{goal.id}-1404": "100", f"t-{goal.id}-1405": raw})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert targets() == {}


def test_members_cannot_set_others_targets_and_only_admins_set_the_networks(client, network, goal, login_as):
    login_as(network.users["kashan_city"])
    page = client.get("/targets?org=IR-10-ISFAHAN").get_data(as_text=True)
    assert f'name="t-{goal.id}-1404"' not in page  # visible, read only
    assert client.post("/targets?org=IR-10-ISFAHAN", data={f"t-{goal.id}-1404": "5"}).status_code == 403
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-1404": "5"}).status_code == 403
    login_as(network.users["ministry"])
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-1404": "5"}).status_code == 403
    login_as(network.users["admin"])
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-1404": "5000000"}).status_code == 302
    assert targets() == {(network.orgs["WCC"].id, "1404"): 5000000}
    assert client.get("/targets?org=NOPE").status_code == 404


def test_a_province_sees_its_municipalities_sum_beside_its_own_target(client, network, goal, login_as):
    for name, value in (("isfahan_city", "100"), ("kashan_city", "250")):
        login_as(network.users[name])
        client.post("/targets", data={f"t-{goal.id}-1404": value})
    login_as(network.users["isfahan"])
    page = client.get("/targets?lang=en").get_data(as_text=True)
    # The sum is shown, not offered as the province's own target: that one is the provincial government's.
    assert "Municipalities: 350" in page and 'placeholder="350"' not in page


def test_the_targets_api(client, network, goal, bearer):
    city, admin = bearer(network.users["isfahan_city"]), bearer(network.users["admin"])
    url = "/api/v1/goals/EXPORT-RU/targets"
    response = client.put(url, json={"items": [{"period": "1404", "value": "۲۰٬۰۰۰"}, {"period": "1405", "value": 30000}]},
                          headers=city)
    assert response.status_code == 200
    assert sorted((i["org"], i["period"], i["value"]) for i in response.get_json()["items"]) == [
        ("IR-10-ISFAHAN", "1404", 20000), ("IR-10-ISFAHAN", "1405", 30000)]
    assert client.put(url, json={"items": [{"org": "WCC", "period": "1404", "value": 1}]}, headers=city
                      ).status_code == 403
    assert client.put(url, json={"items": [{"org": "IR-10-KASHAN", "period": "1404", "value": 1}]}, headers=city
                      ).status_code == 403
    bad = client.put(url, json={"items": [{"period": "1405", "value": 1}, {"period": "1404-Q2", "value": 2}]},
                     headers=city)
    assert bad.status_code == 422 and "items.1.period" in bad.get_json()["error"]["details"]
    assert client.put(url, json={"items": [{"org": "WCC", "period": "1404", "value": 9e6}]}, headers=admin
                      ).status_code == 200
    client.put(url, json={"items": [{"period": "1405", "value": None}]}, headers=city)
    listed = client.get(url, query_string={"org": "IR-10-ISFAHAN"}, headers=city).get_json()["items"]
    assert [(i["period"], i["value"]) for i in listed] == [("1404", 20000)]
    assert client.get("/api/v1/goals/NOPE/targets", headers=city).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Target)) == 2


@pytest.mark.parametrize("meant, stored", [("thousands", 12500), ("decimal", 12.5)])
def test_an_ambiguous_target_is_asked_about_and_the_confirmed_reading_is_stored(client, network, goal, login_as,
                                                                                 meant, stored):
    login_as(network.users["isfahan_city"])
    name = f"t-{goal.id}-1404"
    asked = client.post("/targets?lang=fa", data={name: "۱۲.۵۰۰"})
    assert asked.status_code == 400 and targets() == {}
    page = html.unescape(asked.get_data(as_text=True))
    assert "۱۲٬۵۰۰" in page and "۱۲٫۵" in page  # both readings offered, in Persian digits
    assert f'name="{name}-meant"' in page and 'value="thousands:۱۲.۵۰۰"' in page
    # A choice made for other text does not count: the question is asked again.
    again = client.post("/targets?lang=fa", data={name: "۱۳.۵۰۰", f"{name}-meant": "thousands:۱۲.۵۰۰"})
    assert again.status_code == 400 and targets() == {}
    saved = client.post("/targets?lang=fa", data={name: "۱۲.۵۰۰", f"{name}-meant": f"{meant}:۱۲.۵۰۰"})
    assert saved.status_code == 302
    assert [float(v) for v in targets().values()] == [stored]
