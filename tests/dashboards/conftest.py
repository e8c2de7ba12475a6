"""A small network with two years of reports in every state, and the figures a person would
compute from the raw report rows by hand (here: with plain Python loops over the rows)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.reporting.factories import bearer, make_goal, make_report  # noqa: F401
from wcc.extensions import db

TODAY = date(2026, 11, 26)  # 1405-09-05: every period of 1403 and 1404 is over

GOALS = [
    # code, aggregation, unit, frequency, reported by (province, municipality)
    ("EXPORT-RU", "sum", "EUR", "quarterly", (True, True)),
    ("POSTAL-ONTIME", "latest", "percent", "quarterly", (True, False)),
    ("SATISFACTION", "average", "percent", "quarterly", (True, True)),
    ("MARKET-STUDIES", "sum", "count", "yearly", (True, False)),
]
STATES = ["approved"] * 7 + ["submitted", "reviewed", "draft", "returned", "missing", "missing"]


@pytest.fixture
def figures_data(network, make_goal, make_report):
    """Goals of every aggregation, targets, and 1403–1404 reports in every state; rollups rebuilt."""
    from wcc.dashboards.rollups import rebuild
    from wcc.goals.models import Target
    from wcc.reporting.periods import Period

    goals = {}
    for code, aggregation, unit, frequency, (by_province, by_municipality) in GOALS:
        quarterly = frequency == "quarterly"
        goals[code] = make_goal(code, aggregation=aggregation, unit=unit, frequency=frequency,
                                title_en=f"Goal {code}", first_period="1403-Q1" if quarterly else "1403",
                                last_period="1405-Q4" if quarterly else "1405",
                                reported_by_province=by_province, reported_by_municipality=by_municipality)
    orgs = network.orgs
    members = [orgs[c] for c in ("IR-10", "IR-07", "IR-10-ISFAHAN", "IR-10-KASHAN", "IR-07-SHIRAZ")]
    rng = random.Random(1404)
    for goal in goals.values():
        for year in (1403, 1404, 1405):
            value = {"EUR": 400_000, "percent": 85, "count": 6}[goal.unit] * (1 + 0.1 * (year - 1403))
            db.session.add(Target(goal_id=goal.id, org_id=orgs["WCC"].id, period_key=str(year),
                                  value=Decimal(str(round(value, 2)))))
            for org in members:
                # Isfahan province sets no target of its own for added-up goals: its municipalities' count.
                if not goal.reported_by(org) or (org.code == "IR-10" and goal.is_additive):
                    continue
                share = {"EUR": 90_000, "percent": 88, "count": 2}[goal.unit]
                db.session.add(Target(goal_id=goal.id, org_id=org.id, period_key=str(year),
                                      value=Decimal(str(share + rng.randrange(0, 10)))))
    db.session.commit()
    for goal in goals.values():
        periods = [Period(y, q) for y in (1403, 1404) for q in (1, 2, 3, 4)] if goal.frequency == "quarterly" \
            else [Period(1403), Period(1404)]
        for org in members:
            if not goal.reported_by(org):
                continue
            for period in periods:
                state = rng.choice(STATES)
                if state == "missing":
                    continue
                if goal.unit == "percent":
                    value = Decimal(str(round(rng.uniform(60, 99), 1)))
                elif goal.unit == "EUR":
                    value = Decimal(rng.randrange(1_000, 40_000)) + Decimal("0.25")
                else:
                    value = Decimal(rng.randrange(0, 5))
                make_report(org, goal, period.key, status=state, value=value, is_late=rng.random() < 0.3)
    rebuild()
    db.session.commit()
    return SimpleNamespace(goals=goals, orgs=orgs, members=members, users=network.users)


# --- the figures computed by hand from the raw rows ---------------------------------------------

def raw_reports():
    from wcc.reporting.models import ProgressReport

    return list(db.session.scalars(select(ProgressReport)))


def in_range(report, first, last) -> bool:
    return report.period_start >= first.first_day and report.period_end <= last.last_day


def combine(goal, values: list[float]):
    if not values:
        return None
    if goal.aggregation == "sum":
        return sum(values)
    if goal.aggregation == "latest":
        return values[-1]
    return sum(values) / len(values)


def expected_member(goal, org, first, last, reports) -> tuple[float | None, int, dict[str, float]]:
    """(actual, approved report count, {period: value}) of one member, from the raw rows."""
    mine = sorted((r for r in reports if r.goal_id == goal.id and r.org_id == org.id and r.status == "approved"
                   and r.value is not None and in_range(r, first, last)), key=lambda r: r.period_start)
    return combine(goal, [float(r.value) for r in mine]), len(mine), {r.period_key: float(r.value) for r in mine}


def expected_area(goal, org_ids: set[int], first, last, reports) -> tuple[float | None, dict[str, float]]:
    """An area per period (sum, or mean across members) and over the range, from the raw rows."""
    per_period: dict[str, list] = {}
    starts = {}
    for r in reports:
        if r.goal_id == goal.id and r.org_id in org_ids and r.status == "approved" and r.value is not None \
                and in_range(r, first, last):
            per_period.setdefault(r.period_key, []).append(float(r.value))
            starts[r.period_key] = r.period_start
    values = {}
    for key, vals in per_period.items():
        values[key] = sum(vals) if goal.aggregation == "sum" else sum(vals) / len(vals)
    ordered = [values[k] for k in sorted(values, key=lambda k: starts[k])]
    return combine(goal, ordered), values


def expected_target(goal, yearly: dict[int, float], first, last):
    """Yearly targets over the range: pro-rated by days for added-up goals, the last year's otherwise."""
    from wcc.reporting.periods import Period

    start, end = first.first_day, last.last_day
    years = [y for y in range(first.year, last.year + 1) if goal.first.year <= y <= goal.last.year]
    if not years:
        return None
    if goal.aggregation != "sum":
        return yearly.get(years[-1])
    total = 0.0
    for y in years:
        whole = Period(y)
        lo, hi = max(start, whole.first_day), min(end, whole.last_day)
        if hi < lo:
            continue
        if y not in yearly:
            return None
        total += yearly[y] * ((hi - lo).days + 1) / ((whole.last_day - whole.first_day).days + 1)
    return total


def yearly_targets(goal, org_id) -> dict[int, float]:
    from wcc.goals.models import Target

    return {int(t.period_key): float(t.value) for t in db.session.scalars(
        select(Target).where(Target.goal_id == goal.id, Target.org_id == org_id))}
