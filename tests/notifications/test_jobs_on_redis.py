"""Mail jobs on RQ with the test run's Redis and a worker in burst mode: sent once, retried, visible."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import REDIS_URL
from tests.fixtures.jobs import queued, work
from wcc.extensions import db
from wcc.notifications.models import Delivery, DeliveryAttempt


@pytest.fixture
def rq_app(make_app, mail_settings, redis_store):
    return make_app(**mail_settings, REDIS_URL=REDIS_URL)


@pytest.fixture
def submitted(network, make_goal, make_report):
    report = make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="reviewed",
                         author=network.users["isfahan_city"], reviewer=network.users["isfahan"])
    return report


def test_mail_waits_for_the_worker_and_is_sent_once(rq_app, network, submitted, bearer, smtp_server):
    client = rq_app.test_client()
    admin = network.users["admin"]
    assert client.post(f"/api/v1/reports/{submitted.id}/approve", headers=bearer(admin), json={}).status_code == 200
    # The notification is there at once; the mail waits in Redis for a worker.
    listed = client.get("/api/v1/notifications", headers=bearer(network.users["isfahan_city"])).get_json()
    assert [n["kind"] for n in listed["items"]] == ["report.approved"]
    assert smtp_server.inbox.messages == [] and queued() == 1
    work(rq_app)
    message, = smtp_server.inbox.messages
    assert message["To"].addresses[0].addr_spec == "isfahan.city@test.example.org"
    assert f"https://wcc.test/reports/{submitted.id}" in smtp_server.inbox.text(message)
    # The same job again (a retry, a crash after sending) sends nothing.
    delivery = db.session.scalar(select(Delivery))
    with rq_app.app_context():
        from wcc.jobs import get_queue, run

        get_queue().enqueue(run, "wcc.notifications.services.deliver", delivery.id)
    work(rq_app)
    assert len(smtp_server.inbox.messages) == 1
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_a_refusing_mail_server_is_retried_then_shown_to_admins(rq_app, network, submitted, bearer,
                                                                smtp_server):
    smtp_server.inbox.refuse = True
    client = rq_app.test_client()
    assert client.post(f"/api/v1/reports/{submitted.id}/approve", headers=bearer(network.users["admin"]),
                       json={}).status_code == 200
    work(rq_app)  # the first try and two retries (no wait between them in this test)
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    attempts = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)).all()
    assert [a.ok for a in attempts] == [False, False, False]
    assert "451" in attempts[0].error and "Try again later" in delivery.last_error

    page = rq_app.test_client()
    with page.session_transaction() as session:
        session.update(dict(client_session(network.users["admin"])))
    html = page.get("/admin/deliveries?lang=en").get_data(as_text=True)
    assert "isfahan.city@test.example.org" in html and "Try again later" in html and "Retry" in html
    smtp_server.inbox.refuse = False
    assert page.post(f"/admin/deliveries/{delivery.id}/retry").status_code == 302
    assert queued() == 1
    work(rq_app)
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("sent", 4)
    assert len(smtp_server.inbox.messages) == 1
    assert "No e-mail has failed." in page.get("/admin/deliveries?lang=en").get_data(as_text=True)


def client_session(user) -> dict:
    from wcc.auth import services

    row = services.start_session(user, "127.0.0.1", "pytest")
    db.session.commit()
    return {"_user_id": str(user.id), "_fresh": True, "sid": row.id}


def test_deliveries_page_is_for_admins_only(rq_app, network, client, login_as):
    login_as(network.users["ministry"])
    assert client.get("/admin/deliveries").status_code == 403


def test_the_daily_run_queued_by_the_scheduler(rq_app, network, make_goal, smtp_server):
    """What ``flask scheduler`` queues each day: the reminders of the day, mailed by the worker."""
    from sqlalchemy import func

    from wcc.notifications.cli import DAILY_JOB
    from wcc.notifications.models import Notification

    make_goal(first_period="1404-Q2", last_period="1404-Q2", reported_by_province=False)
    with rq_app.app_context():
        from wcc.jobs import get_queue, run

        get_queue().enqueue(run, DAILY_JOB, "2025-10-20")  # two days before the due date
    work(rq_app)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 3
    assert sorted(a.addr_spec for m in smtp_server.inbox.messages for a in m["To"].addresses) == [
        "isfahan.city@test.example.org", "kashan.city@test.example.org", "shiraz.city@test.example.org"]
    with rq_app.app_context():
        get_queue().enqueue(run, DAILY_JOB, "2025-10-20")
    work(rq_app)
    assert len(smtp_server.inbox.messages) == 3


def test_worker_and_scheduler_need_redis(app):
    runner = app.test_cli_runner()
    for command in (["worker", "--burst"], ["scheduler"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1 and "WCC_REDIS_URL" in result.output
