"""A report change invalidates exactly the cached answers it can move: never a stale figure, and
answers of other goals and years stay cached."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

import brotli
import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from wcc.extensions import db

RANGE = "period_from=1404&period_to=1404"
#: Every answer a 1404 report of EXPORT-RU by Kashan (Isfahan province) moves.
AFFECTED_API = [f"/api/v1/dashboard/goals/EXPORT-RU?{RANGE}", f"/api/v1/dashboard/goals/EXPORT-RU?{RANGE}&include=periods",
                "/api/v1/dashboard/goals/EXPORT-RU?period_from=1403&period_to=1405",
                "/api/v1/dashboard/goals/EXPORT-RU", f"/api/v1/dashboard/overview?{RANGE}", "/api/v1/dashboard/overview",
                f"/api/v1/dashboard/goals/EXPORT-RU?{RANGE}#br"]
AFFECTED_PAGES = [f"/dashboards?{RANGE}&lang=en", f"/dashboards/goals/EXPORT-RU?{RANGE}&lang=en",
                  f"/dashboards/provinces/IR-10?{RANGE}&lang=en", f"/dashboards/members/IR-10-KASHAN?{RANGE}&lang=en",
                  f"/dashboards/goals/EXPORT-RU.csv?table=members&{RANGE}&lang=en"]
#: Answers it cannot move: other goals, and other years of an added-up goal.
UNRELATED_API = [f"/api/v1/dashboard/goals/SATISFACTION?{RANGE}", f"/api/v1/dashboard/goals/POSTAL-ONTIME?{RANGE}",
                 "/api/v1/dashboard/goals/EXPORT-RU?period_from=1403&period_to=1403",
                 "/api/v1/dashboard/overview?period_from=1403&period_to=1403",
                 f"/api/v1/dashboard/goals/SATISFACTION?{RANGE}#br"]
UNRELATED_PAGES = [f"/dashboards/goals/SATISFACTION?{RANGE}&lang=en",
                   "/dashboards/provinces/IR-07?period_from=1403&period_to=1403&lang=en"]


@contextlib.contextmanager
def count_statements():
    box = type("Count", (), {"count": 0})()

    def before(*_args):
        box.count += 1

    event.listen(Engine, "before_cursor_execute", before)
    try:
        yield box
    finally:
        event.remove(Engine, "before_cursor_execute", before)


@pytest.fixture
def reviewed(figures_data, make_report):
    """Kashan's EXPORT-RU report for 1404-Q1, reviewed and waiting for approval."""
    from wcc.reporting.models import ProgressReport

    goal, kashan = figures_data.goals["EXPORT-RU"], figures_data.orgs["IR-10-KASHAN"]
    existing = db.session.scalar(select(ProgressReport).where(
        ProgressReport.goal_id == goal.id, ProgressReport.org_id == kashan.id, ProgressReport.period_key == "1404-Q1"))
    if existing is not None:
        db.session.delete(existing)
        db.session.commit()
    report = make_report(kashan, goal, "1404-Q1", status="reviewed", value=Decimal("5000"),
                         author=figures_data.users["kashan_city"])
    from wcc.dashboards.rollups import rebuild

    rebuild()
    db.session.commit()
    return report


def read(client, url, headers):
    """The answer at ``url``; one ending "#br" is asked for compressed with Brotli (its cached compressed
    bytes) and read decompressed."""
    path, _, encoding = url.partition("#")
    if encoding:
        response = client.get(path, headers={**headers, "Accept-Encoding": encoding})
        assert response.status_code == 200 and response.headers["Content-Encoding"] == encoding, url
        return brotli.decompress(response.get_data())
    response = client.get(url, headers=headers if url.startswith("/api/") else None)
    assert response.status_code == 200, url
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", response.get_data())  # the sign-out form's token


def check(client, headers, clear, approve):
    urls = AFFECTED_API + AFFECTED_PAGES + UNRELATED_API + UNRELATED_PAGES
    before = {url: read(client, url, headers) for url in urls}
    warm = {}
    for url in urls:
        with count_statements() as q:
            assert read(client, url, headers) == before[url]
        warm[url] = q.count
    approve()
    for url in UNRELATED_API + UNRELATED_PAGES:
        with count_statements() as q:
            assert read(client, url, headers) == before[url], url
        assert q.count == warm[url], url  # served from the cache: nothing computed again
    after = {url: read(client, url, headers) for url in AFFECTED_API + AFFECTED_PAGES}
    for url in AFFECTED_API:
        assert after[url] != before[url], url  # Kashan's 5,000 euros moved the figures
    clear()
    for url in AFFECTED_API + AFFECTED_PAGES:
        assert read(client, url, headers) == after[url], url  # what a cold computation gives: never stale


def test_an_approval_moves_every_answer_it_affects_and_no_other(client, login_as, bearer, figures_data, reviewed):
    from wcc.extensions import cache
    from wcc.reporting import services

    users = figures_data.users
    login_as(users["ministry"])

    def approve():
        services.approve(reviewed, users["admin"])
        db.session.commit()

    check(client, bearer(users["ministry"]), cache.clear, approve)


