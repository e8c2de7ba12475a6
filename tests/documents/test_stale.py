"""Documents left waiting or half-made by a process that stopped mid-job: the page says so instead of
spinning for ever, the sweep queues the making again for the same version (never a second one), and
a making that stops again is marked failed, interrupted.

A crash is simulated by leaving the rows as it leaves them: the job lost from Redis (the worker that
took it died) with the document "queued", or the document "rendering" with no job left."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import sign_in_session
from tests.documents.test_background import REPORT_URL, only_document, rq_app  # noqa: F401
from tests.fixtures.jobs import queued, work
from wcc.extensions import db


def lost_job(app) -> None:
    """The worker that took the document's job died: the job is gone from Redis."""
    import redis

    from tests.conftest import REDIS_URL

    with redis.Redis.from_url(REDIS_URL) as store:
        store.flushdb()


def age(minutes: int, **values) -> None:
    """Let time pass for the making's lease (and put the document in the state a crash leaves)."""
    document = only_document()
    document.job_claimed_at = document.job_claimed_at - timedelta(minutes=minutes)
    for name, value in values.items():
        setattr(document, name, value)
    db.session.commit()


def sweep(app) -> list[str]:
    db.session.commit()
    with app.app_context():  # without Redis, the jobs it queues run in-process when it ends
        result = app.test_cli_runner().invoke(args=["sweep-jobs"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def numbers() -> list[int]:
    return [v.number for v in only_document().versions]


def test_a_document_whose_worker_died_is_made_once_and_its_page_says_so(rq_app, network, city):  # noqa: F811
    client = rq_app.test_client()
    sign_in_session(client, network.users["isfahan"])
    assert client.post(REPORT_URL, data={"language": "en"}).status_code == 302
    document = only_document()
    lost_job(rq_app)
    # Within its lease the page waits, as for any making.
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "data-document-status" in page and "Taking longer than it should" not in page
    assert sweep(rq_app)[-1] == "swept: 0"

    age(31)
    # Past it, the page says plainly that the making is stuck and offers to ask again; no spinner.
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "Taking longer than it should" in page and "the server making it has probably stopped" in page
    assert "data-document-status" not in page and 'http-equiv="refresh"' not in page
    assert "Try again" in page
    fa = client.get(f"/documents/{document.id}?lang=fa").get_data(as_text=True)
    assert "بیش از حد طول کشیده" in fa
    ru = client.get(f"/documents/{document.id}?lang=ru").get_data(as_text=True)
    assert "Готовится слишком долго" in ru
    status = client.get(f"/documents/{document.id}/status").get_json()
    assert (status["state"], status["pending"], status["stuck"]) == ("queued", True, True)

    lines = sweep(rq_app)
    assert "documents requeued: 1" in lines and lines[-1] == "swept: 1" and queued() == 1
    work(rq_app)
    assert (only_document().state, numbers()) == ("ready", [1])
    assert sweep(rq_app)[-1] == "swept: 0"


def test_a_half_made_document_gets_one_version_even_if_the_old_job_comes_back(rq_app, network, city):  # noqa: F811
    from wcc.jobs import get_queue, run

    client = rq_app.test_client()
    sign_in_session(client, network.users["isfahan"])
    assert client.post(REPORT_URL, data={"language": "en"}).status_code == 302
    work(rq_app)
    document = only_document()
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    lost_job(rq_app)
    # The worker had begun version 2 (committed "rendering") and stopped mid-render.
    age(31, state="rendering")
    assert "documents requeued: 1" in sweep(rq_app)
    # RQ hands the dead worker's job out again as well: two jobs for version 2, one version 2.
    with rq_app.app_context():
        get_queue().enqueue(run, "wcc.documents.services.render_job", document.id, 2, None)
    db.session.commit()
    work(rq_app)
    assert (only_document().state, numbers()) == ("ready", [2, 1])


def test_a_making_that_stops_again_is_marked_interrupted(rq_app, network, city):  # noqa: F811
    client = rq_app.test_client()
    sign_in_session(client, network.users["isfahan"])
    assert client.post(REPORT_URL, data={"language": "en"}).status_code == 302
    document = only_document()
    for _ in range(2):
        lost_job(rq_app)
        age(31, state="rendering")
        sweep(rq_app)
    document = only_document()
    assert (document.state, document.failure, numbers(), queued()) == ("failed", {"kind": "interrupted"}, [], 0)
    page = client.get(f"/documents/{document.id}?lang=en").get_data(as_text=True)
    assert "stopped before it was ready" in page and "Try again" in page
    # Asking again starts afresh (with its own lease and its own second chance).
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    document = only_document()
    assert (document.state, document.job_requeues, queued()) == ("queued", 0, 1)
    work(rq_app)
    assert numbers() == [1]


def test_asking_again_on_a_stuck_page_and_the_sweep_without_a_queue(rq_app, make_app, network, city):  # noqa: F811
    """Without Redis the sweep makes it in-process; the officer may also ask again from the stuck page."""
    client = rq_app.test_client()
    sign_in_session(client, network.users["isfahan"])
    assert client.post(REPORT_URL, data={"language": "en"}).status_code == 302
    lost_job(rq_app)
    age(31)
    app = make_app()
    client = app.test_client()
    sign_in_session(client, network.users["isfahan"])
    document = only_document()
    # Asking again is allowed once it is stuck, and makes the same version number.
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    assert (only_document().state, numbers()) == ("ready", [1])
    # A stuck one left for the sweep is made in-process by it.
    assert client.post(f"/documents/{document.id}/regenerate").status_code == 302
    assert numbers() == [2, 1]
    age(0, state="queued")
    age(31)
    assert "documents requeued: 1" in sweep(app)
    assert (only_document().state, numbers()) == ("ready", [3, 2, 1])
