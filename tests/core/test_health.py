"""The health check, and an app that outlives its database."""

from __future__ import annotations

from pathlib import Path


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_app_starts_without_its_database_and_recovers_when_it_returns(make_app, tmp_path):
    folder = tmp_path / "not-yet"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'wcc.db'}")
    client = app.test_client()
    down = client.get("/healthz")
    assert down.status_code == 503 and down.get_json() == {"status": "unavailable"}
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
