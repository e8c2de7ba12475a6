"""The to-do home: what each role is asked to do, with counts, deadlines and links."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from wcc.extensions import db
from wcc.i18n.formatting import format_date
from wcc.periods import due_date, period_containing, periods_between, today
from wcc.reporting import services


@pytest.fixture
def periods():
    """The quarter before last, last quarter and this one: the span of the goal below."""
    current = period_containing(today(), "quarterly")
    return [current.previous().previous(), current.previous(), current]


@pytest.fixture
def goal(make_goal, periods):
    return make_goal(first_period=periods[0].key, last_period=periods[-1].key)


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def summary(page: str) -> dict[str, int]:
    """{section: count} of the to-do list's cards."""
    return {key: int(n) for key, n in re.findall(r'data-todo="([a-z-]+)" data-count="(\d+)"', page)}


def section(page: str, key: str) -> str:
    return page.split(f'id="todo-{key}"')[1].split("</section>")[0]


def returned_with_comment(make_report, network, goal, period, comment="لطفاً فاکتور فروش را پیوست کنید."):
    """A municipality's report returned by its province through the workflow (which also notifies)."""
    city, province = network.users["isfahan_city"], network.users["isfahan"]
    report = make_report(network.orgs["IR-10-ISFAHAN"], goal, period.key, "submitted", author=city)
    services.return_report(report, province, comment)
    db.session.commit()
    return report


def test_a_municipality_officer_sees_returned_overdue_due_drafts_and_notifications(
        client, network, goal, periods, make_report, login_as):
    city = network.users["isfahan_city"]
    returned = returned_with_comment(make_report, network, goal, periods[0])
    draft = make_report(network.orgs["IR-10-ISFAHAN"], goal, periods[-1].key, "draft", author=city)
    login_as(city)
    page = text(client.get("/"))
    day = today()
    late = [p for p in periods if due_date(p, goal.due_days) < day]
    pending = [p for p in periods if due_date(p, goal.due_days) >= day]
    assert summary(page) == {"returned": 1, "overdue": len(late), "due": len(pending), "drafts": 1,
                             "notifications": 1}
    # The reviewer's comment on the home page, with the way to correct the report.
    returned_part = section(page, "returned")
    assert "لطفاً فاکتور فروش را پیوست کنید." in returned_part
    assert f'href="/reports/{returned.id}/edit"' in returned_part
    assert network.users["isfahan"].name in returned_part
    # Deadlines in the Solar Hijri calendar with Persian digits; each links to its report or the form.
    started = {periods[0]: returned, periods[-1]: draft}
    for key, found in (("overdue", late), ("due", pending)):
        part = section(page, key) if found else ""
        for period in found:
            with force_locale("fa"):
                deadline = format_date(due_date(period, goal.due_days))
            assert re.search("[۰-۹]", deadline) and deadline in part
            if period in started:
                assert f'href="/reports/{started[period].id}/edit"' in part
            else:
                assert f"/reports/new?goal={goal.code}&amp;period={period.key}" in part
    assert f'href="/reports/{draft.id}/edit"' in section(page, "drafts")
    assert 'href="/notifications?unread=1"' in page
    assert "waiting-review" not in page and "waiting-approve" not in page


def test_the_deadlines_read_in_english_and_russian_too(client, network, goal, periods, login_as):
    login_as(network.users["kashan_city"])
    for lang in ("en", "ru"):
        page = text(client.get(f"/?lang={lang}"))
        with force_locale(lang):
            deadline = format_date(due_date(periods[-1], goal.due_days))
        assert deadline in section(page, "due") and not re.search("[۰-۹]", deadline)


def test_a_province_officer_also_sees_what_waits_for_review(client, network, goal, periods, make_report, login_as):
    kashan, shiraz = network.orgs["IR-10-KASHAN"], network.orgs["IR-07-SHIRAZ"]
    mine = make_report(kashan, goal, periods[-1].key, "submitted", author=network.users["kashan_city"])
    make_report(shiraz, goal, periods[-1].key, "submitted", author=network.users["shiraz_city"])  # Fars's
    make_report(network.orgs["IR-10-ISFAHAN"], goal, periods[-1].key, "reviewed")  # the secretariat's now
    login_as(network.users["isfahan"])
    page = text(client.get("/"))
    counts = summary(page)
    assert counts["waiting-review"] == 1 and "waiting-approve" not in counts
    assert {"returned", "overdue", "due", "drafts", "notifications"} <= set(counts)  # the province reports too
    waiting = section(page, "waiting-review")
    assert f'href="/reports/{mine.id}"' in waiting and "Shiraz" not in waiting
    assert 'href="/review"' in page


def test_the_secretariat_finds_its_approvals_on_the_overview_and_the_ministry_only_its_notifications(
        client, network, goal, periods, make_report, login_as):
    province = network.orgs["IR-10"]
    make_report(network.orgs["IR-10-KASHAN"], goal, periods[-1].key, "reviewed")
    make_report(province, goal, periods[-1].key, "submitted")
    make_report(network.orgs["IR-10-ISFAHAN"], goal, periods[-1].key, "submitted")  # the province reviews it
    login_as(network.users["admin"])
    assert client.get("/").headers["Location"].endswith("/dashboards")
    counts = summary(text(client.get("/dashboards")))
    assert counts == {"waiting-review": 0, "waiting-approve": 2, "notifications": 0}
    login_as(network.users["ministry"])
    assert summary(text(client.get("/dashboards"))) == {"notifications": 0}


def test_a_member_with_nothing_to_do_is_told_so(client, network, make_goal, login_as):
    make_goal(active=False)
    login_as(network.users["shiraz_city"])
    page = text(client.get("/?lang=en"))
    assert set(summary(page).values()) == {0}
    assert "Nothing needs your action right now." in page


@pytest.mark.parametrize("who", ["isfahan_city", "isfahan"])
def test_the_home_page_takes_a_fixed_number_of_queries(client, network, make_goal, make_report, login_as,
                                                       count_queries, who):
    login_as(network.users[who])
    goals = [make_goal("GOAL-A", first_period="1404-Q1", last_period="1405-Q4")]

    def fill(goal, status_of_city, status_of_kashan):
        for period in periods_between(goal.first, period_containing(today(), "quarterly")):
            make_report(network.orgs["IR-10-ISFAHAN"], goal, period.key, status_of_city)
            make_report(network.orgs["IR-10-KASHAN"], goal, period.key, status_of_kashan)

    fill(goals[0], "returned", "submitted")
    db.session.expire_all()
    with count_queries() as few:
        text(client.get("/"))
    goals += [make_goal("GOAL-B", first_period="1404-Q1", last_period="1405-Q4"),
              make_goal("GOAL-C", first_period="1404-Q1", last_period="1405-Q4")]
    fill(goals[1], "draft", "submitted")
    fill(goals[2], "returned", "submitted")
    db.session.expire_all()
    with count_queries() as many:
        text(client.get("/"))
    assert many.count == few.count
