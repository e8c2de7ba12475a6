"""Dashboard pages and their CSV files: the overview, a goal, a province, a member, a public goal.

Each page reads its data through one cached loader (``data``);
its charts, tables and CSV files are built from the same ``tables``, so the
three always show the same numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select

from wcc.dashboards import charts, tables
from wcc.dashboards.cache import per_version
from wcc.dashboards.data import (
    current_filters,
    goal_data,
    member_data,
    overview_data,
    province_data,
    public_data,
    public_landing_data,
)
from wcc.dashboards.exports import csv_response, xlsx_response
from wcc.dashboards.filters import Filters
from wcc.dashboards.pages import Context, dashboard_goals, missing_dashboard
from wcc.extensions import db
from wcc.goals.forms import THEME_LABELS
from wcc.goals.models import Goal
from wcc.goals.queries import get_goal
from wcc.i18n import current_language
from wcc.i18n.formatting import format_percent
from wcc.orgs.models import Organisation, OrgKind
from wcc.orgs.queries import get_by_code
from wcc.permissions import can, require
from wcc.permissions.helpers import org_scope
from wcc.templating import asset_url, user_text

bp = Blueprint("dashboards", __name__)


def _goal_or_404(code: str) -> Goal:
    goal = get_goal(code)
    if goal is None or not goal.active:
        abort(404)
    return goal


def _org_or_404(code: str, kinds=(OrgKind.PROVINCE, OrgKind.MUNICIPALITY)):
    org = get_by_code(code[:40])
    if org is None or org.kind not in kinds or not org.active:
        abort(404)
    return org


# --- what a page shows -------------------------------------------------------------------

def chart(table_id: str, figure: dict, filename: str) -> dict:
    return {"id": f"chart-{table_id}", "figure": figure, "filename": filename}


def overview_tables(data: dict, rank: str | None = None) -> dict[str, tables.Table]:
    info = data["goal_info"].get(data["chosen_goal"] or "", {})
    out = {
        "goals": tables.goals_table(data),
        "heatmap": tables.heatmap_table(data, "provinces", _("Provinces × goals: share of the target")),
        "ranking": tables.ranking_table(data, rank),
        "trend": tables.trend_table(data["trend"], info.get("unit"), _("The network per period"),
                                    data["goal_info"]),
        "compliance": tables.compliance_table(data),
        "compliance_periods": tables.compliance_periods_table(data),
        "missing": tables.missing_table(data["missing"], data["orgs"], data["compliance_period"],
                                       only_missing=True),
    }
    out.update(initiative_tables(data.get("initiatives")))
    return out


def initiative_tables(figures: dict | None) -> dict[str, tables.Table]:
    if not figures:
        return {}
    return {
        "by_category": tables.counts_table("by-category", _("Initiatives by category"), _("Category"),
                                           figures["by_category"]),
        "by_craft": tables.counts_table("by-craft", _("Initiatives by craft"), _("Craft"), figures["by_craft"]),
    }


def overview_charts(data: dict, t: dict[str, tables.Table], rank: str | None = None) -> dict[str, dict]:
    out = {
        "heatmap": chart("heatmap", charts.heatmap(t["heatmap"]), "heatmap"),
        "ranking": chart("ranking", charts.ranking(t["ranking"], rank), "ranking"),
        "trend": chart("trend", charts.trend(t["trend"]), "trend"),
        "compliance": chart("compliance", charts.compliance(t["compliance"]), "compliance"),
        "map": chart("map", charts.province_map(data["map"]["provinces"], data["map"]["members"], data["orgs"],
                                                asset_url("geo/iran-provinces-light.geojson"), _("initiatives")), "map"),
    }
    if any(p.get("cumulative_actual") is not None for p in data["trend"]):
        out["cumulative"] = chart("cumulative", charts.trend(t["trend"], cumulative=True), "cumulative")
    for key in ("by_category", "by_craft"):
        if key in t:
            out[key] = chart(key, charts.horizontal_bars(t[key], "count", "item"), key)
    return out


def goal_tables(data: dict, rank: str | None = None) -> dict[str, tables.Table]:
    # A page shows two tables of every member: ranked alike unless by share, so ranked once then.
    by_value = tables.ranked(data["members"], None)
    by_rank = by_value if tables.rank_key(rank) == tables.rank_key(None) else tables.ranked(data["members"], rank)
    return {"trend": tables.trend_table(data["network"].get("periods", []), data["info"]["unit"],
                                        _("The network per period"), {data["goal"]: data["info"]}),
            "provinces": tables.provinces_table(data, rank),
            "members": tables.members_table(data, by_rank, everyone=bool(data.get("province_filter"))),
            "members_all": tables.members_table(data, by_value, everyone=True),
            "spread": tables.spread_table(data)}


def public_tables(data: dict, rank: str | None = None) -> dict[str, tables.Table]:
    """The goal's tables without the member-by-member one: the public sees the network and provinces."""
    out = goal_tables({**data, "members": []}, rank)
    for key in ("members", "members_all", "spread"):
        out.pop(key)
    return out


