"""Reporting compliance: what members owed for each period, and what they sent (approved on time,
late, awaiting approval) or did not."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from wcc.dashboards.models import AreaPeriod, MemberPeriod
from wcc.dashboards.sql import range_condition, reporting_members_stmt
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import (
    Frequency,
    Period,
    PeriodRange,
    due_date,
    goal_periods,
    period_containing,
)


def owed_goals(goals: list[Goal], period: Period, today: date) -> dict[str, list[Goal]]:
    """The goals a member of each kind owes a report on for ``period`` (none before it begins)."""
    out: dict[str, list[Goal]] = {OrgKind.PROVINCE.value: [], OrgKind.MUNICIPALITY.value: []}
    if period.first_day > today:
        return out
    for goal in goals:
        if goal.frequency != period.frequency or not goal.first.sort_key <= period.sort_key <= goal.last.sort_key:
            continue
        for kind in goal.reporting_kinds:
            out[kind].append(goal)
    return out


def expected_per_member(goals: list[Goal], period: Period, today: date) -> dict[str, int]:
    """How many reports a member of each kind owes for ``period``: {kind: count}."""
    return {kind: len(owed) for kind, owed in owed_goals(goals, period, today).items()}


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


#: A year opens the dashboards once at least this share of the reports owed for it is approved.
DEFAULT_YEAR_SHARE = 0.5


def year_coverage(today: date) -> dict[int, dict[str, int]]:
    """Per Solar Hijri year up to this one: the reports owed (as ``compliance`` counts them: each
    active member, for each goal its kind reports, for each period that has begun) and how many
    of them are approved. Two queries: members per kind, approved reports per period.
    {year: {"expected": n, "approved": n}}"""
    goals = list(db.session.scalars(select(Goal).where(Goal.active.is_(True))))
    this_year = period_containing(today, Frequency.YEARLY).year
    if not goals:
        return {}
    members = reporting_members_stmt().subquery()
    kinds = dict(db.session.execute(
        select(Organisation.kind, func.count()).join(members, members.c.id == Organisation.id)
        .group_by(Organisation.kind)).all())
    first_year = min(g.first.year for g in goals)
    years = PeriodRange(Period(first_year), Period(this_year))
    out = {year: {"expected": 0, "approved": 0} for year in years.years}
    for period in compliance_periods(goals, years, today):
        owed = expected_per_member(goals, period, today)
        out[period.year]["expected"] += sum(n * owed.get(kind, 0) for kind, n in kinds.items())
    network = select(Organisation.id).where(Organisation.kind == OrgKind.NETWORK).scalar_subquery()
    a = AreaPeriod
    # The network's rows hold every member's approved reports; (area_id, seq) is indexed.
    year = a.seq // 4
    stmt = (select(year.label("year"), func.sum(a.on_time + a.late).label("approved"))
            .where(a.area_id == network, range_condition(a.seq, a.goal_id, goals, years))
            .group_by(year))
    for r in db.session.execute(stmt):
        if int(r.year) in out:
            out[int(r.year)]["approved"] = int(r.approved or 0)
    return out


def default_year(coverage: dict[int, dict[str, int]], today: date) -> int:
    """The latest year in which at least half the reports owed are approved; else the latest year
    with any approved report; else this year."""
    years = sorted(coverage, reverse=True)
    for year in years:
        c = coverage[year]
        if c["expected"] and c["approved"] >= DEFAULT_YEAR_SHARE * c["expected"]:
            return year
    return next((y for y in years if coverage[y]["approved"]), period_containing(today, Frequency.YEARLY).year)


def default_range(today: date) -> dict:
    """The range dashboards open on (see ``default_year``), and, when this year is not it yet,
    how far this year's reporting has come: {"range", "current": {year, expected, approved} | None}."""
    coverage = year_coverage(today)
    year = default_year(coverage, today)
    this_year = period_containing(today, Frequency.YEARLY).year
    current = {"year": this_year, **coverage[this_year]} \
        if year < this_year and coverage.get(this_year, {}).get("expected") else None
    return {"range": PeriodRange(Period(year), Period(year)), "current": current}


