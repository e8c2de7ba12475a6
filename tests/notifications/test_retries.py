"""Refused mail is tried again with growing waits without Redis (jobs in-process), and never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.notifications.models import Delivery, DeliveryAttempt


@pytest.fixture
def reviewed(network, make_goal, make_report):
    return make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="reviewed",
                       author=network.users["isfahan_city"], reviewer=network.users["isfahan"])


def approve(app, report, bearer, network) -> None:
    answer = app.test_client().post(f"/api/v1/reports/{report.id}/approve",
                                    headers=bearer(network.users["admin"]), json={})
    assert answer.status_code == 200


def the_delivery() -> tuple[Delivery, list[DeliveryAttempt]]:
    db.session.expire_all()
    delivery = db.session.scalar(select(Delivery))
    attempts = db.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)
                                  .order_by(DeliveryAttempt.id)).all()
    return delivery, list(attempts)


def retry_command(app) -> str:
    with app.app_context():  # the command's jobs (the mail) run in-process when it ends
        result = app.test_cli_runner().invoke(args=["retry-deliveries"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_a_refused_mail_is_sent_by_the_next_sweep_once(make_app, mail_settings, network, reviewed, bearer,
                                                      smtp_server):
    """No wait configured: the sweep after the request that failed sends it; later requests send nothing."""
    app = make_app(**mail_settings)
    smtp_server.inbox.refuse_next = 1
    approve(app, reviewed, bearer, network)
    assert smtp_server.inbox.refused == 1
    message, = smtp_server.inbox.messages
    assert f"https://wcc.test/reports/{reviewed.id}" in smtp_server.inbox.text(message)
    delivery, attempts = the_delivery()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 2, None)
    assert [a.ok for a in attempts] == [False, True] and "451" in attempts[0].error
    client = app.test_client()
    for _ in range(3):
        client.get("/api/v1/notifications", headers=bearer(network.users["isfahan_city"]))
    assert retry_command(app) == "retried: 0"
    assert len(smtp_server.inbox.messages) == 1
    assert the_delivery()[0].attempts == 2


def test_waits_grow_and_the_mail_goes_out_once_when_due(make_app, mail_settings, network, reviewed, bearer,
                                                        smtp_server):
    app = make_app(**{**mail_settings, "JOB_RETRY_INTERVALS": [60, 300, 1800]})
    inbox = smtp_server.inbox
    inbox.refuse = True
    approve(app, reviewed, bearer, network)
    delivery, attempts = the_delivery()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.next_attempt_at - attempts[-1].at == timedelta(minutes=1)

    # Not due yet: neither the next requests nor the command try again.
    app.test_client().get("/api/v1/notifications", headers=bearer(network.users["isfahan_city"]))
    assert retry_command(app) == "retried: 0"
    assert the_delivery()[0].attempts == 1 and inbox.refused == 1

    def time_passes() -> None:
        delivery = the_delivery()[0]
        delivery.next_attempt_at -= timedelta(hours=3)
        db.session.commit()

    time_passes()
    assert retry_command(app) == "retried: 1"
    delivery, attempts = the_delivery()
    assert (delivery.status, delivery.attempts, inbox.refused) == ("failed", 2, 2)
    assert delivery.next_attempt_at - attempts[-1].at == timedelta(minutes=5)

    inbox.refuse = False
    time_passes()
    assert retry_command(app) == "retried: 1"
    assert retry_command(app) == "retried: 0"
    delivery, attempts = the_delivery()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("sent", 3, None)
    assert [a.ok for a in attempts] == [False, False, True]
    message, = inbox.messages
    assert message["To"].addresses[0].addr_spec == "isfahan.city@test.example.org"


def test_the_waits_and_the_last_try(make_app):
    from wcc.notifications.services import MAX_ATTEMPTS, retry_delay

    app = make_app(JOB_RETRY_INTERVALS=[60, 300, 1800, 7200])
    with app.app_context():
        waits = [retry_delay(n) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:5] == [timedelta(minutes=m) for m in (1, 5, 30, 120, 120)]
    assert waits[5:] == [None]
