"""One transaction per request, and what each kind of failure answers.

A request's changes are committed once, after the view answered and before the
answer leaves; an error answer keeps nothing. A commit that fails is answered as
an error, never as the redirect the view meant. Programming errors are a logged
500 with their traceback; only a database that cannot be reached is a 503.
"""

from __future__ import annotations

import logging

import pytest
from flask import flash, get_flashed_messages, redirect
from sqlalchemy import func, select, text

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.orgs.models import Organisation


def _org(code: str) -> Organisation:
    return Organisation(code=code, kind="network", name_fa="شبکه", name_en="Network", name_ru="Сеть")


def _count(code: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.code == code))


@pytest.fixture
def routes(app, make_app):
    """Another app on the test database (the test runs in ``app``'s context), with views that
    write and then fail in different ways."""
    web = make_app(PROPAGATE_EXCEPTIONS=False)

    @web.post("/t/saved")
    def saved():
        db.session.add(_org("SAVED"))
        flash("Saved.", "success")
        return redirect("/t/next")

    @web.post("/t/refused")
    def refused():
        db.session.add(_org("REFUSED"))
        db.session.flush()
        return "not valid", 422

    @web.post("/api/t/service-error")
    def service_error():
        db.session.add(_org("HALFWAY"))
        db.session.flush()
        raise ServiceError("The value is not valid.", field="value")

    @web.post("/t/clash")
    def clash():
        # The clash is only found when the request commits: the answer must not be the redirect.
        db.session.add(_org("TAKEN"))
        flash("Saved.", "success")
        return redirect("/t/next")

    @web.get("/t/next")
    def next_page():
        return "|".join(str(m) for m in get_flashed_messages())

    @web.get("/t/bug")
    def bug():
        db.session.execute(text("SELECT no_such_column FROM no_such_table"))
        return "unreachable"

    @web.post("/t/not-null")
    def not_null():
        db.session.add(Organisation(code="NULLS", kind="network"))
        db.session.flush()
        return "unreachable"

    return web


def test_a_successful_request_commits_once_at_its_end(routes):
    response = routes.test_client().post("/t/saved")
    assert response.status_code == 302
    assert _count("SAVED") == 1


def test_an_error_answer_keeps_nothing_it_flushed(routes, network, bearer):
    client = routes.test_client()
    assert client.post("/t/refused").status_code == 422
    # The API answers only a caller who identifies himself.
    answer = client.post("/api/t/service-error", headers=bearer(network.users["isfahan_city"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"] == {"value": ["The value is not valid."]}
    assert _count("REFUSED") == 0 and _count("HALFWAY") == 0


def test_a_commit_that_fails_is_answered_as_a_conflict_not_as_the_promised_redirect(routes):
    db.session.add(_org("TAKEN"))
    db.session.commit()
    client = routes.test_client()
    response = client.post("/t/clash?lang=en")
    assert response.status_code == 409
    assert "Location" not in response.headers
    # The flashed "Saved." was taken back with the failed commit.
    assert client.get("/t/next").get_data(as_text=True) == ""
    assert _count("TAKEN") == 1


def test_a_programming_error_is_a_500_logged_with_its_traceback(routes, caplog):
    with caplog.at_level(logging.ERROR, logger="wcc.errors"):
        response = routes.test_client().get("/t/bug?lang=en")
        not_null = routes.test_client().post("/t/not-null?lang=en")
    assert response.status_code == 500 and not_null.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "no_such_table" not in body and "Traceback" not in body
    logged = [r for r in caplog.records if r.name == "wcc.errors" and r.levelno == logging.ERROR]
    assert len(logged) == 2 and all(r.exc_info for r in logged)
    assert "no_such_table" in caplog.text and "Traceback" in caplog.text
