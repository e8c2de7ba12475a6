"""Separation of duties: nobody approves a report they created, changed, submitted or reviewed since
it was last approved; nobody reviews one they changed. Refusals say why (fa/en/ru) and are audited.

The three scenarios that were accepted before (each answered 200) come first.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.reporting.models import ProgressReport

COMMENT = {"comment": "لطفاً فاکتور را پیوست کنید."}


@pytest.fixture
def orphan(network, create_org, create_user):
    """East Azerbaijan (IR-03) without an active province officer, its Tabriz, and three admins."""
    east_az = create_org("province", code="IR-03", parent=network.orgs["WCC"], name_en="East Azerbaijan")
    tabriz = create_org("municipality", code="IR-03-TABRIZ", parent=east_az, name_en="Tabriz")
    return {
        "org": tabriz,
        "city": create_user("municipality", tabriz, email="tabriz.city@test.example.org"),
        "admin_a": network.users["admin"],
        "admin_b": create_user("admin", network.orgs["WCC"], email="admin.b@test.example.org"),
        "admin_c": create_user("admin", network.orgs["WCC"], email="admin.c@test.example.org"),
    }


def _post(client, bearer, user, report_id, step, **body):
    return client.post(f"/api/v1/reports/{report_id}/{step}?lang=en", json=body, headers=bearer(user))


def _refusals(report_id):
    return [(e.actor_id, e.after) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.refused", AuditEvent.object_id == str(report_id))
        .order_by(AuditEvent.id))]


def test_an_admin_does_not_approve_what_they_reviewed(client, network, orphan, make_goal, make_report, bearer,
                                                       login_as):
    goal = make_goal()
    # (a) Where the province has an officer, the province reviews: the admin may not.
    isfahan = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="submitted",
                          author=network.users["isfahan_city"])
    response = _post(client, bearer, network.users["admin"], isfahan.id, "review")
    assert response.status_code == 403
    assert "province" in response.get_json()["error"]["message"]
    # Where it has none, an admin reviews in its place, and someone else approves.
    report = make_report(orphan["org"], goal, status="submitted", author=orphan["city"])
    assert _post(client, bearer, orphan["admin_a"], report.id, "review").status_code == 200
    response = _post(client, bearer, orphan["admin_a"], report.id, "approve")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "You reviewed this report, so another administrator " \
                                                      "approves it."
    assert _refusals(report.id) == [(orphan["admin_a"].id, {"step": "approve", "reason": "reviewed_it"})]
    assert _post(client, bearer, orphan["admin_b"], report.id, "approve").status_code == 200
    # The report's history names the refused step in words.
    login_as(orphan["admin_b"])
    page = " ".join(client.get(f"/reports/{report.id}?lang=en").get_data(as_text=True).split())
    assert "A step was refused: Approve" in page


def test_an_earlier_change_bars_approval_even_when_others_changed_it_later(client, orphan, make_goal,
                                                                          make_report, bearer):
    """(b) Admin A sets the value; the municipality edits only the narrative and submits; admin B reviews."""
    report = make_report(orphan["org"], make_goal(), status="draft", author=orphan["city"])
    url = f"/api/v1/reports/{report.id}"
    changed = client.patch(url, json={"version": report.version, "value": 999999}, headers=bearer(orphan["admin_a"]))
    assert changed.status_code == 200
    edited = client.patch(url, json={"version": changed.get_json()["version"], "narrative": "Only the text."},
                          headers=bearer(orphan["city"]))
    assert edited.status_code == 200
    assert _post(client, bearer, orphan["city"], report.id, "submit").status_code == 200
    assert _post(client, bearer, orphan["admin_b"], report.id, "review").status_code == 200
    response = _post(client, bearer, orphan["admin_a"], report.id, "approve")
    assert response.status_code == 403
    assert response.get_json()["error"]["details"] == {"reason": ["changed_it"]}
    assert _post(client, bearer, orphan["admin_b"], report.id, "approve").status_code == 403  # reviewed it
    assert _post(client, bearer, orphan["admin_c"], report.id, "approve").status_code == 200
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == "approved"


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_adding_evidence_is_a_change(app, client, network, make_goal, make_report, bearer, login_as):
    """(c) An admin adds a photo without changing a field; after the province's review they may not approve."""
    admin, city = network.users["admin"], network.users["isfahan_city"]
    api = app.test_client()  # token requests, apart from the admin's browser session
    report = make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="draft", author=city)
    login_as(admin)
    response = client.post(f"/reports/{report.id}/edit", data={
        "version": report.version, "value": "12500", "narrative": "", "evidence": (_png(), "photo.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert len(db.session.get(ProgressReport, report.id).evidence) == 1
    assert _post(api, bearer, city, report.id, "submit").status_code == 200
    assert _post(api, bearer, network.users["isfahan"], report.id, "review").status_code == 200
    page = client.get(f"/reports/{report.id}")
    assert f'action="/reports/{report.id}/approve"' not in page.get_data(as_text=True)
    response = client.post(f"/reports/{report.id}/approve?lang=en", data={"version": 5})
    assert response.status_code == 403
    assert "You changed this report" in response.get_data(as_text=True)
    assert _refusals(report.id) == [(admin.id, {"step": "approve", "reason": "changed_it"})]


def test_nobody_reviews_what_they_changed(client, orphan, make_goal, make_report, bearer):
    report = make_report(orphan["org"], make_goal(), status="draft", author=orphan["city"])
    patched = client.patch(f"/api/v1/reports/{report.id}", json={"version": report.version, "narrative": "x"},
                           headers=bearer(orphan["admin_a"]))
    assert patched.status_code == 200
    assert _post(client, bearer, orphan["city"], report.id, "submit").status_code == 200
    response = _post(client, bearer, orphan["admin_a"], report.id, "review")
    assert (response.status_code, response.get_json()["error"]["details"]) == (403, {"reason": ["changed_it"]})
    assert _post(client, bearer, orphan["admin_b"], report.id, "review").status_code == 200


def test_approval_starts_a_new_round(client, orphan, make_goal, make_report, bearer):
    """What someone did before the last approval does not bar them after a reopening."""
    report = make_report(orphan["org"], make_goal(), status="approved", author=orphan["city"],
                         reviewer=orphan["admin_a"], approver=orphan["admin_b"])
    assert _post(client, bearer, orphan["admin_b"], report.id, "reopen", reason="Typo in the value.").status_code == 200
    assert _post(client, bearer, orphan["city"], report.id, "submit").status_code == 200
    assert _post(client, bearer, orphan["admin_b"], report.id, "review").status_code == 200
    assert _post(client, bearer, orphan["admin_a"], report.id, "approve").status_code == 200


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_refusals_say_why_in_every_language(client, orphan, make_goal, make_report, bearer, lang):
    report = make_report(orphan["org"], make_goal(), status="reviewed", author=orphan["city"],
                         reviewer=orphan["admin_a"])
    response = client.post(f"/api/v1/reports/{report.id}/approve?lang={lang}", json={},
                           headers=bearer(orphan["admin_a"]))
    assert response.status_code == 403
    message = response.get_json()["error"]["message"]
    english = "You reviewed this report, so another administrator approves it."
    assert (message == english) is (lang == "en")
    assert {"fa": "بررسی", "ru": "провер", "en": "reviewed"}[lang] in message


def test_the_review_queue_leaves_out_what_the_admin_may_not_approve(client, network, orphan, make_goal,
                                                                     make_report, login_as):
    goal = make_goal()
    mine = make_report(orphan["org"], goal, period="1404-Q1", status="reviewed", author=orphan["city"],
                       reviewer=orphan["admin_a"])
    theirs = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="reviewed",
                         author=network.users["isfahan_city"], reviewer=network.users["isfahan"])
    login_as(orphan["admin_a"])
    page = client.get("/review?lang=en").get_data(as_text=True)
    assert f'id="r-{theirs.id}"' in page and f'id="r-{mine.id}"' not in page
    assert "1 more report awaits approval by another administrator" in page
    login_as(orphan["admin_b"])
    page = client.get("/review?lang=en").get_data(as_text=True)
    assert f'id="r-{theirs.id}"' in page and f'id="r-{mine.id}"' in page
