"""Races: twenty requests at once against a real threaded server, on both databases.

Of twenty requests changing one thing from the same version, exactly one wins
(200) and nineteen are told it changed in the meantime (409, with the version
now saved). Of twenty requests creating the same unique thing, one creates it
(201) and nineteen answer 409 naming the field. Nothing answers 5xx.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_PASSWORD, totp_code
from tests.fixtures.server import counts
from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.goals.models import Goal, Target
from wcc.initiatives.models import Initiative
from wcc.periods.clock import today
from wcc.periods.period import period_containing
from wcc.reporting.models import ProgressReport, Status

N = 20


@pytest.fixture
def goal(make_goal):
    return make_goal()


def _fresh(server=None, headers=None) -> None:
    """End the test's own transaction: fixtures become visible to the server, and reads after
    the race see what it committed. With ``headers``, use the token once first: its first use
    records the time, a write that would otherwise line the racing requests up one by one."""
    db.session.commit()
    if headers is not None:
        assert server.call("GET", "/api/v1/me", headers=headers).status == 200


def _report_path(report) -> str:
    return f"/api/v1/reports/{report.id}"


def test_twenty_parallel_patches_with_one_version_give_one_200_and_nineteen_409s(
        threaded_server, network, goal, make_report, bearer):
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal)
    version, path, headers = report.version, _report_path(report), bearer(network.users["isfahan_city"])
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "PATCH", path, json_body={"version": version, "value": 1000 + i}, headers=headers))
    assert counts(answers) == {200: 1, 409: N - 1}
    winner = next(a.json() for a in answers if a.status == 200)
    assert winner["version"] == version + 1
    for lost in (a.json()["error"] for a in answers if a.status == 409):
        assert lost["code"] == "conflict"
        assert lost["details"]["current_version"] == version + 1
        assert lost["details"]["current"]["value"] == winner["value"]
    _fresh()
    saved = db.session.get(ProgressReport, report.id)
    assert (saved.version, float(saved.value)) == (version + 1, winner["value"])
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.update")) == 1


@pytest.mark.parametrize("with_version", [True, False], ids=["with-version", "without-version"])
def test_twenty_parallel_submissions_of_one_report_give_one_200_and_nineteen_409s(
        threaded_server, network, goal, make_report, bearer, with_version):
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal)
    body = {"version": report.version} if with_version else {}
    path, headers = _report_path(report) + "/submit", bearer(network.users["isfahan_city"])
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call("POST", path, json_body=body, headers=headers))
    assert counts(answers) == {200: 1, 409: N - 1}
    _fresh()
    assert db.session.get(ProgressReport, report.id).status == Status.SUBMITTED
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.submit")) == 1


def test_parallel_bulk_reviews_never_fail_and_review_each_report_once(threaded_server, network, goal, make_report):
    reports = [make_report(network.orgs[code], goal, period=period, status=Status.SUBMITTED)
               for code in ("IR-10-ISFAHAN", "IR-10-KASHAN") for period in ("1403-Q3", "1403-Q4", "1404-Q1")]
    form = {"step": "review", "comment": "", "report": [str(r.id) for r in reports],
            **{f"v-{r.id}": str(r.version) for r in reports}}
    _fresh()
    signed_in = threaded_server.call("POST", "/login", form={"email": network.users["isfahan"].email,
                                                             "password": TEST_PASSWORD})
    assert signed_in.status == 302 and signed_in.headers["Location"].startswith("/login/two-factor")
    cookie = {"Cookie": signed_in.headers["Set-Cookie"].split(";", 1)[0]}
    # A province officer signs in with the second factor too.
    second = threaded_server.call("POST", "/login/two-factor", form={"code": totp_code(network.users["isfahan"])},
                                  headers=cookie)
    assert second.status == 302
    cookie = {"Cookie": second.headers["Set-Cookie"].split(";", 1)[0]}
    answers = threaded_server.race(N, lambda i: threaded_server.call("POST", "/review", form=form, headers=cookie))
    assert counts(answers) == {302: N}
    _fresh()
    assert {db.session.get(ProgressReport, r.id).status for r in reports} == {Status.REVIEWED}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "report.review")) == len(reports)


def test_twenty_parallel_creations_of_one_report_give_one_201_and_nineteen_409s(
        threaded_server, network, goal, bearer):
    body, headers = {"goal": goal.code, "period": "1404-Q1"}, bearer(network.users["isfahan_city"])
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "POST", "/api/v1/reports", json_body={**body, "value": i}, headers=headers))
    assert counts(answers) == {201: 1, 409: N - 1}
    assert all("period" in a.json()["error"]["details"] for a in answers if a.status == 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 1


def test_twenty_parallel_initiatives_with_one_external_id_give_one_201_and_nineteen_409s(
        threaded_server, network, reference_data, api_token):
    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan'])}"}
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "POST", "/api/v1/initiatives", json_body={"title": f"Felt fair {i}", "category": "exhibition",
                                                  "external_id": "FAIR-2025"}, headers=headers))
    assert counts(answers) == {201: 1, 409: N - 1}
    assert all("external_id" in a.json()["error"]["details"] for a in answers if a.status == 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Initiative)) == 1


def test_twenty_parallel_patches_of_an_initiative_give_one_200_and_nineteen_409s(
        threaded_server, network, reference_data, make_initiative, api_token):
    ini = make_initiative(network.orgs["IR-10"], "Felt fair")
    headers = {"Authorization": f"Bearer {api_token(network.users['isfahan'])}"}
    version, path = ini.version, f"/api/v1/initiatives/{ini.id}"
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "PATCH", path, json_body={"version": version, "title": f"Felt fair {i}"}, headers=headers))
    assert counts(answers) == {200: 1, 409: N - 1}
    winner = next(a.json() for a in answers if a.status == 200)
    assert all(a.json()["error"]["details"]["current_version"] == winner["version"]
               for a in answers if a.status == 409)
    _fresh()
    assert db.session.get(Initiative, ini.id).title == winner["title"]


def test_twenty_parallel_goals_with_one_code_give_one_201_and_nineteen_409s(threaded_server, network, bearer):
    body = {"code": "STORIES", "titles": {"fa": "روایت‌ها", "en": "Stories", "ru": "Истории"},
            "theme": "promotion", "unit": "count", "aggregation": "sum", "frequency": "yearly",
            "first_period": "1403", "last_period": "1405", "reported_by": ["municipality"]}
    headers = bearer(network.users["admin"])
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "POST", "/api/v1/goals", json_body=body, headers=headers))
    assert counts(answers) == {201: 1, 409: N - 1}
    assert all("code" in a.json()["error"]["details"] for a in answers if a.status == 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 1


def test_twenty_parallel_first_targets_leave_one_row_and_never_fail(threaded_server, network, goal, bearer):
    """Setting a target is a PUT: a request that comes after the first one changes its value
    (200). Requests that raced the first insert answer 409 on the value; none fails."""
    headers, path = bearer(network.users["isfahan_city"]), f"/api/v1/goals/{goal.code}/targets"
    # The target of the year that is running (a closed year's targets are locked).
    this_year = period_containing(today(), "yearly").key
    _fresh(threaded_server, headers)
    answers = threaded_server.race(N, lambda i: threaded_server.call(
        "PUT", path, json_body={"items": [{"period": this_year, "value": 100 + i}]}, headers=headers))
    tally = counts(answers)
    assert set(tally) <= {200, 409} and tally.get(200, 0) >= 1
    assert all("value" in a.json()["error"]["details"] for a in answers if a.status == 409)
    _fresh()
    assert db.session.scalar(select(func.count()).select_from(Target)) == 1
    # Every 200 changed the value (they all differ), and left exactly one audit event.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "target.set")) == tally[200]
