"""The reminder calendar: for a given day, exactly the expected notices; a replay sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.notifications.models import Notification
from wcc.periods import Period, due_date


@pytest.fixture
def calendar(network, make_goal):
    """One quarterly goal of municipalities, one period (1404-Q2), due 30 days after it ends."""
    goal = make_goal(first_period="1404-Q2", last_period="1404-Q2", reported_by_province=False, due_days=30)
    return goal, due_date(Period(1404, 2), 30)


def run_day(runner, day) -> int:
    result = runner.invoke(args=["send-reminders", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("enqueued: ")
    return int(last.split(": ")[1])


def notices(since_id: int = 0) -> list[tuple[str, str, int | None]]:
    rows = db.session.scalars(select(Notification).where(Notification.id > since_id).order_by(Notification.id))
    return sorted((n.user.email.split("@")[0], n.kind, (n.params or {}).get("level")) for n in rows)


def last_id() -> int:
    return db.session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) or 0


def test_the_calendar_around_a_deadline(runner, network, calendar, make_report):
    goal, due = calendar
    assert due.isoformat() == "2025-10-22"  # 31 Shahrivar 1404 + 30 days
    assert run_day(runner, due - timedelta(days=8)) == 0  # too early for anything

    assert run_day(runner, due - timedelta(days=7)) == 3
    assert notices() == [("isfahan.city", "report.due_soon", None), ("kashan.city", "report.due_soon", None),
                         ("shiraz.city", "report.due_soon", None)]
    assert run_day(runner, due - timedelta(days=7)) == 0  # replaying the day sends nothing
    assert run_day(runner, due) == 0  # due soon is said once

    # Kashan sends its report after the reminder: nothing more is said about it.
    make_report(network.orgs["IR-10-KASHAN"], goal, status="submitted", author=network.users["kashan_city"])
    mark = last_id()
    assert run_day(runner, due + timedelta(days=1)) == 2
    assert notices(mark) == [("isfahan.city", "report.overdue", None), ("shiraz.city", "report.overdue", None)]
    assert run_day(runner, due + timedelta(days=1)) == 0

    make_report(network.orgs["IR-10-ISFAHAN"], goal, status="submitted", author=network.users["isfahan_city"])
    mark = last_id()
    assert run_day(runner, due + timedelta(days=13)) == 0
    assert run_day(runner, due + timedelta(days=14)) == 1  # Shiraz is escalated to its province, Fars
    assert notices(mark) == [("fars", "report.escalated", 1)]
    mark = last_id()
    assert run_day(runner, due + timedelta(days=28)) == 1  # ... then to the union secretariat
    assert notices(mark) == [("admin", "report.escalated", 2)]
    for day in range(-10, 40):
        assert run_day(runner, due + timedelta(days=day)) == 0


def test_a_missed_day_is_caught_up_once(runner, network, calendar):
    _goal, due = calendar
    # The scheduler was down for three weeks: the first run after it says everything still true, once.
    assert run_day(runner, due + timedelta(days=20)) == 3 + 3  # three overdue, three escalated to provinces
    assert sorted({(who, kind) for who, kind, _l in notices()}) == [
        ("fars", "report.escalated"), ("isfahan", "report.escalated"),
        ("isfahan.city", "report.overdue"), ("kashan.city", "report.overdue"), ("shiraz.city", "report.overdue")]
    assert run_day(runner, due + timedelta(days=21)) == 0


def test_reminders_link_to_the_draft_when_there_is_one(runner, network, calendar, make_report, bearer, client):
    goal, due = calendar
    draft = make_report(network.orgs["IR-10-ISFAHAN"], goal, status="draft", author=network.users["isfahan_city"])
    run_day(runner, due - timedelta(days=3))
    listed = client.get("/api/v1/notifications", headers=bearer(network.users["isfahan_city"])).get_json()
    item, = listed["items"]
    assert item["object"] == {"type": "report", "id": draft.id}
    assert item["url"] == f"/reports/{draft.id}"
    other, = client.get("/api/v1/notifications", headers=bearer(network.users["kashan_city"])).get_json()["items"]
    assert other["object"] == {"type": "org", "id": "IR-10-KASHAN"}


def test_a_bad_date_is_refused_clearly(runner, app):
    result = runner.invoke(args=["send-reminders", "--date", "1404-13-40"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
