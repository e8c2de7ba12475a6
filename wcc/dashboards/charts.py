"""Plotly figures, built on the server as plain dicts from the same tables the page shows.

plotly.js cannot write Persian digits or Solar Hijri periods, so every label
it shows is made here: tick values with pre-formatted tick text, hover text,
cell text. In Persian the layout is mirrored the way a reader expects: value
axes grow from the right, category labels sit on the right, legends start on
the right, time runs from right to left. Names and titles are HTML-escaped
before they reach a chart, because Plotly renders some tags in text.
"""

from __future__ import annotations

import math
from html import escape

import orjson
from flask_babel import gettext as _
from markupsafe import Markup

from wcc.dashboards.tables import Table, display, goal_title, org_name, rank_key
from wcc.i18n import current_language, separator, text_direction
from wcc.i18n.formatting import format_number, format_percent
from wcc.periods import format_period

FONT = "Vazirmatn, Roboto, system-ui, sans-serif"
COLOURS = {"actual": "#0f5257", "target": "#c0392b", "peers": "#f2c14e", "network": "#7a8b99",
           "on_time": "#2e8b57", "late": "#e69f00", "pending": "#7a8b99", "missing": "#c0392b"}


#: What plotly.io's orjson engine replaces in a figure's JSON so that it can sit inside a ``<script>``
#: element: no ``</script>`` or ``<!--`` can close or open anything, and the line separators JavaScript
#: once refused in strings.
SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("/", "\\u002f"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def figure_json(fig: dict) -> Markup:
    """A figure as JSON to embed in a page's ``<script type="application/json">``: byte for byte what
    ``plotly.io.to_json(fig, validate=False, engine="orjson")`` writes (the tests compare the two for
    every chart of every dashboard), without loading plotly and the dataframe library it brings into
    every worker for these two steps. Figures are built as plain dicts; their schema is checked in
    the tests, not on every request."""
    text = orjson.dumps(fig, option=orjson.OPT_NON_STR_KEYS).decode()
    for char, safe in SCRIPT_SAFE:
        if char in text:
            text = text.replace(char, safe)
    return Markup(text)


def _rtl() -> bool:
    return text_direction(current_language()) == "rtl"


def _text(value: str) -> str:
    return escape(str(value), quote=False)


#: Ends a shortened label in right-to-left text, so its ellipsis sits where the reading ends.
RLM = "\u200f"


def _ellipsis(text: str) -> str:
    rtl = any("\u0590" <= ch <= "\u08ff" for ch in text)
    return text.rstrip() + "…" + (RLM if rtl else "")


def short(text: str, limit: int = 28) -> str:
    """``text`` in at most ``limit`` characters, cut between words (never inside one) with the
    ellipsis at the end of the reading order; the full text goes into the hover and the table."""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return _ellipsis(cut)


def wrap(text: str, width: int = 22, lines: int = 3) -> str:
    """``text`` broken between words into lines of about ``width`` characters (joined by <br>,
    which Plotly draws as line breaks); after ``lines`` lines the rest is left out, with an
    ellipsis at the end of the reading order. Words are never cut unless one alone is longer
    than a line. Escape ``text`` first: the result is Plotly's markup."""
    out: list[str] = []
    for word in str(text).split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word if len(word) <= width + 6 else short(word, width))
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _ellipsis(out[-1])
    return "<br>".join(out)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (at most about ``count`` + 1 of them)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    return ticks


def value_axis(values: list[float | None], *, percent: bool = False, side_title: str = "") -> dict:
    """A numeric axis whose tick labels are formatted here, in the reader's digits."""
    present = [v for v in values if v is not None]
    ticks = nice_ticks(min(present, default=0.0), max(present, default=1.0))
    decimals = 0 if all(float(t).is_integer() for t in ticks) else 1
    text = [format_percent(t, decimals) if percent else format_number(t, decimals) for t in ticks]
    axis = {"tickmode": "array", "tickvals": ticks, "ticktext": text, "range": [ticks[0], ticks[-1]],
            "zeroline": True, "automargin": True, "fixedrange": True}
    if side_title:
        axis["title"] = {"text": _text(side_title)}
    return axis