def goal_charts(t: dict[str, tables.Table], with_members: bool = True, rank: str | None = None) -> dict[str, dict]:
    out = {"trend": chart("trend", charts.trend(t["trend"]), "trend"),
           "provinces": chart("provinces", charts.ranking(t["provinces"], rank), "provinces")}
    if any(r.get("cumulative_actual") is not None for r in t["trend"].rows):
        out["cumulative"] = chart("cumulative", charts.trend(t["trend"], cumulative=True), "cumulative")
    if with_members:
        out["members"] = chart("members", charts.ranking(t["members"], rank, limit=60), "members")
        out["spread"] = chart("spread", charts.spread(t["members_all"]), "spread")
    return out


def comparison_chart(table: tables.Table, peers_label: str, with_network: bool) -> dict:
    series = [("index_vs_peers", peers_label, charts.COLOURS["actual"])]
    if with_network:
        series.append(("index_vs_network", _("Average member of the network"), charts.COLOURS["network"]))
    return chart("comparison", charts.horizontal_bars(table, "index_vs_peers", "code", percent=True, reference=100,
                                                      series=series), "comparison")


def province_tables(data: dict) -> dict[str, tables.Table]:
    out = {"comparison": tables.comparison_table(data, _("Average province"), with_network=False),
           "heatmap": tables.heatmap_table(data, "members", _("Members × goals: share of the target")),
           "compliance": tables.compliance_periods_table(data) if data["compliance"]["provinces"] else None,
           "members_compliance": tables.missing_table(data["members_compliance"], data["orgs"],
                                                      data["compliance_period"])}
    out.update(initiative_tables(data.get("initiatives")))
    return {k: v for k, v in out.items() if v is not None}


def member_tables(data: dict) -> dict[str, tables.Table]:
    out = {"comparison": tables.comparison_table(data, _("Average member of the same kind"), with_network=True),
           "compliance": tables.member_compliance_table(data["compliance"])}
    out.update(initiative_tables(data.get("initiatives")))
    return out


# --- pages -------------------------------------------------------------------------------

def _page_context(filters: Filters, options: dict | None = None, **extra) -> dict:
    return {"filters": filters, "filter_options": filter_options() if options is None else options,
            "lang": current_language(), "track_styles": tables.TRACK_STYLES, "track_labels": tables.TRACK_LABELS,
            "rank_labels": tables.RANK_LABELS, **extra}


class FilterOptions(dict):
    """The filter form's choices. The initiative filters' categories and crafts are read only when
    a form shows them (the goal pages' forms do not)."""

    def __missing__(self, key: str):
        from wcc.initiatives.queries import categories, crafts

        readers = {"categories": categories, "crafts": crafts}
        if key not in readers:
            raise KeyError(key)
        value = self[key] = readers[key]()
        return value


