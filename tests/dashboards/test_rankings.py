"""Rankings: one order for the overview and the goal page, by value or by share of the target;
units on the axis, values on the bars, names wrapped whole."""

from __future__ import annotations

import json
import re

import pytest

from wcc.dashboards.charts import RLM, short, wrap
from wcc.dashboards.tables import ranked

ROWS = [{"org": "A", "actual": 100.0, "percent_of_target": 50.0},
        {"org": "B", "actual": 40.0, "percent_of_target": 120.0},
        {"org": "C", "actual": None, "percent_of_target": None},
        {"org": "D", "actual": 70.0, "percent_of_target": None}]


def test_one_ranking_by_value_or_by_share():
    assert [r["org"] for r in ranked(ROWS, "value")] == ["A", "D", "B", "C"]
    assert [r["org"] for r in ranked(ROWS, None)] == ["A", "D", "B", "C"]
    assert [r["org"] for r in ranked(ROWS, "share")] == ["B", "A", "D", "C"]


PERSIAN = "هنرمندان صنایع دستی آموزش‌دیده در کارگاه‌های استانی و شهری شبکه"


def test_labels_are_wrapped_between_words_and_shortened_at_the_end_of_reading():
    lines = wrap(PERSIAN, 22, lines=5).split("<br>")
    assert " ".join(lines) == PERSIAN  # every word, whole, in order
    assert all(len(line) <= 22 for line in lines)
    cut = wrap(PERSIAN, 22, lines=2).split("<br>")
    assert len(cut) == 2 and cut[-1].endswith("…" + RLM)  # the ellipsis ends the reading order
    words = set(PERSIAN.split())
    assert all(w in words for w in " ".join(cut).replace("…" + RLM, "").split())  # no word cut
    assert short(PERSIAN, 28).endswith("…" + RLM) and short(PERSIAN, 28)[:-2] in PERSIAN
    assert short(PERSIAN, 28)[:-2].split()[-1] in words
    assert short("Export value to Russia in euros", 20) == "Export value to…"


def _figure(page: str, chart_id: str) -> dict:
    block = re.search(rf'data-chart="{chart_id}"[^>]*>(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


def _table_orgs(page: str, table_id: str) -> list[str]:
    body = page.split(f'id="table-{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row" class="fw-normal" data-sort="([^"]+)"', body)


@pytest.mark.parametrize("by", ["value", "share"])
def test_overview_and_goal_page_rank_alike_with_units_and_values(client, login_as, figures_data, by):
    login_as(figures_data.users["ministry"])
    query = f"period_from=1403&period_to=1404&lang=en&rank={by}"
    overview = client.get(f"/dashboards?goal=EXPORT-RU&{query}").get_data(as_text=True)
    goal = client.get(f"/dashboards/goals/EXPORT-RU?{query}").get_data(as_text=True)
    assert _table_orgs(overview, "ranking") == _table_orgs(goal, "provinces")
    figure = _figure(overview, "chart-ranking")
    bars = figure["data"][0]
    assert [bool(t) for t in bars["text"]] == [v is not None for v in bars["x"]]  # each bar carries its value
    assert any(bars["text"])
    title = figure["layout"]["xaxis"]["title"]["text"]
    assert title == ("Share of the target (%)" if by == "share" else "Approved, in euros (EUR)")
    key = "percent_of_target" if by == "share" else "actual"
    data = client.get("/api/v1/dashboard/goals/EXPORT-RU?period_from=1403&period_to=1404").get_json()
    expected = [p["org"] for p in ranked(data["provinces"], by)]
    names = {"IR-10": "Isfahan", "IR-07": "Fars"}
    assert _table_orgs(goal, "provinces") == [names[c] for c in expected]
    assert bars["x"] == [p[key] for p in ranked(data["provinces"], by)]
    # The switch: two links, the current one marked, each keeping the reader at the rankings.
    for page, anchor in ((overview, "#chosen"), (goal, "#rankings")):
        links = re.findall(r'<a class="btn btn-outline-primary( active)?"( aria-current="true")? href="([^"]+)">', page)
        current = [href for active, _a, href in links if active and "rank=" in href]
        assert len(current) == 1 and f"rank={by}" in current[0] and current[0].endswith(anchor)


def test_an_unknown_order_is_refused(client, login_as, figures_data):
    login_as(figures_data.users["ministry"])
    assert client.get("/dashboards?rank=best").status_code == 400