def base_layout(height: int = 360) -> dict:
    rtl = _rtl()
    return {
        "font": {"family": FONT, "size": 13},
        "height": height,
        "margin": {"l": 16, "r": 16, "t": 16, "b": 16},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "x": 1 if rtl else 0, "xanchor": "right" if rtl else "left",
                   "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        "hoverlabel": {"font": {"family": FONT}, "align": "right" if rtl else "left"},
        "separators": "٫٬" if current_language() == "fa" else (", " if current_language() == "ru" else ".,"),
    }


def label_room(labels: list[str], size: int = 12) -> int:
    """Pixels the longest category label needs beside its axis (Plotly's own automargin does not
    always make room for labels on the right-hand side, where Persian charts put them); a label's
    lines (<br>) are measured one by one."""
    longest = max((len(line) for label in labels for line in str(label).split("<br>")), default=4)
    return int(longest * size * 0.62) + 14


def _side_margin(layout: dict, labels: list[str]) -> None:
    room = label_room(labels)
    layout["margin"]["r" if _rtl() else "l"] = room


def _category_axis(labels: list[str], *, vertical: bool) -> dict:
    """Category labels: on the right in Persian for bar rankings; time from right to left."""
    rtl = _rtl()
    axis = {"type": "category", "automargin": True, "fixedrange": True, "tickfont": {"size": 12}}
    if vertical:
        axis["autorange"] = "reversed"  # first row on top
        axis["side"] = "right" if rtl else "left"
    elif rtl:
        axis["autorange"] = "reversed"
    return axis


