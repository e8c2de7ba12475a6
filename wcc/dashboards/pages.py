"""Each dashboard's data, assembled from the SQL, targets, figures and compliance modules:
the overview, a goal, a province, a member, and a goal's public page.

Results are plain dicts and lists (codes, numbers as floats), ready for JSON,
for templates and for the cache.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from wcc.dashboards.cache import per_version
from wcc.dashboards.compliance import (
    compliance,
    compliance_periods,
    default_compliance_period,
    expected_per_member,
    member_compliance,
    missing_reports,
)
from wcc.dashboards.figures import (
    area_actual,
    area_figure,
    area_series,
    area_values,
    combine,
    figure,
    member_status,
    percent,
)
from wcc.dashboards.filters import Filters
from wcc.dashboards.models import MemberPeriod
from wcc.dashboards.sql import (
    NO_FIGURE,
    area_bases,
    area_period_rows,
    area_totals,
    by_area,
    member_figures,
    member_period_values,
    member_range_figures_soon,
    org_directory,
    reporting_members_stmt,
)
from wcc.dashboards.targets import TargetBook, period_target, range_target
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import (
    Period,
    PeriodRange,
    goal_periods,
    parse_period,
)
from wcc.reporting.progress import GoalRule, Judge, ProgressStatus
from wcc.reporting.queries import network_base


def goal_info(goal: Goal) -> dict:
    return {"code": goal.code, "title": {"fa": goal.title_fa, "en": goal.title_en, "ru": goal.title_ru},
            "theme": goal.theme, "unit": goal.unit, "aggregation": goal.aggregation, "direction": goal.direction,
            "frequency": goal.frequency, "public": bool(goal.public_dashboard)}


def dashboard_goals(filters: Filters | None = None, public_only: bool = False) -> list[Goal]:
    stmt = select(Goal).where(Goal.active.is_(True)).order_by(Goal.theme, Goal.code)
    if filters is not None and filters.theme:
        stmt = stmt.where(Goal.theme == filters.theme)
    if public_only:
        stmt = stmt.where(Goal.public_dashboard.is_(True))
    return list(db.session.scalars(stmt))


@dataclass
class Context:
    """What every dashboard needs first: today, the network, the organisations."""

    today: date
    network_id: int | None
    directory: dict[int, dict]

    @classmethod
    def load(cls, today: date) -> Context:
        directory = per_version("directory", org_directory)
        network = next((i for i, o in directory.items() if o["kind"] == OrgKind.NETWORK), None)
        return cls(today, network, directory)

    def provinces(self, province_id: int | None = None) -> list[int]:
        ids = [i for i, o in self.directory.items() if o["kind"] == OrgKind.PROVINCE and o["active"]]
        return [i for i in ids if i == province_id] if province_id is not None else ids

    def by_code(self, code: str | None, kind: str | None = None) -> int | None:
        for org_id, org in self.directory.items():
            if org["code"] == code and (kind is None or org["kind"] == kind):
                return org_id
        return None

    def code(self, org_id: int) -> str:
        return self.directory[org_id]["code"]


def reporting_members(province_id: int | None = None) -> list[int]:
    return list(db.session.scalars(reporting_members_stmt(province_id)))


def network_goal_figures(goals: list[Goal], ctx: Context, rng: PeriodRange, book: TargetBook,
                         grouped: dict | None = None) -> dict[int, dict]:
    """The network's figure per goal, with its per-period series. One query, none when ``grouped``
    (``by_area``) holds the network's period rows already."""
    if ctx.network_id is None:
        return {}
    if grouped is None:
        grouped = by_area(area_period_rows(goals, rng, [ctx.network_id]))
    # A recorded baseline is the network's base; without one, its first approved value.
    bases = area_bases([g for g in goals if network_base(g) is None], rng, [ctx.network_id])
    out = {}
    for goal in goals:
        series = area_series(goal, rng, grouped, ctx.network_id, book.yearly(goal, ctx.network_id))
        reports = sum(int(r.c) for r in grouped.get((goal.id, ctx.network_id), {}).values())
        fig = area_figure(Judge(goal, rng, ctx.today), goal, area_values(goal, rng, grouped, ctx.network_id),
                          book.over(goal, ctx.network_id, rng), reports,
                          network_base(goal) or bases.get((goal.id, ctx.network_id)))
        out[goal.id] = {**fig, "periods": series}
    return out