def test_with_redis_the_same_holds_for_every_worker(redis_app, bearer, figures_data, reviewed):
    from tests.conftest import sign_in_session
    from wcc.auth.models import User
    from wcc.reporting import services
    from wcc.reporting.models import ProgressReport

    build, store = redis_app
    first, second = build(), build()
    client = first.test_client()
    users = figures_data.users
    sign_in_session(client, users["ministry"])

    def approve():  # made by another worker, as the app makes it
        with second.app_context():
            admin = db.session.get(User, users["admin"].id)
            services.approve(db.session.get(ProgressReport, reviewed.id), admin)
            db.session.commit()

    def clear():
        for key in store.scan_iter("*dash:*"):
            store.delete(key)

    check(client, bearer(users["ministry"]), clear, approve)


def test_answers_read_lately_are_computed_again_after_an_approval(client, login_as, bearer, figures_data, reviewed,
                                                                    make_report):
    """After an approval commits, the answers it invalidated that were read lately are warm again
    for the next reader, with the new figures; a burst of changes warms them once."""
    import time

    from wcc.dashboards import warm
    from wcc.extensions import cache
    from wcc.jobs import run_ready_jobs
    from wcc.reporting import services

    users = figures_data.users
    login_as(users["ministry"])
    headers = bearer(users["ministry"])
    urls = [f"/api/v1/dashboard/goals/EXPORT-RU?{RANGE}", "/api/v1/dashboard/overview",
            f"/dashboards/goals/EXPORT-RU?{RANGE}&lang=en", f"/dashboards/provinces/IR-10?{RANGE}&lang=fa"]
    before = {url: read(client, url, headers) for url in urls}
    warm_count = {}
    for url in urls:
        with count_statements() as q:
            read(client, url, headers)
        warm_count[url] = q.count

    services.approve(reviewed, users["admin"])
    db.session.commit()
    run_ready_jobs()  # what the end of the approving request does (or an RQ worker, with Redis)
    after = {}
    for url in urls:
        with count_statements() as q:
            after[url] = read(client, url, headers)
        assert q.count == warm_count[url], url  # warm: nothing left to compute
    assert after[urls[0]] != before[urls[0]]
    # A burst: a run that starts after a change has read it, so a later job for that change stops.
    changed_at = time.time()
    assert warm.warm_recent(changed_at) >= len(urls)
    assert warm.warm_recent(changed_at) == 0
    cache.clear()
    for url in urls:
        assert read(client, url, headers) == after[url], url  # and exactly what a cold read computes


def see_changes(client, headers, change, figures_data) -> None:
    """Renaming a member, changing its target and switching its goal off and on are seen by the next read
    of the goal's page and answer, although the organisations' directory, every member's targets and the
    goal's key are kept per process between reads."""
    from wcc.goals.models import Target

    page, api = f"/dashboards/goals/EXPORT-RU?{RANGE}&lang=en", f"/api/v1/dashboard/goals/EXPORT-RU?{RANGE}"
    kashan, goal = figures_data.orgs["IR-10-KASHAN"], figures_data.goals["EXPORT-RU"]

    def kashan_target() -> float:
        members = client.get(api, headers=headers).get_json()["members"]
        return next(m["target"] for m in members if m["org"] == "IR-10-KASHAN")

    for _ in range(2):
        assert client.get(api, headers=headers).status_code == 200
        assert "Kashan, renamed" not in read(client, page, None).decode()
        assert kashan_target() != 123_456
    change(type(kashan), kashan.id, name_en="Kashan, renamed")
    assert "Kashan, renamed" in read(client, page, None).decode()
    target = db.session.scalar(select(Target).where(Target.goal_id == goal.id, Target.org_id == kashan.id,
                                                    Target.period_key == "1404"))
    change(Target, target.id, value=Decimal("123456"))
    assert kashan_target() == 123_456
    # The goal choices of the filter forms are kept per process as well.
    choice = re.compile(r'<option value="EXPORT-RU"[^>]*>Exports, renamed</option>')
    overview = f"/dashboards?{RANGE}&lang=en"
    assert not choice.search(read(client, overview, None).decode())
    change(type(goal), goal.id, title_en="Exports, renamed")
    assert choice.search(read(client, overview, None).decode())
    change(type(goal), goal.id, active=False)
    assert client.get(api, headers=headers).status_code == 404
    change(type(goal), goal.id, active=True)
    assert client.get(api, headers=headers).status_code == 200


def test_organisation_and_goal_changes_are_seen_by_the_next_read(client, login_as, bearer, figures_data):
    users = figures_data.users
    login_as(users["ministry"])

    def change(model, row_id, **values):
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()

    see_changes(client, bearer(users["ministry"]), change, figures_data)


def test_with_redis_another_workers_organisation_and_goal_changes_are_seen(redis_app, bearer, figures_data):
    from tests.conftest import sign_in_session

    build, _store = redis_app
    first, second = build(), build()
    client = first.test_client()
    sign_in_session(client, figures_data.users["ministry"])

    def change(model, row_id, **values):  # made by another worker
        with second.app_context():
            row = db.session.get(model, row_id)
            for name, value in values.items():
                setattr(row, name, value)
            db.session.commit()

    see_changes(client, bearer(figures_data.users["ministry"]), change, figures_data)