def distinct(labels: list[str], codes: list[str]) -> list[str]:
    """Category labels made unique (a province and its capital city often share a name): a label
    that repeats gets its organisation's code, since Plotly would merge equal categories."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    return [f"{label} ({_text(code)})" if seen[label] > 1 else label for label, code in zip(labels, codes, strict=True)]


def _hover(trace: dict, texts: list[str]) -> dict:
    trace["hovertext"] = texts
    trace["hovertemplate"] = "%{hovertext}<extra></extra>"
    return trace


def horizontal_bars(table: Table, value_key: str, label_key: str = "org", *, percent: bool = False,
                    limit: int = 40, reference: float | None = None, series: list[tuple[str, str, str]] | None = None,
                    axis_title: str = "", values_on_bars: bool = False) -> dict:
    """A ranking: one bar per row (or grouped bars, one per ``series`` (key, label, colour)).

    Labels are wrapped whole (``wrap``); the hover gives the full name and the value;
    ``values_on_bars`` writes each bar's value at its end."""
    rows = table.rows[:limit]
    column = {c.key: c for c in table.columns}
    full = [_text(_label(table, label_key, r)) for r in rows]
    labels = distinct([wrap(name) for name in full], [str(r.get(label_key)) for r in rows])
    series = series or [(value_key, column[value_key].label, COLOURS["actual"])]
    data, every = [], []
    for key, name, colour in series:
        values = [r.get(key) for r in rows]
        every += values
        texts = [f"{label}: {display(table, column[key], r)}" for label, r in zip(full, rows, strict=True)]
        trace = _hover({"type": "bar", "orientation": "h", "y": labels, "x": values, "name": _text(name),
                        "marker": {"color": colour}}, texts)
        if values_on_bars:
            trace.update({"text": [display(table, column[key], r) if r.get(key) is not None else "" for r in rows],
                          "textposition": "outside", "cliponaxis": False, "textfont": {"size": 11}})
        data.append(trace)
    axis = value_axis(every + ([reference] if reference is not None else []), percent=percent,
                      side_title=axis_title)
    if values_on_bars:  # room beyond the longest bar for its value
        low, high = axis["range"]
        axis["range"] = [low, high + (high - low) * 0.25]
    if _rtl():  # values grow from the right
        if values_on_bars:
            axis["range"] = axis["range"][::-1]
        else:
            axis.pop("range")
            axis["autorange"] = "reversed"
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    layout = base_layout(height=max(220, (14 + 14 * lines) * len(rows) * max(1, len(series) // 1) + 90))
    layout.update({"xaxis": axis, "yaxis": _category_axis(labels, vertical=True), "barmode": "group",
                   "showlegend": len(series) > 1})
    _side_margin(layout, labels)
    if reference is not None:
        layout["shapes"] = [{"type": "line", "xref": "x", "yref": "paper", "x0": reference, "x1": reference,
                             "y0": 0, "y1": 1, "line": {"color": "#444", "dash": "dot", "width": 1}}]
    return {"data": data, "layout": layout}


def ranking(table: Table, by: str | None, *, limit: int = 40) -> dict:
    """A ranking (``tables.ranked``) as bars: the approved value on an axis in the goal's unit, or
    the share of the target with the target marked; each bar carries its value; names are wrapped
    whole onto up to three lines."""
    from wcc.goals.forms import UNIT_LABELS

    share = by == "share"
    key = rank_key(by)
    if share:
        title = _("Share of the target (%)")
    else:
        unit = table.unit
        title = str(UNIT_LABELS.get(unit, "")) if unit else ""
        title = _("Approved, in %(unit)s", unit=title) if title else _("Approved")
    if _rtl():  # closing brackets stay at the end of a Persian title in Plotly's left-to-right SVG text
        title += RLM
    return horizontal_bars(table, key, percent=share, limit=limit, reference=100 if share else None,
                           axis_title=title, values_on_bars=True)


def _label(table: Table, key: str, row: dict) -> str:
    column = next((c for c in table.columns if c.key == key), None)
    if column is not None and column.kind == "org":
        return org_name(table.orgs, row.get(key))
    if column is not None and column.kind == "goal":
        return goal_title(table.goals, row.get(key))
    return str(row.get(key, ""))


def trend(table: Table, *, cumulative: bool = False) -> dict:
    """Actual per period as bars with the target as a line; or both as running totals."""
    rows = table.rows
    column = {c.key: c for c in table.columns}
    # Short labels, the year on a line of its own: «بهار / ۱۴۰۴» fits under a bar on a phone.
    labels = ["<br>".join(_text(format_period(r["period"], table.lang, short=True)).rsplit(" ", 1)) for r in rows]
    a_key, t_key = ("cumulative_actual", "cumulative_target") if cumulative else ("actual", "target")
    actual = [r.get(a_key) for r in rows]
    target = [r.get(t_key) for r in rows]
    data = [
        _hover({"type": "scatter" if cumulative else "bar", "mode": "lines+markers", "x": labels, "y": actual,
                "name": _text(_("Approved")), "marker": {"color": COLOURS["actual"]}},
               [f"{lab}: {display(table, column[a_key], r)}" for lab, r in zip(labels, rows, strict=True)]),
        _hover({"type": "scatter", "mode": "lines+markers", "x": labels, "y": target, "name": _text(_("Target")),
                "line": {"color": COLOURS["target"], "dash": "dash"}, "marker": {"color": COLOURS["target"]}},
               [f"{lab}: {display(table, column[t_key], r)}" for lab, r in zip(labels, rows, strict=True)]),
    ]
    if not cumulative:
        data[0].pop("mode")
    layout = base_layout(320)
    y_axis = value_axis(actual + target)
    y_axis["side"] = "right" if _rtl() else "left"
    layout.update({"xaxis": _category_axis(labels, vertical=False), "yaxis": y_axis, "showlegend": True})
    _side_margin(layout, y_axis["ticktext"])
    return {"data": data, "layout": layout}


def heatmap(table: Table) -> dict:
    """Rows × goals, coloured by the share of the target (100 % = on target)."""
    rows, lang = table.rows, table.lang
    goal_columns = [c for c in table.columns if c.kind == "percent"]
    y = distinct([_text(short(org_name(table.orgs, r["org"], lang), 26)) for r in rows], [r["org"] for r in rows])
    x = [_text(short(c.label, 22)) for c in goal_columns]
    z = [[r.get(c.key) for c in goal_columns] for r in rows]
    cell = [[format_percent(v, 0, lang) if v is not None else "" for v in line] for line in z]
    sep = separator()
    hover = [[f"{yy}{sep}{_text(c.label)}: {text or '—'}" for text, c in zip(texts, goal_columns, strict=True)]
             for yy, texts in zip(y, cell, strict=True)]
    rtl = _rtl()
    trace = {"type": "heatmap", "x": x, "y": y, "z": z, "text": cell, "texttemplate": "%{text}",
             "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>", "zmin": 0, "zmax": 150,
             "colorscale": [[0, "#c0392b"], [0.4, "#f2c14e"], [0.667, "#a8d5a2"], [1, "#1e7b4f"]],
             "xgap": 2, "ygap": 2, "hoverongaps": False,
             "colorbar": {"x": -0.02 if rtl else 1.02, "xanchor": "right" if rtl else "left", "thickness": 12,
                          "tickmode": "array", "tickvals": [0, 50, 100, 150],
                          "ticktext": [format_percent(v) for v in (0, 50, 100, 150)]}}
    layout = base_layout(max(260, 28 * len(rows) + 160))
    x_axis = _category_axis(x, vertical=False)
    x_axis.update({"side": "top", "tickangle": -30})
    layout.update({"xaxis": x_axis, "yaxis": _category_axis(y, vertical=True)})
    _side_margin(layout, y)
    layout["margin"]["t"] = int(label_room(x) * 0.5) + 10  # slanted goal titles above the cells
    return {"data": [trace], "layout": layout}


def compliance(table: Table) -> dict:
    """Per province: approved on time, late, awaiting approval, missing — stacked."""
    parts = [("on_time", COLOURS["on_time"]), ("late", COLOURS["late"]), ("pending", COLOURS["pending"]),
             ("missing", COLOURS["missing"])]
    column = {c.key: c for c in table.columns}
    labels = distinct([_text(short(org_name(table.orgs, r["org"]))) for r in table.rows],
                      [r["org"] for r in table.rows])
    data = []
    for key, colour in parts:
        texts = [f"{lab}{separator()}{_text(column[key].label)}: {display(table, column[key], r)}"
                 for lab, r in zip(labels, table.rows, strict=True)]
        data.append(_hover({"type": "bar", "orientation": "h", "y": labels, "x": [r[key] for r in table.rows],
                            "name": _text(column[key].label), "marker": {"color": colour}}, texts))
    totals = [r["expected"] for r in table.rows]
    axis = value_axis(totals)
    if _rtl():
        axis["autorange"] = "reversed"
        axis.pop("range")
    layout = base_layout(max(220, 24 * len(table.rows) + 90))
    layout.update({"barmode": "stack", "xaxis": axis, "yaxis": _category_axis(labels, vertical=True),
                   "showlegend": True})
    _side_margin(layout, labels)
    return {"data": data, "layout": layout}


def spread(table: Table) -> dict:
    """Every member's share of its target, one dot each, grouped by province: who leads, who lags."""
    rows = [r for r in table.rows if r.get("percent_of_target") is not None]
    lang = table.lang
    # A thousand members sit in some thirty provinces: each province's label is made once.
    labels = {code: _text(short(org_name(table.orgs, code, lang))) for code in {r["province"] for r in rows}}
    provinces = [labels[r["province"]] for r in rows]
    values = [r["percent_of_target"] for r in rows]
    trace = _hover({"type": "scatter", "mode": "markers", "x": values, "y": provinces,
                    "marker": {"color": COLOURS["actual"], "size": 9, "opacity": 0.75}},
                   [f"{_text(org_name(table.orgs, r['org'], lang))}: {format_percent(v, 0, lang)}"
                    for r, v in zip(rows, values, strict=True)])
    axis = value_axis(values + [100], percent=True)
    if _rtl():
        axis["autorange"] = "reversed"
        axis.pop("range")
    layout = base_layout(max(220, 26 * len(set(provinces)) + 90))
    layout.update({"xaxis": axis, "yaxis": _category_axis(provinces, vertical=True), "showlegend": False,
                   "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 100, "x1": 100, "y0": 0,
                               "y1": 1, "line": {"color": COLOURS["target"], "dash": "dot", "width": 1}}]})
    _side_margin(layout, provinces)
    return {"data": [trace], "layout": layout}


def province_map(provinces: list[dict], members: list[dict], orgs: dict, geojson_url: str, unit_label: str) -> dict:
    """Provinces coloured by the chosen goal's share of target; member cities sized by initiatives."""
    lang = current_language()
    codes = [p["org"] for p in provinces]
    z = [p["percent_of_target"] for p in provinces]
    hover = [f"{_text(org_name(orgs, c, lang))}: {format_percent(v, 0, lang) if v is not None else '—'}"
             for c, v in zip(codes, z, strict=True)]
    choropleth = {"type": "choropleth", "geojson": geojson_url, "featureidkey": "id", "locations": codes,
                  "z": z, "zmin": 0, "zmax": 150, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
                  "colorscale": [[0, "#c0392b"], [0.4, "#f2c14e"], [0.667, "#a8d5a2"], [1, "#1e7b4f"]],
                  "marker": {"line": {"color": "#ffffff", "width": 0.6}},
                  "colorbar": {"thickness": 12, "x": 0 if _rtl() else 1, "xanchor": "right" if _rtl() else "left",
                               "tickmode": "array", "tickvals": [0, 50, 100, 150],
                               "ticktext": [format_percent(v) for v in (0, 50, 100, 150)]}}
    # Every province in light grey beneath, so the country keeps its shape where there is no figure.
    everyone = [code for code, info in orgs.items() if info.get("kind") == "province"]
    base = {"type": "choropleth", "geojson": geojson_url, "featureidkey": "id", "locations": everyone,
            "z": [0] * len(everyone), "colorscale": [[0, "#e9ecef"], [1, "#e9ecef"]], "showscale": False,
            "hoverinfo": "skip", "marker": {"line": {"color": "#ffffff", "width": 0.6}}}
    counts = [m["initiatives"] or 0 for m in members]
    largest = max(counts, default=0) or 1
    markers = {"type": "scattergeo", "mode": "markers", "lat": [m["lat"] for m in members],
               "lon": [m["lon"] for m in members],
               "marker": {"size": [6 + 18 * math.sqrt(c / largest) for c in counts], "color": "#0f5257",
                          "opacity": 0.8, "line": {"color": "#ffffff", "width": 1}},
               "hovertext": [f"{_text(org_name(orgs, m['org'], lang))}: {format_number(c, 0, lang)} {_text(unit_label)}"
                             for m, c in zip(members, counts, strict=True)],
               "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False}
    layout = base_layout(460)
    # Only the provinces are drawn: with every base layer off, Plotly fetches no topojson at all.
    layout["geo"] = {"fitbounds": "locations", "projection": {"type": "mercator"}, "scope": "asia",
                     "showcountries": False, "showland": False, "showcoastlines": False, "showocean": False,
                     "showlakes": False, "showrivers": False, "showsubunits": False, "showframe": False,
                     "bgcolor": "rgba(0,0,0,0)", "lataxis": {"range": [24.5, 40.2]},
                     "lonaxis": {"range": [43.5, 63.8]}}
    # The markers come first: plotly.js decides whether to fetch base-layer topojson from the first
    # trace, and a GeoJSON choropleth first would make it fetch one even with every layer off.
    # Choropleths are drawn beneath markers whatever the order.
    return {"data": [markers, base, choropleth], "layout": layout}
