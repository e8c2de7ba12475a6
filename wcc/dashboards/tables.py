"""The numbers behind every chart, as tables: shown on the page, written as CSV, drawn as charts.

A chart, its accessible table and its CSV file are all built from one
``Table``, so they cannot disagree. Cells hold raw values (codes, floats,
period keys); ``display`` formats them for the page in the reader's language,
``csv_rows`` writes them for spreadsheets (plain numbers, codes next to names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wcc.goals.display import format_value
from wcc.i18n import current_language
from wcc.i18n.formatting import format_number, format_percent
from wcc.periods import format_period
from wcc.reporting.progress import STATUS_LABELS, ProgressStatus

TRACK_LABELS = {
    "on_track": _l("On track"),
    "at_risk": _l("At risk"),
    "off_track": _l("Off track"),
    "no_data": _l("Not enough data"),
}
#: The two orders of every ranking (the ``rank`` filter); by value unless asked otherwise.
RANK_LABELS = {"value": _l("By value"), "share": _l("By share of the target")}
TRACK_STYLES = {"on_track": "success", "at_risk": "warning", "off_track": "danger", "no_data": "secondary"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: org, goal, period, value (in the row's goal unit), number, percent, count, status, track, text
    kind: str = "number"


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Code → names and kind of the organisations the table mentions; code → goal info.
    orgs: dict[str, dict] = field(default_factory=dict)
    goals: dict[str, dict] = field(default_factory=dict)
    #: A goal unit shared by every "value" cell when rows carry no goal of their own.
    unit: str | None = None
    #: The reader's language, looked up once per table rather than once per cell.
    lang: str = field(default_factory=current_language)
    #: Status and track labels as translated for this table, each looked up once.
    labels: dict[tuple[str, str], str] = field(default_factory=dict, repr=False, compare=False)
    #: The rows as the page writes them, kept by ``views.table_body`` for a table shown twice.
    body: str | None = field(default=None, repr=False, compare=False)

    def __bool__(self) -> bool:
        return True


@lru_cache(maxsize=16384)
def _count_text(value: int, lang: str) -> str:
    return format_number(value, 0, lang)


def org_name(orgs: dict[str, dict], code: str | None, lang: str | None = None) -> str:
    if code is None:
        return "—"
    info = orgs.get(code)
    if info is None:
        return code
    names = info["name"]
    return names.get(lang or current_language()) or names.get("fa") or code


def goal_title(goals: dict[str, dict], code: str, lang: str | None = None) -> str:
    info = goals.get(code)
    if info is None:
        return code
    return info["title"].get(lang or current_language()) or info["title"]["fa"]


def display(table: Table, column: Column, row: dict) -> str:
    """A cell as the page shows it: names, labels, digits and units in the reader's language."""
    value = row.get(column.key)
    kind, lang = column.kind, table.lang
    if kind == "org":
        return org_name(table.orgs, value, lang)
    if kind == "goal":
        return goal_title(table.goals, value, lang)
    if kind == "period":
        return format_period(value, lang, dates=False) if value else "—"
    if kind in ("status", "track"):
        if not value:
            return "—"
        label = table.labels.get((kind, value))
        if label is None:
            label = table.labels[(kind, value)] = str(
                STATUS_LABELS[ProgressStatus(value)] if kind == "status" else TRACK_LABELS[value])
        return label
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value, 0, lang)
    if kind == "count":
        return _count_text(int(value), lang)
    if kind == "value":
        unit = table.goals.get(row.get("goal"), {}).get("unit") if row.get("goal") else table.unit
        return format_value(value, unit or "count", lang)
    if kind == "number":
        return format_number(value, 2, lang)
    return str(value)