def filter_options() -> FilterOptions:
    """Choices for the filter form: years and quarters the goals run over, provinces (from the
    organisations' directory every dashboard reads), themes, goals, categories and crafts."""
    from wcc.periods import clock

    lang = current_language()
    periods, goals = per_version("filter-choices", _period_and_goal_choices)
    ctx = Context.load(clock.today())
    provinces = sorted(({"code": ctx.directory[i]["code"], "name": ctx.directory[i]["name"]} for i in ctx.provinces()),
                       key=lambda o: o["name"].get(lang) or o["code"])
    return FilterOptions(periods=periods, provinces=provinces, themes=THEME_LABELS, goals=goals)


@dataclass(frozen=True)
class GoalChoice:
    """A goal as the filter forms offer it, kept between requests (``per_version``) without its row."""

    code: str
    title_fa: str
    title_en: str | None
    title_ru: str | None

    title = Goal.title  # the goal's own rule for its title in a language


def _period_and_goal_choices() -> tuple[list, list[GoalChoice]]:
    """The years and quarters the active goals run over, and the goals: goal changes move them."""
    from wcc.periods import Period, PeriodRange

    goals = dashboard_goals()
    first = min((g.first.year for g in goals), default=1403)
    last = max((g.last.year for g in goals), default=1405)
    periods = []
    for period in PeriodRange(Period(first), Period(last)).periods("yearly"):
        periods.append(period)
        periods.extend(period.quarters())
    return periods, [GoalChoice(g.code, g.title_fa, g.title_en, g.title_ru) for g in goals]


@bp.get("/dashboards")
@login_required
def overview():
    require(current_user, "dashboard.overview")
    filters = current_filters()
    data = overview_data(filters)
    t = overview_tables(data, filters.rank)
    return render_template("dashboards/overview.html", data=data, tables=t, charts=overview_charts(data, t, filters.rank),
                           **_page_context(filters))


@bp.get("/dashboards/goals/<code>")
@login_required
def goal(code: str):
    goal = _goal_or_404(code)
    require(current_user, "dashboard.goal", goal)
    filters = current_filters()
    data = goal_data(goal, filters, member_periods=False, area_periods=False)
    t = goal_tables(data, filters.rank)
    return render_template("dashboards/goal.html", goal=goal, data=data, tables=t,
                           charts=goal_charts(t, rank=filters.rank),
                           openable=openable_members(data), **_page_context(filters))


def openable_members(data: dict) -> set[str] | None:
    """Codes of the members whose page the user may open (None: all of them)."""
    if can(current_user, "dashboard.every_member"):
        return None
    visible = set(db.session.scalars(select(Organisation.code).where(org_scope(current_user, Organisation.id))))
    return {code for code in data["orgs"] if code in visible}


@bp.get("/dashboards/provinces/<code>")
@login_required
def province(code: str):
    org = _org_or_404(code, (OrgKind.PROVINCE,))
    require(current_user, "dashboard.province", org, hide=True)
    filters = current_filters()
    data = province_data(org, filters)
    t = province_tables(data)
    c = {"comparison": comparison_chart(t["comparison"], _("Average province"), False),
         "heatmap": chart("heatmap", charts.heatmap(t["heatmap"]), "heatmap"),
         "members_compliance": chart("members-compliance", charts.compliance(t["members_compliance"]),
                                     "compliance")}
    return render_template("dashboards/province.html", org=org, data=data, tables=t, charts=c,
                           **_page_context(filters))


@bp.get("/dashboards/members/<code>")
@login_required
def member(code: str):
    org = _org_or_404(code)
    require(current_user, "dashboard.member", org, hide=True)
    filters = current_filters()
    data = member_data(org, filters)
    t = member_tables(data)
    c = {"comparison": comparison_chart(t["comparison"], _("Average member of the same kind"), True)}
    return render_template("dashboards/member.html", org=org, data=data, tables=t, charts=c,
                           **_page_context(filters))


@bp.get("/public/goals/<code>")
def public_goal(code: str):
    goal = get_goal(code)
    if goal is None:
        abort(404)
    require(current_user, "dashboard.public_goal", goal, hide=True)
    filters = current_filters()
    data = public_data(goal, filters)
    t = public_tables(data, filters.rank)
    return render_template("dashboards/public_goal.html", goal=goal, data=data, tables=t,
                           charts=goal_charts(t, with_members=False, rank=filters.rank), **_page_context(filters))


