"""Workflow steps notify the right people, in the app and by e-mail, through a real SMTP server."""

from __future__ import annotations

import pytest

from wcc.extensions import db


@pytest.fixture
def returned_setup(mail_app, network, make_goal, make_report, create_user):
    """A municipality's submitted report, a second officer of that municipality (reading Russian)."""
    goal = make_goal()
    city = network.orgs["IR-10-ISFAHAN"]
    second = create_user("municipality", city, email="second.officer@test.example.org", preferred_language="ru")
    network.users["isfahan_city"].preferred_language = "en"
    db.session.commit()
    report = make_report(city, goal, status="submitted", author=network.users["isfahan_city"])
    return mail_app.test_client(), report, [network.users["isfahan_city"], second]


def test_returning_a_report_notifies_each_officer_in_the_app_and_by_mail(returned_setup, network, bearer,
                                                                        smtp_server):
    client, report, officers = returned_setup
    answer = client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["isfahan"]),
                         json={"comment": "The EUR value looks like IRR: please check."})
    assert answer.status_code == 200
    for officer in officers:
        listed = client.get("/api/v1/notifications", headers=bearer(officer)).get_json()
        assert [(n["kind"], n["object"], n["read"]) for n in listed["items"]] == [
            ("report.returned", {"type": "report", "id": report.id}, False)]
        assert listed["items"][0]["comment"] == "The EUR value looks like IRR: please check."
    inbox = smtp_server.inbox
    assert sorted(r for _f, rcpts in inbox.envelopes for r in rcpts) == sorted(o.email for o in officers)
    english, = inbox.to("isfahan.city@test.example.org")
    russian, = inbox.to("second.officer@test.example.org")
    link = f"https://wcc.test/reports/{report.id}"
    assert english["Subject"].startswith("Report returned:")
    assert english["Content-Language"] == "en" and russian["Content-Language"] == "ru"
    assert "Отчёт" in russian["Subject"] or "отчёт" in russian["Subject"]
    for message in (english, russian):
        assert link in inbox.text(message) and link in inbox.html(message)
        assert "The EUR value looks like IRR" in inbox.text(message)
        assert message["List-Unsubscribe"] == "<https://wcc.test/notifications/preferences>"
        assert message.is_multipart()
    # The province officer who returned it is not told about their own step; nobody else is either.
    assert client.get("/api/v1/notifications", headers=bearer(network.users["isfahan"])).get_json()["items"] == []
    assert client.get("/api/v1/notifications", headers=bearer(network.users["kashan_city"])).get_json()["items"] == []


def test_persian_mail_is_right_to_left(mail_app, network, make_goal, make_report, bearer, smtp_server):
    goal = make_goal()
    city = network.orgs["IR-10-ISFAHAN"]
    network.users["isfahan_city"].preferred_language = "fa"
    db.session.commit()
    report = make_report(city, goal, status="submitted", author=network.users["isfahan_city"])
    client = mail_app.test_client()
    assert client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["isfahan"]),
                       json={"comment": "لطفاً ارقام را بررسی کنید."}).status_code == 200
    message, = smtp_server.inbox.to("isfahan.city@test.example.org")
    html = smtp_server.inbox.html(message)
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert "۱۴۰۴" in message["Subject"]  # the period in Persian digits
    # A long Persian subject is folded over several encoded words without losing a space.
    item, = client.get("/api/v1/notifications?lang=fa",
                       headers=bearer(network.users["isfahan_city"])).get_json()["items"]
    assert message["Subject"] == f"{item['title']}: {item['text']}" and len(message["Subject"]) > 80
    assert message["Content-Language"] == "fa"


def test_each_step_tells_the_next_person_once(mail_app, network, make_goal, make_report, bearer, smtp_server):
    """Submitted → the province; reviewed → the secretariat and the member; approved → the member."""
    goal = make_goal()
    city = network.orgs["IR-10-ISFAHAN"]
    officer, province, admin = (network.users[n] for n in ("isfahan_city", "isfahan", "admin"))
    officer.preferred_language = "en"
    db.session.commit()
    report = make_report(city, goal, status="draft", author=officer)
    client = mail_app.test_client()

    def kinds(user):
        return [n["kind"] for n in client.get("/api/v1/notifications", headers=bearer(user)).get_json()["items"]]

    assert client.post(f"/api/v1/reports/{report.id}/submit", headers=bearer(officer), json={}).status_code == 200
    assert kinds(province) == ["report.submitted"] and kinds(admin) == [] and kinds(officer) == []
    assert client.post(f"/api/v1/reports/{report.id}/review", headers=bearer(province), json={}).status_code == 200
    assert kinds(admin) == ["report.reviewed"] and kinds(officer) == ["report.reviewed"]
    assert client.post(f"/api/v1/reports/{report.id}/approve", headers=bearer(admin), json={}).status_code == 200
    assert kinds(officer) == ["report.approved", "report.reviewed"]  # newest first
    assert kinds(network.users["fars"]) == [] and kinds(network.users["ministry"]) == []
    approved, = [m for m in smtp_server.inbox.to(officer.email) if m["Subject"].startswith("Report approved")]
    assert f"https://wcc.test/reports/{report.id}" in smtp_server.inbox.text(approved)
    # one mail per person per event
    assert len(smtp_server.inbox.messages) == 4


