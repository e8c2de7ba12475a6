"""'Who has not reported': its page, its CSV and XLSX files, who sees whom, and its query count."""

from __future__ import annotations

import io

import pytest

from wcc.dashboards.rollups import rebuild
from wcc.extensions import cache, db
from wcc.periods import due_date, parse_period

Q2 = "/dashboards/missing?period_from=1404-Q2&period_to=1404-Q2"


@pytest.fixture
def reporting(network, make_goal, make_report):
    """1404-Q2 of one goal: Isfahan province approved, Isfahan city sent (awaiting approval),
    Kashan has a draft, Fars and Shiraz nothing."""
    goal = make_goal("EXPORT-RU", due_days=30)
    orgs = network.orgs
    make_report(orgs["IR-10"], goal, "1404-Q2", status="approved")
    make_report(orgs["IR-10-ISFAHAN"], goal, "1404-Q2", status="submitted")
    make_report(orgs["IR-10-KASHAN"], goal, "1404-Q2", status="draft")
    rebuild()
    db.session.commit()
    cache.clear()
    return network, goal


def _rows(page: str) -> list[str]:
    body = page.split('id="table-missing"', 1)[1].split("</table>", 1)[0]
    return [row for row in body.split("<tr>")[2:]]


def test_the_page_names_each_member_its_kind_province_goals_periods_and_due_dates(client, login_as, reporting):
    network, goal = reporting
    login_as(network.users["ministry"])
    page = client.get(Q2 + "&lang=en").get_data(as_text=True)
    rows = _rows(page)
    members = [r.split('href="/dashboards/members/', 1)[1].split('"', 1)[0] for r in rows]
    # Sent and awaiting approval is not missing; a draft is. By province, its government first.
    assert members == ["IR-07", "IR-07-SHIRAZ", "IR-10-KASHAN"]
    fars, shiraz, kashan = rows
    assert ">Province<" in fars and ">Municipality<" in shiraz and ">Municipality<" in kashan
    assert "Fars" in shiraz and "Isfahan" in kashan
    due = due_date(parse_period("1404-Q2"), 30)
    assert "Export value to Russia — 1404 Q2" in kashan or "Export value to Russia" in kashan
    assert f"due {due.day} {due.strftime('%b')} {due.year}" in kashan
    assert "3 of 5 members have 3 reports missing." in page


def test_persian_due_dates_are_solar_hijri(client, login_as, reporting):
    from wcc.i18n.formatting import format_date

    network, _goal = reporting
    login_as(network.users["ministry"])
    page = client.get(Q2 + "&lang=fa").get_data(as_text=True)
    assert format_date(due_date(parse_period("1404-Q2"), 30), "fa") in page  # «۳۰ مهر ۱۴۰۴»-style


def test_filters_by_province_and_goal_keep_the_reader_at_the_results(client, login_as, reporting, make_goal):
    network, _goal = reporting
    make_goal("STUDIES", frequency="yearly", first_period="1403", last_period="1405", unit="count",
              title_en="Market studies", reported_by_municipality=False)
    cache.clear()
    login_as(network.users["ministry"])
    page = client.get(Q2 + "&province=IR-10&lang=en").get_data(as_text=True)
    assert [r.split('href="/dashboards/members/', 1)[1].split('"', 1)[0] for r in _rows(page)] == ["IR-10-KASHAN"]
    assert 'action="/dashboards/missing#results"' in page
    # A year: its quarters for the quarterly goal, the year for the yearly one (provinces only).
    everything = client.get("/dashboards/missing?period_from=1404&period_to=1404&lang=en").get_data(as_text=True)
    fars = _rows(everything)[0]
    assert "Market studies — 1404 —" in fars and "Export value to Russia — 1404 Q1" in fars
    assert "Market studies" not in _rows(everything)[1]  # Shiraz: a municipality does not report it
    one_goal = client.get("/dashboards/missing?period_from=1404&period_to=1404&goal=EXPORT-RU&lang=en")
    assert "Market studies —" not in one_goal.get_data(as_text=True)
    assert client.get("/dashboards/missing?period_from=14x4").status_code == 400