def goal_dashboard(goal: Goal, filters: Filters, today: date, *, member_periods: bool = True,
                   area_periods: bool = True) -> dict:
    """One goal: the network against its target, each province as a whole, every member.

    Members are ranked by their share of their target (then by actual). The
    ``periods`` of each member (``member_periods``) and of each province
    (``area_periods``) list every period of the range, with ``actual`` None
    where nothing is approved; the network's are always there.
    """
    rng = filters.range
    # The members' figures are the page's longest query: asked for first, read when needed.
    member_figures_soon = member_range_figures_soon(goal, rng)
    ctx = Context.load(today)
    province_id = ctx.by_code(filters.province, OrgKind.PROVINCE)
    members = reporting_members(province_id)
    book = TargetBook.load([goal], province_ids=ctx.provinces(), rng=rng)
    provinces = []
    province_ids = ctx.provinces(province_id)
    # The provinces' and the network's period rows in one query.
    area_ids = province_ids + ([ctx.network_id] if ctx.network_id is not None else [])
    grouped = by_area(area_period_rows([goal], rng, area_ids) if area_ids else [])
    network = network_goal_figures([goal], ctx, rng, book, grouped).get(goal.id)
    bases = area_bases([goal], rng, province_ids)
    rule = GoalRule.of(goal)
    judged = Judge(rule, rng, today)  # one for the provinces and the members
    for pid in province_ids:
        reports = sum(int(r.c) for r in grouped.get((goal.id, pid), {}).values())
        fig = area_figure(judged, goal, area_values(goal, rng, grouped, pid),
                          book.over(goal, pid, rng, as_area=True), reports, bases.get((goal.id, pid)))
        if fig["actual"] is not None or fig["target"] is not None:
            if area_periods:
                fig["periods"] = area_series(goal, rng, grouped, pid, book.yearly(goal, pid, as_area=True))
            provinces.append({"org": ctx.code(pid), **fig})
    provinces.sort(key=_ranking_key)
    figs = member_figures_soon() if members else {}
    values = member_period_values(goal, rng) if member_periods and members else {}
    periods = goal_periods(goal, rng)
    years = [y for y in rng.years if goal.first.year <= y <= goal.last.year]
    # Members share few distinct yearly targets: each is turned into range and period targets once.
    targets: dict[tuple, tuple[float | None, list]] = {}
    out_members = []
    kinds = goal.reporting_kinds
    for org_id in members:
        org = ctx.directory[org_id]
        if org["kind"] not in kinds:
            continue
        fig = figs.get(org_id) or NO_FIGURE
        yearly = book.yearly(goal, org_id)
        key = tuple(map(yearly.get, years))
        if key not in targets:
            targets[key] = (range_target(goal, yearly, rng),
                            [period_target(goal, yearly, p) for p in periods] if member_periods else [])
        target, period_targets = targets[key]
        status = member_status(judged, rule, fig, target)
        item = {"org": org["code"], "kind": org["kind"], "province": org["province"],
                **figure(goal, fig["actual"], target, fig["reports"], status)}
        if member_periods:
            own = values.get(org_id, {})
            item["periods"] = [{"period": p.key, "actual": own.get(p.key), "target": t}
                               for p, t in zip(periods, period_targets, strict=True)]
        out_members.append(item)
    out_members.sort(key=_ranking_key)
    return {"goal": goal.code, "info": goal_info(goal), "range": {"from": rng.first.key, "to": rng.last.key},
            "province_filter": filters.province if province_id is not None else None,
            "network": network or figure(goal, None, None, 0, ProgressStatus.NOT_ENOUGH_DATA.value),
            "provinces": provinces, "members": out_members, "orgs": org_names(ctx, [m["org"] for m in out_members]
                                                                          + [p["org"] for p in provinces])}