def test_a_failed_step_notifies_nobody(mail_app, network, make_goal, make_report, bearer, smtp_server):
    goal = make_goal()
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="approved")
    client = mail_app.test_client()
    answer = client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["admin"]),
                         json={"comment": "late"})
    assert answer.status_code == 409
    from sqlalchemy import func, select

    from wcc.notifications.models import Delivery, Notification

    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert smtp_server.inbox.messages == []


def test_a_published_initiative_is_news_for_the_province(app, network, reference_data, client, bearer):
    kashan = network.users["kashan_city"]
    answer = client.post("/api/v1/initiatives", headers=bearer(kashan),
                         json={"title": "Felt rugs for Moscow", "category": "export_deal", "published": True})
    assert answer.status_code == 201, answer.get_json()
    initiative_id = answer.get_json()["id"]

    def told(user):
        return [(n["kind"], n["object"], n["params"].get("title"))
                for n in client.get("/api/v1/notifications", headers=bearer(user)).get_json()["items"]]

    news = [("initiative.published", {"type": "initiative", "id": initiative_id}, "Felt rugs for Moscow")]
    assert told(network.users["isfahan_city"]) == news and told(network.users["isfahan"]) == news
    assert told(kashan) == [] and told(network.users["shiraz_city"]) == [] and told(network.users["fars"]) == []
    # A draft is nobody's news; publishing it later is, once.
    draft = client.post("/api/v1/initiatives", headers=bearer(kashan),
                        json={"title": "Namad workshop", "category": "training"}).get_json()
    assert len(told(network.users["isfahan"])) == 1
    for published in (True, False, True):
        assert client.patch(f"/api/v1/initiatives/{draft['id']}", headers=bearer(kashan),
                            json={"published": published, "version": draft["version"]}).status_code == 200
        draft = client.get(f"/api/v1/initiatives/{draft['id']}", headers=bearer(kashan)).get_json()
    assert len(told(network.users["isfahan"])) == 2


def test_a_target_set_by_the_secretariat_is_news_for_the_member(app, network, make_goal, client, bearer):
    make_goal()
    city = network.users["isfahan_city"]
    assert client.put("/api/v1/goals/EXPORT-RU/targets", headers=bearer(network.users["admin"]),
                      json={"items": [{"org": "IR-10-ISFAHAN", "period": "1404", "value": 250000,
                                       "reason": "1404 is closed: the secretariat corrects it."}]}).status_code == 200
    items = client.get("/api/v1/notifications?lang=en", headers=bearer(city)).get_json()["items"]
    assert [(i["kind"], i["params"]["period"]) for i in items] == [("target.set", "1404")]
    assert "250,000" in items[0]["text"] and items[0]["url"] == "/targets?org=IR-10-ISFAHAN"
    # The member's own targets are nobody else's news.
    assert client.put("/api/v1/goals/EXPORT-RU/targets", headers=bearer(city),
                      json={"items": [{"period": "1405", "value": 300000}]}).status_code == 200
    assert len(client.get("/api/v1/notifications", headers=bearer(city)).get_json()["items"]) == 1


def test_an_import_of_many_published_initiatives_is_one_email_for_each_person(mail_app, network, reference_data,
                                                                            bearer, smtp_server):
    """Forty initiatives published at once are forty notices in the app, but one e-mail a person."""
    import io

    from wcc.spreadsheets import csv_bytes

    officers = [network.users["isfahan"], network.users["isfahan_city"]]
    for officer in officers:
        officer.preferred_language = "en"
    db.session.commit()
    header = ["external_id", "title", "category", "status", "start_date", "crafts", "published"]
    rows = [[f"REF-{i:03d}", f"Felt rugs {i}", "export_deal", "active", "2025-05-01", "felt", "yes"]
            for i in range(1, 41)]
    client = mail_app.test_client()
    answer = client.post("/api/v1/initiatives/import", headers=bearer(network.users["kashan_city"]),
                         data={"file": (io.BytesIO(csv_bytes(header, rows)), "initiatives.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 200, answer.get_json()
    inbox = smtp_server.inbox
    for officer in officers:
        listed = client.get("/api/v1/notifications", headers=bearer(officer)).get_json()
        assert listed["total"] == 40
        message, = inbox.to(officer.email)
        assert message["Subject"] == "40 new notices from the WCC Network"
        text = inbox.text(message)
        listed_titles = [f"Felt rugs {i}\u2069" for i in range(1, 41)]  # each title isolated (FSI … PDI)
        assert all(title in text for title in listed_titles[:30])
        assert not any(title in text for title in listed_titles[30:])
        assert "… and 10 more on your notifications page" in text
    assert inbox.to(network.users["kashan_city"].email) == []