def missing_reports(goals: list[Goal], periods: list[Period], today: date, directory: dict[int, dict],
                    members: list[int]) -> list[dict]:
    """"Who has not reported": every member that owes a report it has not sent for ``periods``
    (owed as ``compliance`` counts it; sent means approved or awaiting approval), with the goals,
    periods and due dates missing.

    The database lists, per member, the periods in which it sent every goal owed (one query per
    kind of member and set of goals owed, usually two; a row per member, the periods in one string);
    only the (member, period) cells that fall short are then read report by report. Memory follows
    what is missing, not the number of reports.

    [{"org", "kind", "province", "missing": [{"goal", "period", "due"}]}], by province, the
    province's own government first, then code."""
    from wcc.dashboards.rollups import REPORTED
    from wcc.reporting.models import ProgressReport

    periods = [p for p in periods if p.first_day <= today]
    owed = {p.key: owed_goals(goals, p, today) for p in periods}
    if not members or not any(owed_list for per_kind in owed.values() for owed_list in per_kind.values()):
        return []
    r = ProgressReport
    by_kind: dict[str, list[int]] = defaultdict(list)
    for org_id in members:
        by_kind[directory[org_id]["kind"]].append(org_id)
    # (kind, goals owed) → the periods that owe exactly those goals.
    groups: dict[tuple[str, tuple[int, ...]], list[str]] = defaultdict(list)
    for key, per_kind in owed.items():
        for kind, owed_list in per_kind.items():
            if owed_list and by_kind.get(kind):
                groups[(kind, tuple(sorted(g.id for g in owed_list)))].append(key)
    short: dict[tuple[int, str], None] = {}
    for (kind, goal_ids), keys in groups.items():
        whole = (select(r.org_id, r.period_key)
                 .where(REPORTED, r.org_id.in_(by_kind[kind]), r.goal_id.in_(goal_ids), r.period_key.in_(keys))
                 .group_by(r.org_id, r.period_key)
                 .having(func.count(func.distinct(r.goal_id)) >= len(goal_ids)).subquery())
        sent_in_full = {row.org_id: row for row in db.session.execute(
            select(whole.c.org_id, func.count().label("n"), func.aggregate_strings(whole.c.period_key, ",").label("keys"))
            .group_by(whole.c.org_id))}
        for org_id in by_kind[kind]:
            row = sent_in_full.get(org_id)
            if row is not None and row.n == len(keys):
                continue
            done = set(row.keys.split(",")) if row is not None else set()
            for key in keys:
                if key not in done:
                    short[(org_id, key)] = None
    if not short:
        return []
    short_orgs = sorted({org_id for org_id, _key in short})
    short_keys = sorted({key for _org, key in short})
    sent_goals: dict[tuple[int, str], set[int]] = defaultdict(set)
    for start in range(0, len(short_orgs), 500):
        for row in db.session.execute(
                select(r.org_id, r.goal_id, r.period_key)
                .where(REPORTED, r.org_id.in_(short_orgs[start:start + 500]), r.goal_id.in_([g.id for g in goals]),
                       r.period_key.in_(short_keys))):
            if (row.org_id, row.period_key) in short:
                sent_goals[(row.org_id, row.period_key)].add(row.goal_id)
    out = []
    for org_id in members:
        org = directory[org_id]
        missing = [{"goal": goal.code, "period": period.key, "due": due_date(period, goal.due_days)}
                   for period in periods if (org_id, period.key) in short
                   for goal in owed[period.key].get(org["kind"], [])
                   if goal.id not in sent_goals.get((org_id, period.key), ())]
        if missing:
            out.append({"org": org["code"], "kind": org["kind"], "province": org["province"], "missing": missing})
    out.sort(key=lambda row: (row["province"] or "", row["kind"] != OrgKind.PROVINCE, row["org"]))
    return out