def _ranking_key(item: dict):
    pct, actual = item.get("percent_of_target"), item.get("actual")
    return (pct is None, -(pct or 0), actual is None, -(actual or 0), item["org"])


def org_names(ctx: Context, codes) -> dict[str, dict]:
    wanted = set(codes)
    return {o["code"]: {"name": o["name"], "kind": o["kind"], "province": o["province"]}
            for o in ctx.directory.values() if o["code"] in wanted}


def default_goal(goals: list[Goal], code: str | None) -> Goal | None:
    """The chosen goal, else the first goal counted in euros and added up (export value), else the first."""
    by_code = {g.code: g for g in goals}
    if code and code in by_code:
        return by_code[code]
    return next((g for g in goals if g.unit == "EUR" and g.is_additive), goals[0] if goals else None)


def overview(filters: Filters, today: date, *, initiatives=None) -> dict:
    """The network overview: tiles, goals with status, provinces × goals, ranking, trend,
    compliance and the map. ``initiatives`` adds the initiative figures when given."""
    rng = filters.range
    ctx = Context.load(today)
    goals = dashboard_goals(filters)
    all_goals = goals if not filters.theme else dashboard_goals()
    province_id = ctx.by_code(filters.province, OrgKind.PROVINCE)
    province_ids = ctx.provinces()
    org_ids = province_ids + ([ctx.network_id] if ctx.network_id else [])
    book = TargetBook.load(all_goals, org_ids=org_ids, province_ids=province_ids, rng=rng)
    network = network_goal_figures(goals, ctx, rng, book)
    goal_rows = [{"code": g.code, **{k: v for k, v in network.get(g.id, {}).items() if k != "periods"}}
                 for g in goals]
    totals = area_totals(goals, rng, province_ids) if province_ids and goals else {}
    heat = []
    for pid in province_ids:
        row = []
        for goal in goals:
            actual = area_actual(goal, totals.get((goal.id, pid)))
            row.append(percent(actual, book.over(goal, pid, rng, as_area=True)))
        if any(v is not None for v in row):
            heat.append({"org": ctx.code(pid), "percent": row})
    chosen = default_goal(goals, filters.goal)
    ranking, trend, choropleth = [], [], []
    if chosen is not None:
        for pid in province_ids:
            actual = area_actual(chosen, totals.get((chosen.id, pid)))
            target = book.over(chosen, pid, rng, as_area=True)
            ranking.append({"org": ctx.code(pid), "actual": actual, "target": target,
                            "percent_of_target": percent(actual, target)})
        ranking.sort(key=lambda r: (r["actual"] is None, -(r["actual"] or 0), r["org"]))
        ranking = [r for r in ranking if r["actual"] is not None or r["target"] is not None]
        trend = network.get(chosen.id, {}).get("periods", [])
        choropleth = [{"org": r["org"], "percent_of_target": r["percent_of_target"], "actual": r["actual"]}
                      for r in ranking]
    scope = reporting_members(province_id)
    comp = compliance(all_goals, rng, today, ctx.directory, scope, province_id)
    period = _compliance_period(filters, all_goals, rng, today)
    missing = member_compliance(all_goals, period, today, ctx.directory, scope) if period else []
    markers = [{"org": ctx.code(m), "lat": ctx.directory[m]["lat"], "lon": ctx.directory[m]["lon"],
                "initiatives": (initiatives or {}).get("per_org", {}).get(ctx.code(m), 0)}
               for m in scope if ctx.directory[m]["lat"] is not None and ctx.directory[m]["lon"] is not None]
    assessed = [g for g in goal_rows if g.get("track") not in (None, "no_data")]
    tiles = {
        "members_reporting": {"period": period.key if period else None,
                              "count": sum(1 for r in missing if r["on_time"] + r["late"] > 0),
                              "of": len(missing)},
        "export_eur": {"year": rng.last.year, "value": _export_eur(all_goals, ctx, rng.last.year)},
        "goals_on_track": {"on_track": sum(1 for g in assessed if g["track"] == "on_track"),
                           "assessed": len(assessed), "goals": len(goal_rows),
                           "share": (100.0 * sum(1 for g in assessed if g["track"] == "on_track") / len(assessed))
                           if assessed else None},
        "active_initiatives": (initiatives or {}).get("active"),
    }
    return {"range": {"from": rng.first.key, "to": rng.last.key}, "tiles": tiles, "goals": goal_rows,
            "goal_info": {g.code: goal_info(g) for g in goals},
            "heatmap": {"goals": [g.code for g in goals], "provinces": heat},
            "chosen_goal": chosen.code if chosen else None, "ranking": ranking, "trend": trend,
            "compliance": comp, "compliance_period": period.key if period else None,
            "missing": missing, "map": {"provinces": choropleth, "members": markers},
            "initiatives": initiatives, "orgs": org_names(ctx, [ctx.code(i) for i in province_ids] +
                                                      [r["org"] for r in missing] + [m["org"] for m in markers])}


