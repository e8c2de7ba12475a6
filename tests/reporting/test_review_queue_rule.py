"""The review queue's SQL says what the workflow table and the policy say about each report."""

from __future__ import annotations

from sqlalchemy import select

from wcc.extensions import db
from wcc.reporting import workflow
from wcc.reporting.models import ProgressReport
from wcc.reporting.queries import QUEUE_DECISIONS, held_for_others_count, review_queue_query


def test_the_queue_holds_exactly_the_reports_the_user_may_review_or_approve_now(
        network, create_org, create_user, make_goal, make_report):
    east_az = create_org("province", code="IR-03", parent=network.orgs["WCC"])
    tabriz = create_org("municipality", code="IR-03-TABRIZ", parent=east_az)
    people = dict(network.users, admin_b=create_user("admin", network.orgs["WCC"]),
                  tabriz_city=create_user("municipality", tabriz))
    goal = make_goal()
    authors = {"IR-10-ISFAHAN": "isfahan_city", "IR-10-KASHAN": "kashan_city", "IR-07-SHIRAZ": "shiraz_city",
               "IR-10": "isfahan", "IR-07": "fars", "IR-03-TABRIZ": "tabriz_city"}
    orgs = dict(network.orgs, **{"IR-03-TABRIZ": tabriz})
    periods = ["1403-Q1", "1403-Q2", "1403-Q3", "1403-Q4", "1404-Q1"]
    for code, author in authors.items():
        for period, status in zip(periods, ["draft", "submitted", "reviewed", "approved", "returned"], strict=True):
            if status == "reviewed" and orgs[code].kind == "province":
                status = "submitted"
            reviewer = people["admin"] if code == "IR-03-TABRIZ" else people.get({"IR-07-SHIRAZ": "fars"}.get(
                code, "isfahan"))
            make_report(orgs[code], goal, period, status=status, author=people[author], reviewer=reviewer,
                        approver=people["admin_b"])
    # An admin who wrote a province's report on its behalf may not approve it.
    make_report(orgs["IR-07"], goal, "1404-Q2", status="submitted", author=people["admin"])
    reports = list(db.session.scalars(select(ProgressReport).order_by(ProgressReport.id)))
    for name, user in people.items():
        expected = {r.id for r in reports if any(step in workflow.available_steps(r, user) for step in QUEUE_DECISIONS)}
        queued = {r.id for r in db.session.scalars(review_queue_query(user)).unique()}
        assert queued == expected, name
        held = held_for_others_count(user)
        if name in ("admin", "admin_b"):
            approvable = [r for r in reports if r.status in workflow.sources("approve", r.org.kind)]
            assert held == sum(1 for r in approvable if "approve" not in workflow.available_steps(r, user)), name
        else:
            assert held == 0
    assert {r.id for r in db.session.scalars(review_queue_query(people["admin"])).unique()}  # not trivially empty
