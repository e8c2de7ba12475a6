"""Targets: members set their own, the network's is the secretariat's, every change kept in the history."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.goals.models import Target
from wcc.goals.queries import current_year
from wcc.periods import clock

#: Years relative to today: the current year is open, the year before last is closed.
OPEN = current_year(clock.today())
NEXT, BEYOND, CLOSED = OPEN + 1, OPEN + 2, OPEN - 2


@pytest.fixture
def goal(make_goal):
    return make_goal(first_period=f"{CLOSED}-Q1", last_period=f"{NEXT}-Q4")


def targets() -> dict[tuple[int, str], object]:
    return {(t.org_id, t.period_key): t.value for t in db.session.scalars(select(Target))}


def test_a_municipality_sets_its_targets_in_persian_digits_and_sees_the_history(client, network, goal, login_as):
    user, org = network.users["isfahan_city"], network.orgs["IR-10-ISFAHAN"]
    login_as(user)
    page = client.get("/targets?lang=en").get_data(as_text=True)
    assert f'name="t-{goal.id}-{OPEN}"' in page and f'name="t-{goal.id}-{BEYOND}"' not in page
    response = client.post("/targets", data={"org": org.code, f"t-{goal.id}-{OPEN}": "۱۲۰٬۰۰۰",
                                             f"t-{goal.id}-{NEXT}": "150000"})
    assert response.status_code == 302
    assert targets() == {(org.id, str(OPEN)): 120000, (org.id, str(NEXT)): 150000}
    client.post("/targets", data={"org": org.code, f"t-{goal.id}-{OPEN}": "130000", f"t-{goal.id}-{NEXT}": ""})
    db.session.expire_all()
    assert targets() == {(org.id, str(OPEN)): 130000}
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
    response = client.post("/targets?lang=en", data={f"t-{goal.id}-{OPEN}": "100", f"t-{goal.id}-{NEXT}": raw})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert targets() == {}


def test_members_cannot_set_others_targets_and_only_admins_set_the_networks(client, network, goal, login_as):
    login_as(network.users["kashan_city"])
    page = client.get("/targets?org=IR-10-ISFAHAN").get_data(as_text=True)
    assert f'name="t-{goal.id}-{OPEN}"' not in page  # visible, read only
    assert client.post("/targets?org=IR-10-ISFAHAN", data={f"t-{goal.id}-{OPEN}": "5"}).status_code == 403
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-{OPEN}": "5"}).status_code == 403
    login_as(network.users["ministry"])
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-{OPEN}": "5"}).status_code == 403
    login_as(network.users["admin"])
    assert client.post("/targets?org=WCC", data={f"t-{goal.id}-{OPEN}": "5000000"}).status_code == 302
    assert targets() == {(network.orgs["WCC"].id, str(OPEN)): 5000000}
    assert client.get("/targets?org=NOPE").status_code == 404


def test_a_province_sees_its_municipalities_sum_beside_its_own_target(client, network, goal, login_as):
    for name, value in (("isfahan_city", "100"), ("kashan_city", "250")):
        login_as(network.users[name])
        client.post("/targets", data={f"t-{goal.id}-{OPEN}": value})
    login_as(network.users["isfahan"])
    page = client.get("/targets?lang=en").get_data(as_text=True)
    # The sum is shown, not offered as the province's own target: that one is the provincial government's.
    assert "Municipalities: 350" in page and 'placeholder="350"' not in page


def test_the_targets_api(client, network, goal, bearer):
    city, admin = bearer(network.users["isfahan_city"]), bearer(network.users["admin"])
    url = "/api/v1/goals/EXPORT-RU/targets"
    response = client.put(url, json={"items": [{"period": str(OPEN), "value": "۲۰٬۰۰۰"}, {"period": str(NEXT), "value": 30000}]},
                          headers=city)
    assert response.status_code == 200
    assert sorted((i["org"], i["period"], i["value"]) for i in response.get_json()["items"]) == [
        ("IR-10-ISFAHAN", str(OPEN), 20000), ("IR-10-ISFAHAN", str(NEXT), 30000)]
    assert client.put(url, json={"items": [{"org": "WCC", "period": str(OPEN), "value": 1}]}, headers=city
                      ).status_code == 403
    assert client.put(url, json={"items": [{"org": "IR-10-KASHAN", "period": str(OPEN), "value": 1}]}, headers=city
                      ).status_code == 403
    bad = client.put(url, json={"items": [{"period": str(NEXT), "value": 1}, {"period": f"{OPEN}-Q2", "value": 2}]},
                     headers=city)
    assert bad.status_code == 422 and "items.1.period" in bad.get_json()["error"]["details"]
    assert client.put(url, json={"items": [{"org": "WCC", "period": str(OPEN), "value": 9e6}]}, headers=admin
                      ).status_code == 200
    client.put(url, json={"items": [{"period": str(NEXT), "value": None}]}, headers=city)
    listed = client.get(url, query_string={"org": "IR-10-ISFAHAN"}, headers=city).get_json()["items"]
    assert [(i["period"], i["value"]) for i in listed] == [(str(OPEN), 20000)]
    assert client.get("/api/v1/goals/NOPE/targets", headers=city).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Target)) == 2


def test_a_closed_years_targets_are_locked_for_members(client, network, goal, login_as, bearer):
    """A municipality could set its target of a finished year from 3 to 0 (200): a closed year is locked."""
    org = network.orgs["IR-10-ISFAHAN"]
    db.session.add(Target(goal_id=goal.id, org_id=org.id, period_key=str(CLOSED), value=3))
    db.session.commit()
    login_as(network.users["isfahan_city"])
    page = client.get("/targets?lang=en").get_data(as_text=True)
    assert f'name="t-{goal.id}-{CLOSED}"' not in page and f'name="t-{goal.id}-{OPEN}"' in page
    assert "Closed year: locked" in page
    response = client.post("/targets?lang=en", data={f"t-{goal.id}-{CLOSED}": "0"})
    assert response.status_code == 400
    assert f"{CLOSED} is closed: its targets are locked" in html.unescape(response.get_data(as_text=True))
    url = "/api/v1/goals/EXPORT-RU/targets?lang=en"
    response = client.put(url, json={"items": [{"period": str(CLOSED), "value": 0, "reason": "Because."}]},
                          headers=bearer(network.users["isfahan_city"]))
    assert response.status_code == 403
    db.session.expire_all()
    assert targets() == {(org.id, str(CLOSED)): 3}


def test_an_admin_changes_a_closed_years_target_with_a_recorded_reason(client, network, goal, login_as, bearer):
    org = network.orgs["IR-10-ISFAHAN"]
    db.session.add(Target(goal_id=goal.id, org_id=org.id, period_key=str(CLOSED), value=3))
    db.session.commit()
    url = "/api/v1/goals/EXPORT-RU/targets?lang=en"
    admin = bearer(network.users["admin"])
    item = {"org": org.code, "period": str(CLOSED), "value": 4}
    response = client.put(url, json={"items": [item]}, headers=admin)
    assert response.status_code == 422 and "items.0.reason" in response.get_json()["error"]["details"]
    response = client.put(url, json={"items": [{**item, "reason": "The municipality counted one fair twice."}]},
                          headers=admin)
    assert response.status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "target.set"))
    assert (event.before["value"], event.after["value"], event.after["reason"]) == (
        "3", "4", "The municipality counted one fair twice.")
    login_as(network.users["admin"])
    page = client.get(f"/targets?org={org.code}&lang=en").get_data(as_text=True)
    assert f'name="t-{goal.id}-{CLOSED}"' in page and 'name="reason"' in page
    history = html.unescape(page).split("History of changes")[1]
    assert "3 → 4" in history and "The municipality counted one fair twice." in history
    # The form asks for the reason too; without one nothing changes.
    response = client.post(f"/targets?org={org.code}&lang=en", data={f"t-{goal.id}-{CLOSED}": "5"})
    assert response.status_code == 400 and "Say why a target of the closed year" in response.get_data(as_text=True)
    response = client.post(f"/targets?org={org.code}", data={f"t-{goal.id}-{CLOSED}": "5", "reason": "Audit."})
    assert response.status_code == 302
    assert targets() == {(org.id, str(CLOSED)): 5}


@pytest.mark.parametrize("meant, stored", [("thousands", 12500), ("decimal", 12.5)])
def test_an_ambiguous_target_is_asked_about_and_the_confirmed_reading_is_stored(client, network, goal, login_as,
                                                                                 meant, stored):
    login_as(network.users["isfahan_city"])
    name = f"t-{goal.id}-{OPEN}"
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