def _compliance_period(filters: Filters, goals: list[Goal], rng: PeriodRange, today: date) -> Period | None:
    if filters.period:
        try:
            return parse_period(filters.period)
        except ValueError:
            pass
    return default_compliance_period(goals, rng, today)


def _export_eur(goals: list[Goal], ctx: Context, year: int) -> float | None:
    """The network's approved export value in euros in ``year``: every additive EUR goal added up."""
    eur = [g for g in goals if g.unit == "EUR" and g.is_additive]
    if not eur or ctx.network_id is None:
        return None
    rows = area_period_rows(eur, PeriodRange(Period(year), Period(year)), [ctx.network_id])
    return sum(float(r.s) for r in rows) if rows else None


def kind_averages(goals: list[Goal], ctx: Context, rng: PeriodRange, members: list[int]) -> dict[tuple[int, str | None], float | None]:
    """The average member's figure per goal, by kind of member and for all kinds (None):
    additive goals divide the total by the number of members of that kind expected to report
    (so members that reported nothing count as zero); level goals average the reported values."""
    counts: dict[str, int] = defaultdict(int)
    for m in members:
        counts[ctx.directory[m]["kind"]] += 1
    rows = area_period_rows(goals, rng, [ctx.network_id], by_kind=True) if ctx.network_id else []
    out: dict[tuple[int, str | None], float | None] = {}
    for goal in goals:
        mine = [r for r in rows if r.goal_id == goal.id]
        for kind in (*goal.reporting_kinds, None):
            selected = [r for r in mine if kind is None or r.kind == kind]
            n = counts[kind] if kind else sum(counts[k] for k in goal.reporting_kinds)
            if goal.is_additive:
                out[(goal.id, kind)] = sum(float(r.s) for r in selected) / n if n and selected else None
                continue
            per_seq: dict[int, list] = defaultdict(lambda: [0.0, 0])
            for r in selected:
                per_seq[r.seq][0] += float(r.s)
                per_seq[r.seq][1] += int(r.c)
            values = [s / c for _seq, (s, c) in sorted(per_seq.items()) if c]
            out[(goal.id, kind)] = combine(goal, values)
    return out


