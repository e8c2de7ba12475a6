"""The health check, and an app that outlives its database."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "redis": "off"}  # the tests' app runs without Redis
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_app_starts_without_its_database_and_recovers_when_it_returns(make_app, tmp_path):
    folder = tmp_path / "not-yet"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'wcc.db'}")
    client = app.test_client()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.get_json() == {"status": "unavailable", "redis": "off"}
    assert client.get("/readyz").status_code == 503
    page = client.post("/login?lang=en", data={"email": "a@test.example.org", "password": "whatever"})
    assert page.status_code == 503 and "temporarily unavailable" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    token_call = client.get("/api/v1/orgs", headers={"Authorization": "Bearer wcc_anything"})
    assert token_call.status_code == 503 and token_call.get_json()["error"]["code"] == "unavailable"
    Path(folder).mkdir()  # the database comes back
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_postgresql_gives_503(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


@pytest.fixture
def app_with_redis_down(app, make_app):
    """An app configured for a Redis that does not answer (a closed port)."""
    gone = "redis://127.0.0.1:1/0"
    yield make_app(REDIS_URL=gone, CACHE_TYPE="wcc.shared.ResilientRedisCache", CACHE_REDIS_URL=gone,
                   RATELIMIT_STORAGE_URI=gone)
    make_app()  # put the shared limiter back on in-memory storage for the other tests


def test_without_redis_nothing_fails_and_health_says_so(app_with_redis_down, network, make_goal, make_report,
                                                        api_token):
    """Sign-in limits, the dashboards' cache, token owners and queued mail all fall back when
    Redis does not answer; nothing answers 500."""
    from wcc.extensions import db
    from wcc.reporting.models import ProgressReport, Status

    client = app_with_redis_down.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok", "redis": "down"}
    assert client.get("/readyz").status_code == 200
    # Failed sign-ins are still limited (the counters of this process stand in).
    statuses = [client.post("/login", data={"email": "nobody@test.example.org", "password": "wrong"}).status_code
                for _ in range(12)]
    assert 500 not in statuses and statuses[0] == 401
    # A token call, twice (the second would be answered from the token cache).
    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan_city'])}"}
    for _ in range(2):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    # A workflow step whose notice would be queued on Redis: the job runs in this process instead.
    report = make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="draft",
                         author=network.users["isfahan_city"])
    db.session.commit()
    answer = client.post(f"/api/v1/reports/{report.id}/submit", headers=headers, json={})
    assert answer.status_code == 200, answer.get_json()
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == Status.SUBMITTED
    # The dashboards compute without their cache.
    ministry = {"Authorization": f"Bearer {api_token(network.users['ministry'])}"}
    for _ in range(2):
        assert client.get("/api/v1/dashboard/overview", headers=ministry).status_code == 200
