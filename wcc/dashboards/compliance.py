"""Reporting compliance: what members owed for each period, and what they sent (approved on time,
late, awaiting approval) or did not."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from wcc.dashboards.models import AreaPeriod, MemberPeriod
from wcc.dashboards.sql import range_condition
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.orgs.models import OrgKind
from wcc.periods import (
    Period,
    PeriodRange,
    due_date,
    goal_periods,
)


def expected_per_member(goals: list[Goal], period: Period, today: date) -> dict[str, int]:
    """How many reports a member of each kind owes for ``period``: {kind: count}."""
    out = {OrgKind.PROVINCE.value: 0, OrgKind.MUNICIPALITY.value: 0}
    if period.first_day > today:
        return out
    for goal in goals:
        if goal.frequency != period.frequency or not goal.first.sort_key <= period.sort_key <= goal.last.sort_key:
            continue
        for kind in goal.reporting_kinds:
            out[kind] += 1
    return out


def compliance_periods(goals: list[Goal], rng: PeriodRange, today: date) -> list[Period]:
    """Periods of the range that some goal is reported for and that have begun, oldest first."""
    periods = {p for goal in goals for p in goal_periods(goal, rng) if p.first_day <= today}
    return sorted(periods, key=lambda p: p.sort_key)


def compliance(goals: list[Goal], rng: PeriodRange, today: date, directory: dict[int, dict],
               members: list[int], province_id: int | None = None) -> dict:
    """On time, late, awaiting approval and missing reports per province and period.

    On time and late count approved reports (late: first sent after the due
    date); awaiting approval counts reports sent but not yet approved; missing
    is what the active members owed for goals their kind reports, minus all of these.
    """
    periods = compliance_periods(goals, rng, today)
    expected = {p.key: expected_per_member(goals, p, today) for p in periods}
    kinds_per_province: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id in members:
        org = directory[org_id]
        area = org_id if org["kind"] == OrgKind.PROVINCE else org["parent_id"]
        kinds_per_province[area][org["kind"]] += 1
    provinces = sorted(kinds_per_province, key=lambda pid: directory[pid]["code"])
    if province_id is not None:
        provinces = [p for p in provinces if p == province_id]
    a = AreaPeriod
    stmt = (select(a.area_id, a.period_key, func.sum(a.on_time).label("on_time"), func.sum(a.late).label("late"),
                   func.sum(a.pending).label("pending"))
            .where(range_condition(a.seq, a.goal_id, goals, rng), a.area_id.in_(provinces))
            .group_by(a.area_id, a.period_key))
    counted = {(r.area_id, r.period_key): r for r in db.session.execute(stmt)} if provinces and periods else {}
    rows = []
    for pid in provinces:
        cells = []
        total = {name: 0 for name in ("expected", "on_time", "late", "pending", "missing")}
        for period in periods:
            owed = sum(n * expected[period.key][kind] for kind, n in kinds_per_province[pid].items())
            r = counted.get((pid, period.key))
            cell = {"period": period.key, "expected": owed, "on_time": int(r.on_time) if r else 0,
                    "late": int(r.late) if r else 0, "pending": int(r.pending) if r else 0}
            cell["missing"] = max(0, owed - cell["on_time"] - cell["late"] - cell["pending"])
            cells.append(cell)
            for name in ("expected", "on_time", "late", "pending", "missing"):
                total[name] += cell[name]
        rows.append({"org": directory[pid]["code"], "periods": cells, **total})
    return {"periods": [p.key for p in periods], "provinces": rows}


def default_compliance_period(goals: list[Goal], rng: PeriodRange, today: date) -> Period | None:
    """The latest period of the range whose reports are overdue, else the latest that has begun."""
    periods = compliance_periods(goals, rng, today)
    quarters = [p for p in periods if p.quarter] or periods
    overdue = [p for p in quarters if due_date(p, max((g.due_days for g in goals), default=30)) < today]
    return (overdue or quarters or [None])[-1]


def member_compliance(goals: list[Goal], period: Period, today: date, directory: dict[int, dict],
                      members: list[int]) -> list[dict]:
    """Every member that owes reports for ``period``: owed, approved (on time, late), awaiting, missing.

    Members are listed by province and code; the ones with something missing answer
    "who has not reported". One query over the member rollup.
    """
    expected = expected_per_member(goals, period, today)
    owing = [m for m in members if expected.get(directory[m]["kind"], 0)]
    if not owing:
        return []
    m = MemberPeriod
    stmt = select(m.org_id, m.on_time, m.late, m.pending).where(m.period_key == period.key, m.org_id.in_(owing))
    sent = {r.org_id: r for r in db.session.execute(stmt)}
    out = []
    for org_id in owing:
        org, r = directory[org_id], sent.get(org_id)
        owed = expected[org["kind"]]
        on_time, late, pending = (r.on_time, r.late, r.pending) if r else (0, 0, 0)
        out.append({"org": org["code"], "province": org["province"], "kind": org["kind"], "expected": owed,
                    "on_time": on_time, "late": late, "pending": pending,
                    "missing": max(0, owed - on_time - late - pending)})
    out.sort(key=lambda row: (row["province"] or "", row["kind"] != OrgKind.PROVINCE, row["org"]))
    return out