def province_dashboard(province: Organisation, filters: Filters, today: date, *, initiatives=None) -> dict:
    """A province: as a whole against the provinces' average and its target, each of its
    members × goals, and its members' reporting compliance."""
    rng = filters.range
    ctx = Context.load(today)
    goals = dashboard_goals(filters)
    all_goals = goals if not filters.theme else dashboard_goals()
    province_ids = ctx.provinces()
    members = reporting_members(province.id)
    # Its members' own targets, the network's, and the province's as a whole (the peers are compared
    # by their actuals only).
    book = TargetBook.load(goals, org_ids=members + ([ctx.network_id] if ctx.network_id else []),
                           province_ids=[province.id], rng=rng)
    totals = area_totals(goals, rng, province_ids) if province_ids and goals else {}
    grouped = by_area(area_period_rows(goals, rng, [province.id]) if goals else [])
    network = network_goal_figures(goals, ctx, rng, book)
    bases = area_bases(goals, rng, [province.id])
    goal_rows = []
    for goal in goals:
        fig = area_figure(Judge(goal, rng, today), goal, area_values(goal, rng, grouped, province.id),
                          book.over(goal, province.id, rng, as_area=True),
                          sum(int(r.c) for r in grouped.get((goal.id, province.id), {}).values()),
                          bases.get((goal.id, province.id)))
        peers = [area_actual(goal, totals.get((goal.id, pid))) for pid in province_ids]
        peers = [p for p in peers if p is not None]
        average = sum(peers) / len(peers) if peers else None
        goal_rows.append({"code": goal.code, **fig, "peers_average": average,
                          "index_vs_peers": percent(fig["actual"], average),
                          "network_actual": network.get(goal.id, {}).get("actual")})
    figs = member_figures(goals, rng, select(Organisation.id).where(Organisation.id.in_(members))) \
        if members and goals else {}
    member_ids = sorted(members, key=lambda m: (ctx.directory[m]["kind"] != OrgKind.PROVINCE, ctx.code(m)))
    heat = [{"org": ctx.code(m), "percent": [
        percent(figs[(g.id, m)]["actual"], book.over(g, m, rng)) if (g.id, m) in figs else None for g in goals]}
        for m in member_ids]
    comp = compliance(all_goals, rng, today, ctx.directory, members, province.id)
    period = _compliance_period(filters, all_goals, rng, today)
    return {"org": province.code, "range": {"from": rng.first.key, "to": rng.last.key}, "goals": goal_rows,
            "goal_info": {g.code: goal_info(g) for g in goals},
            "heatmap": {"goals": [g.code for g in goals], "members": heat},
            "compliance": comp, "compliance_period": period.key if period else None,
            "members_compliance": member_compliance(all_goals, period, today, ctx.directory, member_ids)
            if period else [],
            "initiatives": initiatives,
            "orgs": org_names(ctx, [ctx.code(m) for m in member_ids] + [province.code])}


def member_dashboard(org: Organisation, filters: Filters, today: date, *, initiatives=None) -> dict:
    """One member: its figures per goal against its target, the average member of its kind
    (its peers) and the average member of the network; its reporting per period."""
    rng = filters.range
    ctx = Context.load(today)
    goals = [g for g in dashboard_goals(filters) if g.reported_by(org)]
    all_goals = dashboard_goals()
    members = reporting_members()
    book = TargetBook.load(goals, org_ids=[org.id], rng=rng)
    figs = member_figures(goals, rng, select(Organisation.id).where(Organisation.id == org.id)) if goals else {}
    averages = kind_averages(goals, ctx, rng, members) if goals else {}
    goal_rows = []
    for goal in goals:
        fig = figs.get((goal.id, org.id)) or NO_FIGURE
        target = book.over(goal, org.id, rng)
        status = member_status(Judge(goal, rng, today), goal, fig, target)
        actual = fig["actual"]
        peers, everyone = averages.get((goal.id, org.kind)), averages.get((goal.id, None))
        goal_rows.append({"code": goal.code, **figure(goal, actual, target, fig["reports"], status),
                          "peers_average": peers, "network_average": everyone,
                          "index_vs_peers": percent(actual, peers), "index_vs_network": percent(actual, everyone)})
    periods = compliance_periods(all_goals, rng, today)
    m = MemberPeriod
    sent = {r.period_key: r for r in db.session.execute(
        select(m.period_key, m.on_time, m.late, m.pending).where(
            m.org_id == org.id, m.period_key.in_([p.key for p in periods])))} if periods else {}
    comp = []
    for period in periods:
        owed = expected_per_member(all_goals, period, today).get(org.kind, 0)
        r = sent.get(period.key)
        on_time, late, pending = (r.on_time, r.late, r.pending) if r else (0, 0, 0)
        if owed or r:
            comp.append({"period": period.key, "expected": owed, "on_time": on_time, "late": late,
                         "pending": pending, "missing": max(0, owed - on_time - late - pending)})
    return {"org": org.code, "kind": org.kind, "range": {"from": rng.first.key, "to": rng.last.key},
            "goals": goal_rows, "goal_info": {g.code: goal_info(g) for g in goals}, "compliance": comp,
            "initiatives": initiatives, "orgs": org_names(ctx, [org.code])}


