"""The goal answer: the same figures as the answer it replaced, per-period detail only when asked, compressed."""

from __future__ import annotations

import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import brotli
import pytest

from wcc.dashboards import pages, sql
from wcc.dashboards.filters import Filters
from wcc.dashboards.rollups import rebuild
from wcc.extensions import db
from wcc.periods import PeriodRange, parse_period

#: ``pages.goal_dashboard`` as computed, with every member's periods, by the answer before the
#: single aggregate query over the rollup (one probe per member): key "goal|from|to|province|today".
GOLDEN = Path(__file__).with_name("goal_answers.json")


def recorded() -> dict[str, dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def as_json(value):
    return json.loads(json.dumps(value))


def without_member_periods(answer: dict) -> dict:
    return {**answer, "members": [{k: v for k, v in m.items() if k != "periods"} for m in answer["members"]]}


def without_area_periods(answer: dict) -> dict:
    return {**answer, "provinces": [{k: v for k, v in p.items() if k != "periods"} for p in answer["provinces"]]}


@pytest.mark.parametrize("long_range", [10_000, 1], ids=["grouped", "running-sums"])
def test_every_goal_range_province_and_day_answers_as_recorded(figures_data, monkeypatch, long_range):
    # The members' figures as one GROUP BY over the range's rows, and from the running sums (what
    # long ranges use): both give the recorded answers.
    monkeypatch.setattr(sql, "LONG_RANGE", long_range)
    answers = recorded()
    assert len(answers) == len(figures_data.goals) * 6 * 2 * 2
    for key, expected in answers.items():
        code, first, last, province, today = key.split("|")
        goal = figures_data.goals[code]
        filters = Filters(PeriodRange(parse_period(first), parse_period(last)),
                          province=None if province == "None" else province)
        day = date.fromisoformat(today)
        assert as_json(pages.goal_dashboard(goal, filters, day)) == expected, key
        assert as_json(pages.goal_dashboard(goal, filters, day, member_periods=False)) \
            == without_member_periods(expected), key
        # The page's answer: the same figures, the network's periods only.
        assert as_json(pages.goal_dashboard(goal, filters, day, member_periods=False, area_periods=False)) \
            == without_area_periods(without_member_periods(expected)), key


@pytest.mark.parametrize("long_range", [10_000, 1], ids=["grouped", "running-sums"])
def test_a_transaction_that_has_written_reads_its_own_members_figures(figures_data, create_org, make_report,
                                                                      monkeypatch, long_range):
    # The members' figures are read ahead, on PostgreSQL on a connection of their own, only when
    # this transaction has written nothing: a report approved and not yet committed counts in the
    # transaction that approved it, and nowhere else.
    monkeypatch.setattr(sql, "LONG_RANGE", long_range)
    goal = figures_data.goals["EXPORT-RU"]
    rng = PeriodRange(parse_period("1403-Q1"), parse_period("1404-Q4"))
    before = sql.member_range_figures_soon(goal, rng)()
    town = create_org("municipality", code="IR-10-NEWTOWN", parent=figures_data.orgs["IR-10"], commit=False)
    db.session.flush()
    make_report(town, goal, "1404-Q2", status="approved", value=Decimal("1234"), commit=False)
    rebuild()  # the rollups, in the same transaction, as an approval keeps them
    after = sql.member_range_figures_soon(goal, rng)()
    assert after[town.id]["actual"] == 1234 and after[town.id]["reports"] == 1
    assert {k: v for k, v in after.items() if k != town.id} == before
    db.session.rollback()
    assert sql.member_range_figures_soon(goal, rng)() == before


def test_the_api_gives_member_periods_only_when_asked(client, bearer, figures_data):
    headers = bearer(figures_data.users["ministry"])
    url = "/api/v1/dashboard/goals/EXPORT-RU?period_from=1403&period_to=1404"
    lean = client.get(url, headers=headers)
    full = client.get(url + "&include=periods", headers=headers)
    assert lean.status_code == full.status_code == 200
    lean, full = lean.get_json(), full.get_json()
    assert lean["members"] and all("periods" not in m for m in lean["members"])
    assert all(len(m["periods"]) == 8 for m in full["members"])  # 1403-Q1 … 1404-Q4
    assert {k: v for k, v in full.items() if k != "members"} == {k: v for k, v in lean.items() if k != "members"}
    assert [{k: v for k, v in m.items() if k != "periods"} for m in full["members"]] == lean["members"]
    # Provinces as a whole and the network keep their series (the page's charts draw them).
    assert all(len(p["periods"]) == 8 for p in lean["provinces"])
    refused = client.get(url + "&include=everything", headers=headers)
    assert refused.status_code == 422
    assert "include" in json.dumps(refused.get_json())


def test_json_and_html_answers_are_compressed_when_the_client_accepts_it(client, login_as, bearer, figures_data):
    headers = bearer(figures_data.users["ministry"])
    url = "/api/v1/dashboard/goals/EXPORT-RU?period_from=1403&period_to=1404&include=periods"
    plain = client.get(url, headers=headers)
    packed = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain.data)
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert "Accept-Encoding" in packed.headers["Vary"]
    # Brotli when the client prefers nothing else; the compressed answer is cached and sent again as it is.
    brotli_answer = client.get(url, headers={**headers, "Accept-Encoding": "gzip, br"})
    assert brotli_answer.headers["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(brotli_answer.data)) == plain.get_json()
    assert client.get(url, headers={**headers, "Accept-Encoding": "gzip, br"}).data == brotli_answer.data
    assert client.get(url, headers={**headers, "Accept-Encoding": "br;q=0.5, gzip"}).headers["Content-Encoding"] == "gzip"
    overview = client.get("/api/v1/dashboard/overview?period_from=1404", headers={**headers, "Accept-Encoding": "br"})
    assert json.loads(brotli.decompress(overview.data)) == \
        client.get("/api/v1/dashboard/overview?period_from=1404", headers=headers).get_json()
    login_as(figures_data.users["ministry"])
    page = client.get("/dashboards/goals/EXPORT-RU?period_from=1403&period_to=1404&lang=en",
                      headers={"Accept-Encoding": "br, gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "br"
    assert page.mimetype == "text/html"