def test_a_province_sees_its_own_members_and_a_municipality_nothing(client, login_as, reporting):
    network, _goal = reporting
    login_as(network.users["isfahan"])
    page = client.get(Q2 + "&province=IR-07&lang=en").get_data(as_text=True)
    assert [r.split('href="/dashboards/members/', 1)[1].split('"', 1)[0] for r in _rows(page)] == ["IR-10-KASHAN"]
    csv = client.get("/dashboards/missing.csv?period_from=1404-Q2&period_to=1404-Q2").get_data(as_text=True)
    assert "IR-10-KASHAN" in csv and "IR-07" not in csv
    login_as(network.users["isfahan_city"])
    assert client.get(Q2).status_code == 403
    assert client.get("/dashboards/missing.csv").status_code == 403


def test_csv_and_xlsx_list_one_line_per_missing_report(client, login_as, reporting):
    from openpyxl import load_workbook

    network, _goal = reporting
    login_as(network.users["ministry"])
    csv = client.get("/dashboards/missing.csv?period_from=1404-Q2&period_to=1404-Q2&lang=en")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("Member: code,Member,Kind,Province: code")
    assert [line.split(",")[0] for line in lines[1:]] == ["IR-07", "IR-07-SHIRAZ", "IR-10-KASHAN"]
    xlsx = client.get("/dashboards/missing.xlsx?period_from=1404-Q2&period_to=1404-Q2&lang=en")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert [v[0] for v in values[1:]] == ["IR-07", "IR-07-SHIRAZ", "IR-10-KASHAN"]
    assert values[1][8].date() == due_date(parse_period("1404-Q2"), 30)


def test_over_several_periods_and_goals_only_what_was_not_sent_is_listed(client, login_as, reporting, make_goal,
                                                                         make_report):
    import csv

    network, export = reporting
    films = make_goal("FILMS", due_days=30)
    orgs = network.orgs
    # Isfahan province sends everything over both quarters; Isfahan city all but one report.
    for goal, period in [(export, "1404-Q1"), (films, "1404-Q1"), (films, "1404-Q2")]:
        make_report(orgs["IR-10"], goal, period, status="approved")
    for goal, period in [(export, "1404-Q1"), (films, "1404-Q1")]:
        make_report(orgs["IR-10-ISFAHAN"], goal, period, status="approved")
    rebuild()
    db.session.commit()
    cache.clear()
    login_as(network.users["ministry"])
    answer = client.get("/dashboards/missing.csv?period_from=1404-Q1&period_to=1404-Q2&lang=en")
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))[1:]
    missing = {(line[0], line[5], line[7]) for line in lines}
    everything = {(goal, period) for goal in ("EXPORT-RU", "FILMS") for period in ("1404 Q1", "1404 Q2")}
    assert len(lines) == len(missing)
    assert missing == ({("IR-07", *cell) for cell in everything} | {("IR-07-SHIRAZ", *cell) for cell in everything}
                       | {("IR-10-KASHAN", *cell) for cell in everything} | {("IR-10-ISFAHAN", "FILMS", "1404 Q2")})


def test_the_overview_and_province_page_link_to_it(client, login_as, reporting):
    network, _goal = reporting
    login_as(network.users["ministry"])
    page = client.get("/dashboards?period_from=1404&period_to=1404&lang=en").get_data(as_text=True)
    top = page.split("Goals and their progress", 1)[0]
    assert "/dashboards/missing?period_from=1404-Q2&amp;period_to=1404-Q2#results" in top
    province = client.get("/dashboards/provinces/IR-10?period_from=1404&period_to=1404").get_data(as_text=True)
    assert "/dashboards/missing?period_from=1404-Q2&amp;period_to=1404-Q2&amp;province=IR-10#results" in province


def test_the_page_runs_a_fixed_number_of_queries(client, login_as, reporting, count_queries, create_org,
                                                 make_report):
    network, goal = reporting
    login_as(network.users["ministry"])
    client.get(Q2)

    def add_towns(numbers) -> None:
        # Each measured request is the first after organisations changed (the directory is read again).
        for n in numbers:
            town = create_org("municipality", code=f"IR-10-NEW{n}", parent=network.orgs["IR-10"])
            make_report(town, goal, "1404-Q1", status="approved")
        rebuild()
        db.session.commit()

    add_towns([0])
    with count_queries() as before:
        assert client.get(Q2 + "&period_from=1404-Q1").status_code == 200
    add_towns([1, 2, 3])
    with count_queries() as after:
        page = client.get(Q2 + "&period_from=1404-Q1&lang=en")
    assert "IR-10-NEW3" in page.get_data(as_text=True)
    assert after.count == before.count