def public_goal_dashboard(goal: Goal, filters: Filters, today: date) -> dict:
    """A goal for the public: the network and the provinces as a whole; approved figures only,
    no members' own figures and no people."""
    data = goal_dashboard(goal, Filters(filters.range), today, member_periods=False, area_periods=False)
    return {key: data[key] for key in ("goal", "info", "range", "network", "provinces")} | {
        "orgs": {code: v for code, v in data["orgs"].items() if v["kind"] == OrgKind.PROVINCE}}


def missing_dashboard(filters: Filters, today: date, scope) -> dict:
    """"Who has not reported" over the range: each member (within ``scope``, an SQL condition on
    the organisation's id) with the goals, periods and due dates it still owes a report on;
    optionally one province and one goal. A fixed number of queries."""
    rng = filters.range
    ctx = Context.load(today)
    goals = [g for g in dashboard_goals() if not filters.goal or g.code == filters.goal]
    province_id = ctx.by_code(filters.province, OrgKind.PROVINCE)
    members = list(db.session.scalars(reporting_members_stmt(province_id).where(scope))) \
        if province_id is not None or not filters.province else []
    periods = compliance_periods(goals, rng, today)
    rows = missing_reports(goals, periods, today, ctx.directory, members)
    return {"range": {"from": rng.first.key, "to": rng.last.key}, "periods": [p.key for p in periods],
            "rows": rows, "members": len(members), "reports": sum(len(r["missing"]) for r in rows),
            "goal_info": {g.code: goal_info(g) for g in goals},
            "orgs": org_names(ctx, [r["org"] for r in rows] + [r["province"] for r in rows if r["province"]])}


def public_landing(rng: PeriodRange, today: date, goal_code: str | None = None) -> dict:
    """The public landing page: the network's figure for each goal an admin opened to the public,
    and for one of them (``goal_code``, else the first) each province as a whole, for the map.
    Approved figures only; no member's own figures, no names of people."""
    goals = dashboard_goals(public_only=True)
    ctx = Context.load(today)
    out = {"range": {"from": rng.first.key, "to": rng.last.key}, "goals": [], "goal_info": {},
           "chosen_goal": None, "map": {"provinces": [], "members": []}, "orgs": {}}
    if not goals:
        return out
    province_ids = ctx.provinces()
    book = TargetBook.load(goals, org_ids=province_ids + ([ctx.network_id] if ctx.network_id else []),
                           province_ids=province_ids, rng=rng)
    network = network_goal_figures(goals, ctx, rng, book)
    chosen = default_goal(goals, goal_code)
    totals = area_totals([chosen], rng, province_ids) if province_ids else {}
    provinces = []
    for pid in province_ids:
        actual = area_actual(chosen, totals.get((chosen.id, pid)))
        target = book.over(chosen, pid, rng, as_area=True)
        if actual is not None or target is not None:
            provinces.append({"org": ctx.code(pid), "actual": actual, "target": target,
                              "percent_of_target": percent(actual, target)})
    out.update({"goals": [{"code": g.code, **{k: v for k, v in network.get(g.id, {}).items() if k != "periods"}}
                          for g in goals],
                "goal_info": {g.code: goal_info(g) for g in goals}, "chosen_goal": chosen.code,
                "map": {"provinces": provinces, "members": []},
                "orgs": org_names(ctx, [ctx.code(pid) for pid in province_ids])})
    return out
