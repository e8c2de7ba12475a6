"""The goal catalogue and a goal's page: only approved values count, unapproved ones are shown apart."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest

from wcc.extensions import db
from wcc.goals.models import Target
from wcc.reporting.progress import ProgressStatus
from wcc.reporting.queries import goal_progress, network_progress

TODAY = date(2026, 11, 26)  # 1405-09-05: every period of 1404 is over and due


def set_target(goal, org, year: str, value) -> None:
    db.session.add(Target(goal_id=goal.id, org_id=org.id, period_key=year, value=Decimal(value)))
    db.session.commit()


def test_only_approved_reports_count_and_pending_ones_are_apart(network, make_goal, make_report):
    goal = make_goal()
    isfahan, kashan = network.orgs["IR-10-ISFAHAN"], network.orgs["IR-10-KASHAN"]
    make_report(isfahan, goal, "1404-Q1", "approved", value=Decimal("10000"))
    make_report(isfahan, goal, "1404-Q2", "approved", value=Decimal("15000"))
    make_report(kashan, goal, "1404-Q1", "reviewed", value=Decimal("7000"))
    make_report(kashan, goal, "1404-Q2", "draft", value=Decimal("9999"))
    set_target(goal, network.orgs["WCC"], "1404", 100000)
    set_target(goal, isfahan, "1404", 40000)
    set_target(goal, kashan, "1404", 20000)
    progress = goal_progress(goal, 1404, TODAY)
    assert (progress.network.approved, progress.network.pending, progress.network.pending_count) == (25000, 7000, 1)
    assert progress.network.target == 100000
    member = progress.members[isfahan.id]
    assert (member.approved, member.reports, member.target) == (25000, 2, 40000)
    # The year is over: 25,000 of 40,000 is 0.625 of the (whole) target: moderate progress.
    assert member.assessment.status == ProgressStatus.MODERATE
    assert progress.members[kashan.id].assessment.status == ProgressStatus.NOT_ENOUGH_DATA
    # Isfahan as a whole counts the province's own reports and its two municipalities': its
    # target is theirs added up, and only once all three have set one.
    province = progress.provinces[network.orgs["IR-10"].id]
    assert (province.approved, province.target, province.target_coverage) == (25000, None, (2, 3))
    assert province.assessment.status == ProgressStatus.NOT_ENOUGH_DATA
    set_target(goal, network.orgs["IR-10"], "1404", 5000)
    province = goal_progress(goal, 1404, TODAY).provinces[network.orgs["IR-10"].id]
    assert (province.approved, province.target, province.target_coverage) == (25000, 65000, (3, 3))


def test_the_current_year_is_pro_rated_to_the_quarters_already_due(network, make_goal, make_report):
    goal = make_goal()
    isfahan = network.orgs["IR-10-ISFAHAN"]
    set_target(goal, isfahan, "1405", 40000)
    make_report(isfahan, goal, "1405-Q1", "approved", value=Decimal("9000"))
    # On 1405-09-05 Q1 and Q2 are due (Q2 by 22 October): half the year, 9,000 of 20,000.
    row = goal_progress(goal, 1405, TODAY).members[isfahan.id]
    assert row.assessment.status == ProgressStatus.LIMITED
    assert row.assessment.progress == pytest.approx(0.45)


@pytest.mark.parametrize("current, status", [(Decimal("15.5"), ProgressStatus.SUBSTANTIAL),
                                             (Decimal(20), ProgressStatus.MODERATE),
                                             (Decimal(45), ProgressStatus.DETERIORATION),
                                             (Decimal(14), ProgressStatus.TARGET_ACHIEVED)])
def test_lower_is_better_and_levels_use_the_baseline(network, make_goal, make_report, current, status):
    goal = make_goal("DELAYS", unit="count", aggregation="latest", direction="lower",
                     baseline_value=Decimal(40), baseline_period="1402")
    make_report(network.orgs["IR-10"], goal, "1404-Q4", "approved", value=current)
    set_target(goal, network.orgs["WCC"], "1404", 15)
    # From 40 at the end of 1402 to 15 by the end of 1404 needs -38.8 % a year; 20 is -29.3 % (0.76 of it).
    assert network_progress([goal], 1404, TODAY)[goal.id].assessment.status == status


def test_the_catalogue_and_a_goal_page_show_the_figures(client, network, make_goal, make_report, login_as):
    goal = make_goal()
    make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "approved", value=Decimal("12500"))
    make_report(network.orgs["IR-10-KASHAN"], goal, "1404-Q1", "submitted", value=Decimal("3000"))
    set_target(goal, network.orgs["WCC"], "1404", 50000)
    login_as(network.users["shiraz_city"])
    catalogue = html.unescape(client.get("/goals?year=1404&lang=en").get_data(as_text=True))
    assert "Export value to Russia" in catalogue and "12,500 EUR" in catalogue and "50,000 EUR" in catalogue
    assert "3,000 EUR" in catalogue  # awaiting approval, in its own column
    page = html.unescape(client.get("/goals/EXPORT-RU?year=1404&lang=en").get_data(as_text=True))
    assert "12,500 EUR" in page and "1 submitted reports, 3,000 EUR" in page
    assert "Report on this goal" in page
    fa = client.get("/goals/EXPORT-RU?year=1404&lang=fa").get_data(as_text=True)
    assert "۱۲٬۵۰۰" in fa
    assert client.get("/goals/NOPE").status_code == 404


def test_the_catalogue_takes_a_fixed_number_of_queries(client, network, make_goal, make_report, login_as,
                                                     count_queries):
    login_as(network.users["ministry"])
    goal = make_goal("GOAL-A")
    make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "approved")
    client.get("/goals?lang=en")
    db.session.expire_all()
    with count_queries() as one:
        client.get("/goals?year=1404&lang=en")
    for code, aggregation in (("GOAL-B", "latest"), ("GOAL-C", "average"), ("GOAL-D", "sum")):
        other = make_goal(code, aggregation=aggregation, unit="percent")
        make_report(network.orgs["IR-10-KASHAN"], other, "1404-Q1", "approved", value=Decimal(50))
    db.session.expire_all()
    with count_queries() as four:
        client.get("/goals?year=1404&lang=en")
    assert four.count <= one.count + 2  # one more aggregation query per kind of aggregation, at most


def test_a_goal_page_takes_a_fixed_number_of_queries(client, network, make_goal, make_report, login_as,
                                                     count_queries):
    login_as(network.users["ministry"])
    goal = make_goal()
    make_report(network.orgs["IR-10-ISFAHAN"], goal, "1404-Q1", "approved")
    client.get("/goals/EXPORT-RU?lang=en")
    db.session.expire_all()
    with count_queries() as one:
        client.get("/goals/EXPORT-RU?year=1404&lang=en")
    for org in ("IR-10-KASHAN", "IR-07-SHIRAZ", "IR-10", "IR-07"):
        for period in ("1404-Q1", "1404-Q2"):
            make_report(network.orgs[org], goal, period, "approved")
    db.session.expire_all()
    with count_queries() as many:
        client.get("/goals/EXPORT-RU?year=1404&lang=en")
    assert many.count == one.count
