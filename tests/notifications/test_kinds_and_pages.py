"""Every kind in fa, en and ru; the bell, the notifications page, preferences and digests."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.notifications.kinds import KINDS
from wcc.notifications.models import Delivery, Notification

SAMPLES = {
    "report.submitted": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.reviewed": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.approved": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2"}),
    "report.returned": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                                   "comment": "Check the EUR value"}),
    "report.reopened": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                                   "reason": "Customs corrected the figure"}),
    "report.due_soon": ("report", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                                   "due": "2025-10-22"}),
    "report.overdue": ("org", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                               "due": "2025-10-22"}),
    "report.escalated": ("org", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404-Q2",
                                 "due": "2025-10-22", "days": 14, "level": 1}),
    "initiative.published": ("initiative", {"org": "IR-10-KASHAN", "title": "Felt rugs for Moscow"}),
    "target.set": ("target", {"org": "IR-10-ISFAHAN", "goal": "EXPORT-RU", "period": "1404", "value": "250000"}),
    "designation.due_soon": ("designation_report", {"org": "IR-10-ISFAHAN", "due": "2026-10-15", "reminder": 2}),
    "designation.overdue": ("designation_report", {"org": "IR-10-ISFAHAN", "due": "2026-10-15"}),
}
PERSIAN_DIGITS = re.compile("[۰-۹]")


def test_every_kind_has_a_sample():
    assert set(SAMPLES) == set(KINDS)


@pytest.fixture
def one_of_each(network, make_goal):
    make_goal()
    network.orgs["IR-10-ISFAHAN"].name_fa = "اصفهان"
    network.orgs["IR-10-KASHAN"].name_fa = "کاشان"
    user = network.users["isfahan_city"]
    made = []
    for i, (kind, (object_type, params)) in enumerate(SAMPLES.items(), start=1):
        made.append(Notification(user_id=user.id, kind=kind, object_type=object_type,
                                 object_id="IR-10-ISFAHAN" if object_type == "org" else str(i),
                                 params=params, event_key=f"sample:{kind}"))
    db.session.add_all(made)
    db.session.commit()
    return user, made


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_every_kind_is_written_in_each_language(one_of_each, lang, client, bearer, app, mail_settings):
    from wcc.notifications.kinds import render_all
    from wcc.notifications.mail import compose, html_part

    user, made = one_of_each
    items = client.get(f"/api/v1/notifications?lang={lang}&per_page=50", headers=bearer(user)).get_json()["items"]
    assert len(items) == len(KINDS)
    from flask_babel import force_locale

    with force_locale("en"):
        english = {k: str(v.label) for k, v in KINDS.items()}
    for item in items:
        assert item["text"] and "%(" not in item["text"]
        if lang == "en":
            assert item["title"] == english[item["kind"]]
        else:
            assert item["title"] != english[item["kind"]]  # translated
        if lang == "fa" and any(k in item["params"] for k in ("due", "period", "days")):
            assert PERSIAN_DIGITS.search(item["text"]) and not re.search("[0-9]", item["text"])
    with app.test_request_context("/", base_url="https://wcc.test"):
        app.config.update(BASE_URL="https://wcc.test")
        for _n, rendered in render_all(made, lang, external=True):
            message = compose(to=user.email, name=user.name, lang=lang, subject=rendered.title,
                              template="notification", items=[rendered])
            html = html_part(message)
            assert rendered.url in html and rendered.url.startswith("https://wcc.test/")
            assert f'dir="{"rtl" if lang == "fa" else "ltr"}"' in html


def test_fa_dates_are_solar_hijri(one_of_each, client, bearer):
    user, _made = one_of_each
    items = client.get("/api/v1/notifications?lang=fa&per_page=50", headers=bearer(user)).get_json()["items"]
    due_soon, = [i for i in items if i["kind"] == "report.due_soon"]
    assert "۳۰ مهر ۱۴۰۴" in due_soon["text"]  # 2025-10-22


def test_the_bell_the_page_and_marking_read(one_of_each, client, login_as, count_queries):
    user, made = one_of_each
    login_as(user)
    html = client.get("/notifications?lang=en").get_data(as_text=True)
    assert re.search(r'wcc-bell.*?>12<', html, re.S)  # the unread count in the navbar
    with count_queries() as asked:
        client.get("/notifications?lang=en")
    few = asked.count
    db.session.add_all([Notification(user_id=user.id, kind="report.approved", object_type="report",
                                     object_id=str(100 + i), params=SAMPLES["report.approved"][1],
                                     event_key=f"more:{i}") for i in range(15)])
    db.session.commit()
    with count_queries() as asked:
        client.get("/notifications?lang=en")
    assert asked.count == few  # a fixed number of queries, however many notifications
    assert client.post(f"/notifications/{made[0].id}/read").status_code == 302
    unread = client.get("/notifications?unread=1&lang=en").get_data(as_text=True)
    assert re.search(r'wcc-bell.*?>26<', unread, re.S)
    assert client.get(f"/notifications/{made[2].id}/open").headers["Location"].endswith(f"/reports/{made[2].object_id}")
    assert client.post("/notifications/read-all").status_code == 302
    left = client.get("/notifications?unread=1&lang=en").get_data(as_text=True)
    assert "Nothing unread." in left, re.sub(r"\s+", " ", left.split("<main")[1])[:3000]


def test_nobody_reads_or_marks_anothers_notifications(one_of_each, client, bearer, network):
    _user, made = one_of_each
    other = network.users["kashan_city"]
    assert client.post(f"/api/v1/notifications/{made[0].id}/read", headers=bearer(other)).status_code == 404
    assert client.post("/api/v1/notifications/read-all", headers=bearer(other)).get_json() == {"updated": 0}
    assert db.session.get(Notification, made[0].id).read_at is None
    assert client.get("/api/v1/notifications").status_code == 401


def test_unread_filter_and_read_through_the_api(one_of_each, client, bearer):
    user, made = one_of_each
    headers = bearer(user)
    answer = client.post(f"/api/v1/notifications/{made[0].id}/read", headers=headers).get_json()
    assert answer["read"] is True and answer["id"] == made[0].id
    unread = client.get("/api/v1/notifications?unread=true&per_page=50", headers=headers).get_json()
    assert len(unread["items"]) == 11 and unread["unread"] == 11
    assert made[0].id not in [i["id"] for i in unread["items"]]
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"updated": 11}
    assert client.get("/api/v1/notifications?unread=true", headers=headers).get_json()["items"] == []


def test_preferences_digest_and_off(mail_app, network, make_goal, make_report, bearer, smtp_server, runner):
    from wcc.notifications.services import queue_digests, set_preferences

    officer = network.users["isfahan_city"]
    set_preferences(officer, {"report.returned": "digest", "report.approved": "off"})
    db.session.commit()
    goal = make_goal()
    client = mail_app.test_client()
    city = network.orgs["IR-10-ISFAHAN"]
    first = make_report(city, goal, period="1404-Q1", status="submitted", author=officer)
    second = make_report(city, goal, period="1404-Q2", status="submitted", author=officer)
    third = make_report(city, goal, period="1404-Q3", status="reviewed", author=officer)
    for report in (first, second):
        assert client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["isfahan"]),
                           json={"comment": f"Fix {report.period_key}"}).status_code == 200
    assert client.post(f"/api/v1/reports/{third.id}/approve", headers=bearer(network.users["admin"]),
                       json={}).status_code == 200
    assert smtp_server.inbox.to(officer.email) == []  # digest later, approvals never by mail
    assert len(client.get("/api/v1/notifications", headers=bearer(officer)).get_json()["items"]) == 3
    with mail_app.app_context():
        from wcc.periods import today

        assert queue_digests(today()) == 1
        db.session.commit()
    digest, = smtp_server.inbox.to(officer.email)
    text = smtp_server.inbox.text(digest)
    assert f"https://wcc.test/reports/{first.id}" in text and f"https://wcc.test/reports/{second.id}" in text
    assert "Fix 1404-Q1" in text and "Fix 1404-Q2" in text
    with mail_app.app_context():
        assert queue_digests(today()) == 0  # nothing twice
        db.session.commit()
    assert len(smtp_server.inbox.messages) == 1
    assert db.session.scalar(select(Delivery.kind)) == "digest"


def test_mandatory_notices_cannot_be_switched_off(network, client, login_as):
    login_as(network.users["isfahan"])
    page = client.get("/notifications/preferences?lang=en").get_data(as_text=True)
    escalated = page.split('name="mode-report.escalated"')[1].split("</select>")[0]
    assert 'value="off"' not in escalated and 'value="digest"' in escalated
    answer = client.post("/notifications/preferences?lang=en", data={"mode-report.escalated": "off"})
    assert answer.status_code == 422 and "cannot be switched off" in answer.get_data(as_text=True)
    assert client.post("/notifications/preferences", data={"mode-report.due_soon": "off"}).status_code == 302
    assert 'value="off" selected' in client.get("/notifications/preferences").get_data(as_text=True)
