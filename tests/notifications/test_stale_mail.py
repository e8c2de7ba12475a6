"""Mail left hanging by a process that stopped mid-job: queued again by the sweep and sent once;
one cut off while being handed to the mail server is never sent again without an admin.

A crash is simulated by leaving the rows as it leaves them: the job taken from Redis and lost
(the worker died) with the delivery still queued, or the delivery marked "sending"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import REDIS_URL, sign_in_session
from tests.fixtures.jobs import queued, work
from wcc.extensions import db
from wcc.notifications.models import Delivery, DeliveryAttempt


@pytest.fixture
def rq_app(make_app, mail_settings, redis_store):
    return make_app(**mail_settings, REDIS_URL=REDIS_URL)


@pytest.fixture
def reviewed(network, make_goal, make_report):
    return make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="reviewed",
                       author=network.users["isfahan_city"], reviewer=network.users["isfahan"])


def lost_job(rq_app, redis_store, report, bearer, network) -> Delivery:
    """Approve the report on the queue; the worker that took the mail job dies with it."""
    answer = rq_app.test_client().post(f"/api/v1/reports/{report.id}/approve",
                                       headers=bearer(network.users["admin"]), json={})
    assert answer.status_code == 200 and queued() == 1
    redis_store.flushdb()
    return the_delivery()


def the_delivery() -> Delivery:
    db.session.expire_all()
    return db.session.scalars(select(Delivery)).one()


def age(minutes: int, **values) -> None:
    """Let time pass for the delivery's lease (and put it in the state a crash leaves)."""
    delivery = the_delivery()
    delivery.claimed_at = delivery.claimed_at - timedelta(minutes=minutes)
    for name, value in values.items():
        setattr(delivery, name, value)
    db.session.commit()


def command(app, *args: str) -> list[str]:
    db.session.commit()
    with app.app_context():  # without Redis, the jobs it queues run in-process when it ends
        result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def test_a_mail_whose_job_died_is_sent_once_by_the_sweep(rq_app, make_app, mail_settings, redis_store,
                                                          network, reviewed, bearer, smtp_server):
    delivery = lost_job(rq_app, redis_store, reviewed, bearer, network)
    assert (delivery.status, delivery.attempts, delivery.claimed_at is not None) == ("queued", 0, True)
    app = make_app(**mail_settings)  # the network restarted without Redis
    # Within its lease a queued mail may just be waiting for a busy worker: left alone.
    assert command(app, "sweep-jobs")[-1] == "swept: 0"
    assert smtp_server.inbox.messages == []
    age(16)
    lines = command(app, "sweep-jobs")
    assert "mail requeued: 1" in lines and lines[-1] == "swept: 1"
    message, = smtp_server.inbox.messages
    assert message["To"].endswith(f"<{network.users['isfahan_city'].email}>") or \
        network.users["isfahan_city"].email in message["To"]
    assert f"https://wcc.test/reports/{reviewed.id}" in smtp_server.inbox.text(message)
    delivery = the_delivery()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    # Nothing is left for any sweep, the daily run or the retry command.
    age(60)
    assert command(app, "sweep-jobs")[-1] == "swept: 0"
    assert command(app, "retry-deliveries")[-1] == "retried: 0"
    assert len(smtp_server.inbox.messages) == 1


def test_on_redis_the_sweep_gives_the_mail_to_a_worker_once(rq_app, redis_store, network, reviewed, bearer,
                                                             smtp_server):
    lost_job(rq_app, redis_store, reviewed, bearer, network)
    age(16)
    assert command(rq_app, "sweep-jobs")[-1] == "swept: 1"
    assert queued() == 1 and smtp_server.inbox.messages == []
    # The lost job turns up after all (RQ put it back): two jobs, one mail.
    with rq_app.app_context():
        from wcc.jobs import get_queue, run

        get_queue().enqueue(run, "wcc.notifications.services.deliver", the_delivery().id)
    db.session.commit()
    work(rq_app)
    assert len(smtp_server.inbox.messages) == 1
    assert (the_delivery().status, the_delivery().attempts) == ("sent", 1)


def test_a_mail_cut_off_while_sending_waits_for_an_admin(rq_app, make_app, mail_settings, redis_store,
                                                         network, reviewed, bearer, smtp_server):
    from wcc.notifications.services import deliver
    from wcc.transaction import job_transaction

    lost_job(rq_app, redis_store, reviewed, bearer, network)
    # The job had committed "sending" and was talking to the mail server when its process stopped.
    age(16, status="sending", attempts=1)
    app = make_app(**mail_settings)
    lines = command(app, "sweep-jobs")
    assert "mail interrupted: 1" in lines and "mail requeued: 0" in lines
    assert smtp_server.inbox.messages == []
    delivery = the_delivery()
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert delivery.last_error.startswith("interrupted")
    attempt, = db.session.scalars(select(DeliveryAttempt)).all()
    assert (attempt.ok, attempt.error) == (False, delivery.last_error)
    # Neither the retry sweep nor a late run of the old job sends it by itself.
    assert command(app, "retry-deliveries")[-1] == "retried: 0"
    assert command(app, "sweep-jobs")[-1] == "swept: 0"
    with app.app_context(), job_transaction():
        assert deliver(delivery.id) == "waiting for an admin"
    assert smtp_server.inbox.messages == []
    # The admin sees why on the failed deliveries page, and retries it: one mail.
    client = app.test_client()
    sign_in_session(client, network.users["admin"])
    page = client.get("/admin/deliveries?lang=en").get_data(as_text=True)
    assert "may or may not have arrived" in page
    assert client.post(f"/admin/deliveries/{delivery.id}/retry").status_code == 302
    assert len(smtp_server.inbox.messages) == 1
    assert (the_delivery().status, the_delivery().attempts) == ("sent", 2)


def test_a_job_running_while_another_sends_sends_nothing(mail_app, network, reviewed, bearer, smtp_server):
    """A second job for a delivery another job is sending (its lease still fresh) leaves it alone."""
    from wcc.notifications.services import deliver
    from wcc.transaction import job_transaction

    answer = mail_app.test_client().post(f"/api/v1/reports/{reviewed.id}/approve",
                                         headers=bearer(network.users["admin"]), json={})
    assert answer.status_code == 200 and len(smtp_server.inbox.messages) == 1
    age(0, status="sending")
    with mail_app.app_context(), job_transaction():
        assert deliver(the_delivery().id) == "being sent"
    assert command(mail_app, "sweep-jobs")[-1] == "swept: 0"
    assert len(smtp_server.inbox.messages) == 1
