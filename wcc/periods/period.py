"""Reporting periods on the Iranian (Solar Hijri) calendar.

A period is a Solar Hijri year (key ``1404``, 1 Farvardin to the last day of
Esfand) or one of its quarters (key ``1404-Q2``: Q1 Farvardin–Khordad, Q2
Tir–Shahrivar, Q3 Mehr–Azar, Q4 Dey–Esfand). Keys are stable: they are what the
database, the API and URLs carry. Conversions to Gregorian dates use
persiantools, so leap years (1403, 1408, ...) come out right.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

from babel.dates import format_date as babel_format_date
from flask_babel import force_locale, pgettext
from persiantools.jdatetime import JalaliDate

from wcc.i18n.text import to_persian_digits

JALALI_MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)
KEY_PATTERN = re.compile(r"(\d{4})(?:-Q([1-4]))?")
#: Years the app accepts; far outside this range a key is a typing mistake.
MIN_YEAR, MAX_YEAR = 1300, 1500


class Frequency(enum.StrEnum):
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class PeriodError(ValueError):
    """A period key that is not ``YYYY`` or ``YYYY-Qn`` in the accepted range."""


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"year {self.year} is out of range")
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise PeriodError(f"quarter {self.quarter} is not 1-4")

    # --- identity --------------------------------------------------------------

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def __str__(self) -> str:
        return self.key

    @property
    def frequency(self) -> Frequency:
        return Frequency.QUARTERLY if self.quarter else Frequency.YEARLY

    @cached_property
    def sort_key(self) -> tuple[date, date]:
        """Orders periods by start, a year before its own first quarter."""
        return (self.first_day, -self.last_day.toordinal())

    # --- calendar --------------------------------------------------------------

    @property
    def first_month(self) -> int:
        return 3 * self.quarter - 2 if self.quarter else 1

    @property
    def last_month(self) -> int:
        return 3 * self.quarter if self.quarter else 12

    @property
    def first_day(self) -> date:
        """The Gregorian date of the period's first day."""
        return _gregorian_bounds(self.year, self.quarter)[0]

    @property
    def last_day(self) -> date:
        """The Gregorian date of the period's last day (Esfand 29 or 30 for Q4)."""
        return _gregorian_bounds(self.year, self.quarter)[1]

    @property
    def time(self) -> float:
        """The period's end as a number of Solar Hijri years (1404-Q2 → 1404.5, 1404 → 1405.0).

        The progress measure uses this as its time axis, so quarters and years
        can be compared on one scale.
        """
        return self.year + (self.quarter / 4 if self.quarter else 1.0)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def has_ended(self, today: date) -> bool:
        return today > self.last_day

    def year_period(self) -> Period:
        return Period(self.year)

    def quarters(self) -> list[Period]:
        """The four quarters of this year (or just this quarter)."""
        if self.quarter:
            return [self]
        return [Period(self.year, q) for q in (1, 2, 3, 4)]

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        return Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    # --- labels ----------------------------------------------------------------

    def label(self, locale: str | None = None, dates: bool = True, short: bool = False) -> str:
        """The period for people, in ``locale`` (default: the active one).

        fa: «سه‌ماههٔ دوم ۱۴۰۴ (تیر–شهریور)», Persian digits and month names;
        en: "1404 Q2 (22 Jun – 22 Sep 2025)"; ru: «II кв. 1404 (22 июн. – 22 сент. 2025)».
        Years: «سال ۱۴۰۴», "1404 (21 Mar 2025 – 20 Mar 2026)".
        ``short``: as few characters as will do, for phones and chart axes, without dates:
        «تابستان ۱۴۰۴», "Q2 1404", «II кв. 1404»; a year is «سال ۱۴۰۴», "1404".
        """
        from wcc.i18n import current_language

        return _label(self, locale or current_language(), dates and not short, short)

    def _span_text(self, lang: str) -> str | None:
        if lang == "fa":
            # A Solar Hijri year needs no explanation in Persian; a quarter names its months.
            if not self.quarter:
                return None
            return f"{JALALI_MONTHS_FA[self.first_month - 1]}–{JALALI_MONTHS_FA[self.last_month - 1]}"
        start, end = self.first_day, self.last_day
        start_format = "d MMM" if start.year == end.year else "d MMM y"
        return (f"{babel_format_date(start, start_format, locale=lang)} – "
                f"{babel_format_date(end, 'd MMM y', locale=lang)}")