def missing_filters() -> Filters:
    """The filters of "who has not reported": without a chosen range, the period named by
    ``period``, else the latest overdue period of the default range (as on the overview)."""
    from dataclasses import replace

    from wcc.dashboards.compliance import default_compliance_period
    from wcc.periods import PeriodRange, clock, parse_period

    filters = current_filters()
    if request.args.get("period_from") or request.args.get("period_to"):
        return replace(filters, period=None)
    period = parse_period(filters.period) if filters.period else \
        default_compliance_period(dashboard_goals(), filters.range, clock.today())
    return replace(filters, range=PeriodRange(period, period), period=None) if period else filters


def _missing_data(filters: Filters) -> dict:
    from wcc.periods import clock

    return missing_dashboard(filters, clock.today(), org_scope(current_user, Organisation.id))


def missing_rows(data: dict) -> tuple[list[str], list[list]]:
    """One line per report missing, for CSV and XLSX: codes beside names, the due date as a date."""
    from wcc.orgs.forms import KIND_LABELS
    from wcc.periods import format_period

    lang = current_language()
    headers = [_("Member: code"), _("Member"), _("Kind"), _("Province: code"), _("Province"), _("Goal: code"),
               _("Goal"), _("Period"), _("Due date")]
    rows = []
    for row in data["rows"]:
        for item in row["missing"]:
            rows.append([row["org"], tables.org_name(data["orgs"], row["org"], lang), str(KIND_LABELS[row["kind"]]),
                         row["province"] or "", tables.org_name(data["orgs"], row["province"], lang)
                         if row["province"] else "", item["goal"],
                         tables.goal_title(data["goal_info"], item["goal"], lang),
                         format_period(item["period"], lang, dates=False), item["due"]])
    return headers, rows


@bp.get("/dashboards/missing")
@login_required
def missing():
    require(current_user, "dashboard.missing")
    filters = missing_filters()
    if not can(current_user, "dashboard.every_member"):
        filters = replace_province(filters, current_user.org.code)
    from wcc.orgs.forms import KIND_LABELS

    data = _missing_data(filters)
    options = filter_options()
    if not can(current_user, "dashboard.every_member"):
        options["provinces"] = [o for o in options["provinces"] if o["code"] == current_user.org.code]
    from wcc.periods import clock

    return render_template("dashboards/missing.html", data=data, kind_labels=KIND_LABELS, today=clock.today(),
                           **_page_context(filters, options))


def replace_province(filters: Filters, code: str) -> Filters:
    from dataclasses import replace

    return replace(filters, province=code)


@bp.get("/dashboards/missing.<any(csv, xlsx):fmt>")
@login_required
def missing_export(fmt: str):
    require(current_user, "dashboard.missing")
    filters = missing_filters()
    if not can(current_user, "dashboard.every_member"):
        filters = replace_province(filters, current_user.org.code)
    headers, rows = missing_rows(_missing_data(filters))
    name = f"missing-{filters.range.first.key}-{filters.range.last.key}"
    if fmt == "csv":
        return csv_response(headers, rows, name)
    return xlsx_response(headers, rows, name, _("Reports missing"))


@bp.get("/public")
def public_landing():
    """What the network shows everyone: its public goals with their figures, a map, how to sign in."""
    filters = current_filters()
    data = public_landing_data(filters)
    t = {"goals": tables.goals_table({**data, "goals": data["goals"]})}
    t["goals"].columns = [c for c in t["goals"].columns if c.key not in ("reports",)]
    map_chart = None
    if data["chosen_goal"]:
        t["map"] = tables.ranking_table({**data, "ranking": data["map"]["provinces"]}, "share")
        map_chart = chart("map", charts.province_map(data["map"]["provinces"], [], data["orgs"],
                                                     asset_url("geo/iran-provinces-light.geojson"),
                                                     _("initiatives")), "map")
    return render_template("dashboards/public_landing.html", data=data, tables=t, map_chart=map_chart,
                           **_page_context(filters))