def _plain(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "percent":
        return round(float(value), 2)
    if kind in ("value", "number"):
        return round(float(value), 4)
    return value


def csv_header(table: Table) -> list[str]:
    out = []
    for column in table.columns:
        if column.kind in ("org", "goal"):
            out.append(_("%(column)s: code", column=column.label))
        out.append(column.label)
    return out


def csv_rows(table: Table) -> list[list[Any]]:
    """The table's rows as CSV cells: codes beside names, numbers plain, periods as keys."""
    lang = current_language()
    rows = []
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = row.get(column.key)
            if column.kind == "org":
                cells += [value or "", org_name(table.orgs, value, lang)]
            elif column.kind == "goal":
                cells += [value or "", goal_title(table.goals, value, lang)]
            elif column.kind in ("status", "track"):
                cells.append(display(table, column, row) if value else "")
            else:
                cells.append(_plain(value, column.kind))
        rows.append(cells)
    return rows


# --- the tables of each dashboard -------------------------------------------------------------

def ranked(rows: list[dict], by: str | None) -> list[dict]:
    """The one ranking every dashboard uses: by the approved value (``value``, the default) or by the
    share of the target (``share``), largest first; rows without that figure last, ties by the other
    figure, then by code."""
    first, second = ("percent_of_target", "actual") if by == "share" else ("actual", "percent_of_target")
    return sorted(rows, key=lambda r: (r.get(first) is None, -(r.get(first) or 0), r.get(second) is None,
                                       -(r.get(second) or 0), r.get("org") or ""))


def rank_key(by: str | None) -> str:
    """The column a ranking's bars show."""
    return "percent_of_target" if by == "share" else "actual"


def goals_table(data: dict) -> Table:
    return Table("goals", _("Goals and their progress"), [
        Column("code", _("Goal"), "goal"), Column("actual", _("Approved"), "value"),
        Column("target", _("Target"), "value"), Column("percent_of_target", _("Share of the target"), "percent"),
        Column("track", _("Status"), "track"), Column("status", _("Progress"), "status"),
        Column("reports", _("Approved reports"), "count")],
        [{**g, "goal": g["code"]} for g in data["goals"]], data["orgs"], data["goal_info"])


def heatmap_table(data: dict, rows_key: str, caption: str) -> Table:
    goals = data["heatmap"]["goals"]
    columns = [Column("org", _("Member"), "org")] + [Column(code, code, "percent") for code in goals]
    rows = [{"org": r["org"], **dict(zip(goals, r["percent"], strict=True))} for r in data["heatmap"][rows_key]]
    table = Table("heatmap", caption, columns, rows, data["orgs"], data["goal_info"])
    # Column labels are the goals' titles in the reader's language.
    table.columns = [columns[0]] + [Column(code, goal_title(data["goal_info"], code), "percent") for code in goals]
    return table


def ranking_table(data: dict, by: str | None = None) -> Table:
    code = data["chosen_goal"]
    title = goal_title(data["goal_info"], code) if code else ""
    return Table("ranking", _("Provinces ranked: %(goal)s", goal=title), [
        Column("org", _("Province"), "org"), Column("actual", _("Approved"), "value"),
        Column("target", _("Target"), "value"), Column("percent_of_target", _("Share of the target"), "percent")],
        ranked(data["ranking"], by), data["orgs"], data["goal_info"],
        unit=data["goal_info"].get(code, {}).get("unit"))


def trend_table(series: list[dict], unit: str | None, caption: str, goals: dict | None = None) -> Table:
    additive = any(p.get("cumulative_actual") is not None for p in series)
    columns = [Column("period", _("Period"), "period"), Column("actual", _("Approved"), "value"),
               Column("target", _("Target"), "value")]
    if additive:
        columns += [Column("cumulative_actual", _("Approved, cumulative"), "value"),
                    Column("cumulative_target", _("Target, cumulative"), "value")]
    return Table("trend", caption, columns, series, {}, goals or {}, unit=unit)


def compliance_table(data: dict) -> Table:
    return Table("compliance", _("Reporting per province"), [
        Column("org", _("Province"), "org"), Column("expected", _("Reports owed"), "count"),
        Column("on_time", _("Approved, on time"), "count"), Column("late", _("Approved, late"), "count"),
        Column("pending", _("Awaiting approval"), "count"), Column("missing", _("Missing"), "count")],
        data["compliance"]["provinces"], data["orgs"])


#: Periods shown in the province × period compliance table (the latest of the range).
COMPLIANCE_PERIODS = 8


def compliance_periods_table(data: dict) -> Table:
    """Province × period: reports missing, to find who is behind and when (the latest periods)."""
    periods = data["compliance"]["periods"][-COMPLIANCE_PERIODS:]
    columns = [Column("org", _("Province"), "org")] + [Column(p, format_period(p, dates=False), "count")
                                                         for p in periods]
    rows = [{"org": r["org"], **{c["period"]: c["missing"] for c in r["periods"] if c["period"] in periods}}
            for r in data["compliance"]["provinces"]]
    return Table("compliance-periods", _("Missing reports per province and period"), columns, rows, data["orgs"])


def missing_table(rows: list[dict], orgs: dict, period: str | None, *, only_missing: bool = False) -> Table:
    if only_missing:
        rows = [r for r in rows if r["missing"]]
        caption = _("Members with reports missing for %(period)s", period=format_period(period, dates=False))
    else:
        caption = _("Members and their reports for %(period)s", period=format_period(period, dates=False))
    return Table("missing", caption, [
        Column("org", _("Member"), "org"), Column("province", _("Province"), "org"),
        Column("expected", _("Reports owed"), "count"), Column("on_time", _("Approved, on time"), "count"),
        Column("late", _("Approved, late"), "count"), Column("pending", _("Awaiting approval"), "count"),
        Column("missing", _("Missing"), "count")], rows, orgs)


#: Members shown on a goal's page when no province is chosen: the leaders and the laggards.
SHOWN_MEMBERS = 25


def members_table(data: dict, rows: list[dict], *, everyone: bool = False) -> Table:
    """``data``'s members as ``rows`` gives them, ranked (``ranked``): all of them (``everyone``,
    or few enough), else the first and last ``SHOWN_MEMBERS``."""
    caption = _("Members compared")
    if not everyone and len(rows) > 2 * SHOWN_MEMBERS:
        rows = rows[:SHOWN_MEMBERS] + rows[-SHOWN_MEMBERS:]
        caption = _("The %(n)d members furthest ahead and the %(n)d furthest behind", n=SHOWN_MEMBERS)
    return Table("members-all" if everyone else "members", caption, [
        Column("org", _("Member"), "org"), Column("province", _("Province"), "org"),
        Column("actual", _("Approved"), "value"), Column("target", _("Target"), "value"),
        Column("percent_of_target", _("Share of the target"), "percent"), Column("track", _("Status"), "track"),
        Column("status", _("Progress"), "status"), Column("reports", _("Approved reports"), "count")],
        rows, data["orgs"], {data["goal"]: data["info"]}, unit=data["info"]["unit"])


def spread_table(data: dict) -> Table:
    """Per province: how many members have a share of their target, and its lowest, median and highest."""
    by_province: dict[str, list[float]] = {}
    for m in data["members"]:
        if m.get("percent_of_target") is not None:
            by_province.setdefault(m["province"], []).append(m["percent_of_target"])
    rows = []
    for province, values in sorted(by_province.items(), key=lambda item: -sorted(item[1])[len(item[1]) // 2]):
        values.sort()
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        rows.append({"org": province, "count": len(values), "lowest": values[0], "median": median,
                     "highest": values[-1]})
    return Table("spread", _("Spread of the members' shares of their targets"), [
        Column("org", _("Province"), "org"), Column("count", _("Members with a target"), "count"),
        Column("lowest", _("Lowest"), "percent"), Column("median", _("Median"), "percent"),
        Column("highest", _("Highest"), "percent")], rows, data["orgs"])


def provinces_table(data: dict, by: str | None = None) -> Table:
    return Table("provinces", _("Provinces as a whole"), [
        Column("org", _("Province"), "org"), Column("actual", _("Approved"), "value"),
        Column("target", _("Target"), "value"), Column("percent_of_target", _("Share of the target"), "percent"),
        Column("track", _("Status"), "track"), Column("status", _("Progress"), "status"),
        Column("reports", _("Approved reports"), "count")],
        ranked(data["provinces"], by), data["orgs"], {data["goal"]: data["info"]}, unit=data["info"]["unit"])


def comparison_table(data: dict, peers_label: str, with_network: bool) -> Table:
    columns = [Column("code", _("Goal"), "goal"), Column("actual", _("Approved"), "value"),
               Column("target", _("Target"), "value"),
               Column("percent_of_target", _("Share of the target"), "percent"),
               Column("track", _("Status"), "track"), Column("peers_average", peers_label, "value"),
               Column("index_vs_peers", _("Against the peers' average (100 = average)"), "percent")]
    if with_network:
        columns += [Column("network_average", _("Average member of the network"), "value"),
                    Column("index_vs_network", _("Against the network's average (100 = average)"), "percent")]
    rows = [{**g, "goal": g["code"]} for g in data["goals"]]
    return Table("comparison", _("Progress per goal, compared"), columns, rows, data["orgs"], data["goal_info"])


def member_compliance_table(rows: list[dict]) -> Table:
    return Table("compliance", _("Reporting per period"), [
        Column("period", _("Period"), "period"), Column("expected", _("Reports owed"), "count"),
        Column("on_time", _("Approved, on time"), "count"), Column("late", _("Approved, late"), "count"),
        Column("pending", _("Awaiting approval"), "count"), Column("missing", _("Missing"), "count")], rows)


def counts_table(table_id: str, caption: str, label: str, rows: list[dict]) -> Table:
    """Initiatives per category or craft: rows of {"code", "name": {fa, en, ru}, "count"}."""
    named = {r["code"]: {"name": r["name"], "kind": "item"} for r in rows}
    return Table(table_id, caption, [Column("item", label, "org"), Column("count", _("Initiatives"), "count")],
                 [{"item": r["code"], "count": r["count"]} for r in rows], named)