@lru_cache(maxsize=4096)
def _label(period: Period, lang: str, dates: bool, short: bool = False) -> str:
    """``Period.label``, made once per period and language (dashboards label hundreds of periods)."""
    with force_locale(lang):
        if period.quarter and short:
            # The season names the quarter in Persian (the Solar Hijri year starts with spring).
            quarter = (pgettext("quarter, short", "Q1"), pgettext("quarter, short", "Q2"),
                       pgettext("quarter, short", "Q3"), pgettext("quarter, short", "Q4"))[period.quarter - 1]
            text = pgettext("period, short", "%(quarter)s %(year)s", year=period.year, quarter=quarter)
        elif period.quarter:
            quarter = (pgettext("quarter", "Q1"), pgettext("quarter", "Q2"),
                       pgettext("quarter", "Q3"), pgettext("quarter", "Q4"))[period.quarter - 1]
            text = pgettext("period", "%(year)s %(quarter)s", year=period.year, quarter=quarter)
        else:
            text = pgettext("period", "%(year)s", year=period.year)
    if dates:
        span = period._span_text(lang)
        if span:
            text = f"{text} ({span})"
    return to_persian_digits(text) if lang == "fa" else text


@lru_cache(maxsize=4096)
def _gregorian_bounds(year: int, quarter: int | None) -> tuple[date, date]:
    """First and last Gregorian day of a year or quarter (calendar arithmetic is slow; periods repeat)."""
    first_month, last_month = (3 * quarter - 2, 3 * quarter) if quarter else (1, 12)
    days = JalaliDate.days_in_month(last_month, year)
    return JalaliDate(year, first_month, 1).to_gregorian(), JalaliDate(year, last_month, days).to_gregorian()


def parse_period(key: str | Period) -> Period:
    """``"1404"`` or ``"1404-Q2"`` (Persian digits allowed) → Period; PeriodError otherwise."""
    if isinstance(key, Period):
        return key
    return _parse_key(str(key or ""))


@lru_cache(maxsize=4096)
def _parse_key(key: str) -> Period:
    from wcc.i18n.text import to_ascii_digits

    match = KEY_PATTERN.fullmatch(to_ascii_digits(key).strip().upper())
    if not match:
        raise PeriodError(f"not a period key: {key!r}")
    return Period(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def is_period_key(key: str) -> bool:
    try:
        parse_period(key)
    except PeriodError:
        return False
    return True


def period_containing(day: date, frequency: Frequency | str) -> Period:
    """The year or quarter that ``day`` (Gregorian) falls in."""
    jalali = JalaliDate(day)
    if Frequency(frequency) == Frequency.YEARLY:
        return Period(jalali.year)
    return Period(jalali.year, (jalali.month - 1) // 3 + 1)


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from ``first`` to ``last`` inclusive, oldest first (same frequency)."""
    if first.frequency != last.frequency:
        raise PeriodError("both ends must be years, or both quarters")
    out: list[Period] = []
    current = first
    while current.sort_key <= last.sort_key:
        out.append(current)
        current = current.next()
    return out


def years_between(first: Period, last: Period) -> list[Period]:
    return [Period(y) for y in range(first.year, last.year + 1)]


def due_date(period: Period, due_days: int) -> date:
    """The last day a report is on time: ``due_days`` after the period's last day."""
    return period.last_day + timedelta(days=due_days)


def format_period(value: str | Period | None, locale: str | None = None, dates: bool = True,
                  short: bool = False) -> str:
    """A period key or Period as a label in the active language; the key itself if invalid."""
    if value is None or value == "":
        return "—"
    try:
        period = parse_period(value)
    except PeriodError:
        return str(value)
    return period.label(locale, dates, short)