@bp.get("/robots.txt")
def robots_txt():
    """Search engines may read the public pages, nothing else."""
    return Response("User-agent: *\nAllow: /public\nDisallow: /\n", mimetype="text/plain")


@bp.after_app_request
def robots_header(response):
    """Every answer outside the public pages asks search engines not to index or follow it."""
    if not (request.path == "/public" or request.path.startswith("/public/") or request.path == "/robots.txt"):
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    return response


# --- CSV: exactly the numbers of one table -------------------------------------------------

def _csv(t: dict[str, tables.Table], name: str, filename: str) -> Response:
    table = t.get(request.args.get("table", ""))
    if table is None:
        abort(404)
    return csv_response(tables.csv_header(table), tables.csv_rows(table), f"{filename}-{table.id}")


@bp.get("/dashboards/overview.csv")
@login_required
def overview_csv():
    require(current_user, "dashboard.overview")
    filters = current_filters()
    return _csv(overview_tables(overview_data(filters), filters.rank), "overview", "overview")


@bp.get("/dashboards/goals/<code>.csv")
@login_required
def goal_csv(code: str):
    goal = _goal_or_404(code)
    require(current_user, "dashboard.goal", goal)
    filters = current_filters()
    return _csv(goal_tables(goal_data(goal, filters, member_periods=False, area_periods=False), filters.rank), "goal", goal.code.lower())


@bp.get("/dashboards/provinces/<code>.csv")
@login_required
def province_csv(code: str):
    org = _org_or_404(code, (OrgKind.PROVINCE,))
    require(current_user, "dashboard.province", org, hide=True)
    return _csv(province_tables(province_data(org, current_filters())), "province", org.code.lower())


@bp.get("/dashboards/members/<code>.csv")
@login_required
def member_csv(code: str):
    org = _org_or_404(code)
    require(current_user, "dashboard.member", org, hide=True)
    return _csv(member_tables(member_data(org, current_filters())), "member", org.code.lower())


@bp.get("/public/goals/<code>.csv")
def public_goal_csv(code: str):
    goal = get_goal(code)
    if goal is None:
        abort(404)
    require(current_user, "dashboard.public_goal", goal, hide=True)
    filters = current_filters()
    return _csv(public_tables(public_data(goal, filters), filters.rank), "public", goal.code.lower())


bp.add_app_template_filter(charts.figure_json, "figure_json")


@bp.app_template_global("dashboard_url")
def dashboard_url(endpoint: str, filters: Filters, **changes) -> str:
    """A dashboard's URL carrying the current filters (``changes`` replace some of them)."""
    return url_for(endpoint, **filters.args(**changes))


@bp.app_template_global("table_cell")
def table_cell(table: tables.Table, column: tables.Column, row: dict) -> str:
    return tables.display(table, column, row)


@bp.app_template_global("table_body")
def table_body(table: tables.Table, filters: Filters, link: dict | None = None) -> Markup:
    """The rows of ``data_table``, made here rather than in the template: a table of a few hundred
    rows costs a template thousands of calls back into Python, several times the time of this loop
    (every value goes through ``escape``). The first column heads its row, and links to the row's
    dashboard when ``link`` names who may open it: its ``allowed`` codes, or None for every row (a
    link without ``allowed`` links nothing). A table shown twice on a page (one table under two
    charts) is written once: without links its rows are kept on the table."""
    if link is None and table.body is not None:
        return table.body
    columns = table.columns
    links = _Links(link, filters) if link else None
    out = []
    for row in table.rows:
        track = row.get("track")
        out.append(f'<tr data-track="{_escaped(track)}">' if track else "<tr>")
        for index, column in enumerate(columns):
            plain = tables.display(table, column, row)
            text = _escaped(plain)
            raw = row.get(column.key)
            sort = "" if raw is None else _escaped(raw)
            kind = column.kind
            if index == 0:
                name = _row_link(user_text(plain), row, links)
                out.append(f'<th scope="row" class="fw-normal" data-sort="{text}">{name}</th>')
            elif kind == "track" and raw:
                out.append(f'<td data-sort="{sort}"><span class="badge text-bg-{escape(tables.TRACK_STYLES[raw])}">'
                           f'{text}</span></td>')
            elif kind in ("org", "goal"):
                out.append(f'<td data-sort="{text}">{user_text(plain)}</td>')
            elif kind in ("period", "text", "status"):
                out.append(f'<td data-sort="{sort}">{text}</td>')
            else:
                out.append(f'<td class="text-end text-nowrap" data-sort="{sort}">{text}</td>')
        out.append("</tr>\n")
    body = Markup("".join(out))
    if link is None:
        table.body = body
    return body


