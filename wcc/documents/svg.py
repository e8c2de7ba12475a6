"""Bar and line charts as SVG, drawn on the server for printed pages and PDFs.

Small on purpose: printed charts need no interaction, and no browser runs
plotly.js inside a PDF renderer. Text goes through the locale's number
formatting; in right-to-left languages the category labels sit on the right
and bars grow leftwards, as a Persian reader expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from wcc.dashboards.charts import nice_ticks
from wcc.i18n import separator
from wcc.i18n.formatting import format_number

FONT = "Vazirmatn, Roboto Latin, Roboto Cyrillic, sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
COLOURS = ("#0f766e", "#b45309", "#1d4ed8", "#9d174d", "#4d7c0f")
TRACK_COLOURS = {"on_track": "#15803d", "at_risk": "#b45309", "off_track": "#b91c1c", "no_data": "#9ca3af"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    #: Text printed at the end of the bar (the value formatted with its unit).
    text: str = ""
    colour: str = COLOURS[0]


def _t(value: object) -> str:
    return str(escape(str(value)))


def bar_chart(bars: Sequence[Bar], *, lang: str, title: str = "", reference: float | None = None,
              reference_label: str = "", width: int = 360) -> Markup:
    """Horizontal bars, one per row, each an SVG drawing beside its label and value.

    Labels and values are HTML, so Persian is shaped and ordered by the text engine (SVG text in
    PDF renderers is not); the bars grow from the reading side. ``reference`` draws a dashed
    line in every row (such as 100 % of the target).
    """
    rtl = lang == "fa"
    values = [b.value for b in bars if b.value is not None] + ([reference] if reference is not None else [])
    high = max([0.0, *values]) or 1.0
    row_h = 14
    rows = []
    for bar in bars:
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {row_h}" width="{width}" '
                 f'height="{row_h}" preserveAspectRatio="none">']
        if bar.value is not None:
            w = max(1.0, width * max(0.0, bar.value) / high)
            x = width - w if rtl else 0
            parts.append(f'<rect x="{x:.1f}" y="2" width="{w:.1f}" height="{row_h - 4}" fill="{bar.colour}"/>')
        if reference is not None:
            rx = width * reference / high
            rx = width - rx if rtl else rx
            parts.append(f'<line x1="{rx:.1f}" y1="0" x2="{rx:.1f}" y2="{row_h}" stroke="{INK}" '
                         f'stroke-dasharray="3 2"/>')
        parts.append("</svg>")
        rows.append(f'<tr><th scope="row">{_t(bar.label)}</th><td class="bar">{"".join(parts)}</td>'
                    f'<td class="num">{_t(bar.text)}</td></tr>')
    caption = f"<caption>{_t(title)}"
    if reference is not None and reference_label:
        caption += f' <span class="muted small">(┆ {_t(reference_label)})</span>'
    caption += "</caption>"
    return Markup(f'<table class="bar-chart">{caption}<tbody>{"".join(rows)}</tbody></table>')


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def line_chart(labels: Sequence[str], series: Sequence[Series], *, lang: str, title: str = "",
               width: int = 640, height: int = 200) -> Markup:
    """Lines over ``labels`` (periods, oldest first; right to left in Persian). The title and the
    legend are HTML around the drawing; inside it there are only digits."""
    rtl = lang == "fa"
    top, bottom, side = 10, 26, 48
    plot_w, plot_h = width - side * 2, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    high = max([0.0, *values]) or 1.0
    ticks = nice_ticks(0.0, high, 4)
    high = max(high, ticks[-1])
    n = max(1, len(labels) - 1)

    def x(i: int) -> float:
        pos = plot_w * i / n if len(labels) > 1 else plot_w / 2
        return (width - side - pos) if rtl else (side + pos)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / high)

    parts = [f'<figure class="line-chart"><figcaption>{_t(title)}</figcaption>'
             f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" font-family="{FONT}" font-size="11" role="img" aria-label="{_t(title)}">']
    legend = []
    for tick in ticks:
        ty = y(tick)
        parts.append(f'<line x1="{side}" y1="{ty:.1f}" x2="{width - side}" y2="{ty:.1f}" stroke="{GRID}"/>')
        tx = (width - side + 4) if rtl else (side - 4)
        parts.append(f'<text x="{tx}" y="{ty + 4:.1f}" text-anchor="{"start" if rtl else "end"}" fill="{MUTED}" '
                     f'font-size="10">{_t(format_number(tick, 0, lang))}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{MUTED}" '
                     f'font-size="10">{_t(label)}</text>')
    for k, s in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
        legend.append(f'<span class="key" style="background:{colour}"></span> {_t(s.name)}')
    parts.append("</svg>")
    parts.append(f'<div class="legend small">{" ".join(legend)}</div></figure>')
    return Markup("".join(parts))


def table_chart(table) -> Markup:
    """A static chart of a dashboard table, for printed pages (where plotly.js does not run):
    a line per value column over periods, or a bar per row of its share (or value) column.
    Empty when the table has no single column worth drawing (a heat map, a list)."""
    from wcc.dashboards.tables import display

    lang = table.lang
    kinds = [c.kind for c in table.columns]
    rows = table.rows[:25]
    if not rows:
        return Markup("")
    if kinds and kinds[0] == "period":
        values = [c for c in table.columns[1:] if c.kind in ("value", "number", "count")][:2]
        labels = [display(table, table.columns[0], r) for r in rows]
        return line_chart(labels, [Series(c.label, [_float(r.get(c.key)) for r in rows]) for c in values],
                          lang=lang, title=table.caption)
    percents = [c for c in table.columns if c.kind == "percent"]
    if len(percents) > 1:
        return Markup("")
    column = percents[0] if percents else next(
        (c for c in table.columns[1:] if c.kind in ("value", "number", "count")), None)
    if column is None:
        return Markup("")
    label = table.columns[0]
    bars = [Bar(display(table, label, r), _float(r.get(column.key)), text=display(table, column, r))
            for r in rows]
    return bar_chart(bars, lang=lang, title=f"{table.caption}{separator()}{column.label}",
                     reference=100.0 if column.kind == "percent" else None)


def _float(value) -> float | None:
    return None if value is None else float(value)
