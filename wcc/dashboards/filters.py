"""Dashboard filters from the query string, the same for pages, CSV files and the API.

Every filter lives in the URL (a GET form), so a view can be shared by link.
A value that cannot be used raises ``FilterError`` with a translated message
(answered 400); nothing is ever silently reinterpreted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from wcc.dashboards.cache import cached
from wcc.dashboards.compliance import default_range
from wcc.goals.models import Theme
from wcc.i18n.text import to_ascii_digits
from wcc.periods import PeriodError, PeriodRange, parse_period

MAX_YEARS = 30
#: How rankings are ordered: by the approved value, or by the share of the target.
RANKS = ("value", "share")
CODE_MAX = 40


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: a period range and optional narrowing; all kept in the URL."""

    range: PeriodRange
    province: str | None = None
    theme: str | None = None
    category: str | None = None
    craft: str | None = None
    #: The overview's chosen goal (ranking, trend, map).
    goal: str | None = None
    #: The period whose missing reports are listed.
    period: str | None = None
    #: Rankings by value ("value") or by share of the target ("share"); only the order changes.
    rank: str | None = None
    #: This year's reporting when the range was not chosen and this year is not the default yet:
    #: {year, expected, approved}; shown as a note.
    default_note: dict | None = None

    def key(self) -> str:
        return "|".join(str(v or "") for v in (self.range.key, self.province, self.theme, self.category,
                                                 self.craft, self.goal, self.period))

    def args(self, **changes) -> dict[str, str]:
        values = {"period_from": self.range.first.key, "period_to": self.range.last.key,
                  "province": self.province, "theme": self.theme, "category": self.category,
                  "craft": self.craft, "goal": self.goal, "period": self.period, "rank": self.rank}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


class FilterError(ValueError):
    """A filter value that cannot be used; the message is translated."""


def _code(args, name: str, upper: bool = True) -> str | None:
    value = to_ascii_digits(args.get(name, "") or "").strip()
    value = value.upper() if upper else value
    if len(value) > CODE_MAX:
        raise FilterError(_("This code is too long."))
    return value or None


def _period(raw: str):
    try:
        return parse_period(raw)
    except PeriodError:
        raise FilterError(_("Periods are written 1404 (a year) or 1404-Q2 (a quarter).")) from None


def parse_filters(args, today: date) -> Filters:
    """Filters from ``args`` (request.args); the range defaults to the latest year in which at least
    half the reports owed are approved (``compliance.default_range``)."""
    raw_from = (args.get("period_from") or "").strip()[:20]
    raw_to = (args.get("period_to") or "").strip()[:20]
    note = None
    if not raw_from and not raw_to:
        default = cached("default-range", "", today, lambda: default_range(today), memo=True)
        period_range, note = default["range"], default["current"]
    else:
        first = _period(raw_from or raw_to)
        last = _period(raw_to or raw_from)
        if last.last_day < first.first_day:
            raise FilterError(_("The end of the range cannot come before its start."))
        if last.year - first.year >= MAX_YEARS:
            raise FilterError(_("Choose a range of at most %(years)d years.", years=MAX_YEARS))
        period_range = PeriodRange(first, last)
    theme = (args.get("theme") or "").strip() or None
    if theme is not None and theme not in {t.value for t in Theme}:
        raise FilterError(_("Choose one of the listed options."))
    period = (args.get("period") or "").strip()[:20] or None
    if period is not None:
        period = _period(period).key
    rank = (args.get("rank") or "").strip() or None
    if rank is not None and rank not in RANKS:
        raise FilterError(_("Choose one of the listed options."))
    return Filters(period_range, province=_code(args, "province"), theme=theme, category=_code(args, "category", upper=False),
                   craft=_code(args, "craft", upper=False), goal=_code(args, "goal"), period=period, rank=rank,
                   default_note=note)