_NEEDS_ESCAPING = re.compile(r"[&<>\"']")


def _escaped(value) -> str:
    """``value`` as text safe inside an element or a quoted attribute. Most cells are numbers and
    plain words, returned as they are: escaping them anyway costs a ``Markup`` per call, and a goal
    page writes thousands of cells."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return escape(value)
        value = str(value)
    return escape(value) if _NEEDS_ESCAPING.search(value) else value


def _row_link(name: Markup, row: dict, links: _Links | None) -> str:
    """``name`` linked to the row's dashboard when ``links`` allows it (see ``table_body``)."""
    url = links.url(row.get(links.key)) if links else None
    return f'<a href="{escape(url)}">{name}</a>' if url else name


class _Links:
    """The dashboard URLs a table's rows link to: the URL is made once with a stand-in code and the
    row's code put in its place (``url_for`` for every row of a long table costs more than the row),
    except for a code that would need quoting in a URL, which gets its own ``url_for``."""

    STAND_IN = "ROW-CODE-STAND-IN"
    PLAIN_CODE = re.compile(r"[A-Za-z0-9_-]+")

    def __init__(self, link: dict, filters: Filters) -> None:
        self.link, self.filters, self.key = link, filters, link["key"]
        self.allowed = link.get("allowed", ())
        pattern = self._url(self.STAND_IN)
        self.pattern = pattern if pattern.count(self.STAND_IN) == 1 else None

    def _url(self, code: str) -> str:
        return dashboard_url(self.link["endpoint"], self.filters, code=code, **(self.link.get("extra") or {}))

    def url(self, code: str | None) -> str | None:
        if not code or not (self.allowed is None or code in self.allowed):
            return None
        if self.pattern and self.PLAIN_CODE.fullmatch(code):
            return self.pattern.replace(self.STAND_IN, code)
        return self._url(code)


@bp.app_template_global("heat_list")
def heat_list(table: tables.Table, filters: Filters, link: dict | None = None):
    """The items of a grid of rows × goals as a phone shows it (a numbered list, best average share
    first), one ``<li>`` at a time, each row with the goals it has a share of. (Made here for the
    reason ``table_body`` is.)"""
    goals = table.columns[1:]
    link = _Links(link, filters) if link else None
    ranked = []
    for row in table.rows:
        shares = [row[c.key] for c in goals if row.get(c.key) is not None]
        ranked.append((sum(shares) / len(shares) if shares else -1, row))
    ranked.sort(key=lambda item: item[0], reverse=True)
    for mean, row in ranked:
        name = _row_link(user_text(tables.display(table, table.columns[0], row)), row, link)
        average = escape(_("Average: %(share)s", share=format_percent(mean))) if mean >= 0 else "—"
        out = ['<li class="list-group-item"><div class="d-inline-flex flex-wrap justify-content-between gap-2 '
               f'align-items-baseline" style="inline-size: calc(100% - 1.5em)"><strong>{name}</strong>'
               f'<span class="badge text-bg-light border">{average}</span></div>'
               '<ul class="list-unstyled small mb-0 mt-1">']
        for column in goals:
            if row.get(column.key) is not None:
                out.append(f'<li class="d-flex justify-content-between gap-2"><span>{escape(column.label)}</span>'
                           f'<span class="text-nowrap">{escape(tables.display(table, column, row))}</span></li>')
        out.append("</ul></li>")
        yield Markup("".join(out))
