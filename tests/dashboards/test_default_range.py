"""The range dashboards open on: the latest year in which at least half the reports owed are approved."""

from __future__ import annotations

from datetime import date

import pytest

from wcc.dashboards.compliance import default_range, year_coverage
from wcc.dashboards.rollups import rebuild
from wcc.extensions import cache, db
from wcc.periods import Period, PeriodRange

IN_1405 = date(2026, 11, 26)  # 1405-09-05: 1405-Q1 to Q3 have begun
MEMBERS = ("IR-10", "IR-07", "IR-10-ISFAHAN", "IR-10-KASHAN", "IR-07-SHIRAZ")


@pytest.fixture
def two_years(network, make_goal, make_report):
    """One quarterly goal every member reports: all of 1404 approved, three 1405 reports approved."""
    goal = make_goal("EXPORT-RU")
    for code in MEMBERS:
        for quarter in (1, 2, 3, 4):
            make_report(network.orgs[code], goal, f"1404-Q{quarter}", status="approved")
    for code in MEMBERS[:3]:
        make_report(network.orgs[code], goal, "1405-Q1", status="approved")
    make_report(network.orgs["IR-07-SHIRAZ"], goal, "1405-Q1", status="submitted")
    rebuild()
    db.session.commit()
    return network, goal


def test_three_approved_reports_do_not_make_a_year_the_default(app, two_years):
    coverage = year_coverage(IN_1405)
    # Five members × the quarters begun: 1404 all four, 1405 three of them (Q4 begins later).
    assert coverage[1404] == {"expected": 20, "approved": 20}
    assert coverage[1405] == {"expected": 15, "approved": 3}
    default = default_range(IN_1405)
    assert default["range"] == PeriodRange(Period(1404), Period(1404))
    assert default["current"] == {"year": 1405, "expected": 15, "approved": 3}


def test_a_year_becomes_the_default_once_half_is_approved(app, two_years, make_report):
    network, goal = two_years
    for code in MEMBERS[3:]:
        make_report(network.orgs[code], goal, "1405-Q2", status="approved")
    make_report(network.orgs["IR-10"], goal, "1405-Q2", status="approved")
    make_report(network.orgs["IR-07"], goal, "1405-Q3", status="approved")
    rebuild()
    db.session.commit()
    assert year_coverage(IN_1405)[1405] == {"expected": 15, "approved": 7}  # 7 of 15: still below half
    assert default_range(IN_1405)["range"].first == Period(1404)
    make_report(network.orgs["IR-07"], goal, "1405-Q2", status="approved")
    rebuild()
    db.session.commit()
    assert year_coverage(IN_1405)[1405]["approved"] == 8  # 8 of 15: at least half
    default = default_range(IN_1405)
    assert default["range"] == PeriodRange(Period(1405), Period(1405)) and default["current"] is None


def test_without_a_year_half_approved_the_latest_year_with_figures_is_shown(app, network, make_goal, make_report):
    goal = make_goal("EXPORT-RU")
    make_report(network.orgs["IR-10"], goal, "1403-Q2", status="approved")
    rebuild()
    db.session.commit()
    assert default_range(IN_1405)["range"].first == Period(1403)


def test_with_nothing_approved_this_year_is_shown(app, network, make_goal):
    make_goal("EXPORT-RU")
    assert default_range(IN_1405)["range"].first == Period(1405)


def test_the_pages_open_on_the_default_year_and_say_why(client, login_as, two_years):
    from wcc.periods import Frequency, clock, period_containing

    network, _goal = two_years
    cache.clear()
    this_year = period_containing(clock.today(), Frequency.YEARLY).year
    login_as(network.users["ministry"])
    page = client.get("/dashboards?lang=en").get_data(as_text=True)
    assert '<option value="1404" selected>' in page
    if this_year == 1405:  # the reports above are in 1405; later years owe nothing for this goal
        assert "1405 is not shown by default yet: 3 of the 15 reports owed so far are approved" in page
    # A chosen range is shown as chosen, with no note.
    page = client.get("/dashboards?lang=en&period_from=1405&period_to=1405").get_data(as_text=True)
    assert '<option value="1405" selected>' in page and "is not shown by default" not in page
    api = client.get("/api/v1/dashboard/overview").get_json()
    assert api["range"] == {"from": "1404", "to": "1404"}
