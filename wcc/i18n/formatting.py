"""One helper per kind of value, aware of the active locale.

Persian gets Persian digits and separators and Solar Hijri dates; English and
Russian get Gregorian dates. Templates use these through filters registered in
``register_template_helpers``; Python code calls them directly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import NumberPattern, parse_pattern
from persiantools.jdatetime import JalaliDate

from wcc.i18n.text import to_persian_digits
from wcc.periods import JALALI_MONTHS_FA, to_network_time


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    from wcc.i18n import current_language

    return current_language()


def localise_digits(text: str | int, locale: str | None = None) -> str:
    """Persian digits in fa, unchanged otherwise."""
    text = str(text)
    return to_persian_digits(text) if _locale(locale) == "fa" else text


def format_number(value: int | float | Decimal | None, decimals: int | None = None,
                  locale: str | None = None) -> str:
    """Grouped, with at most ``decimals`` fraction digits (as many as needed if None)."""
    if value is None:
        return "—"
    loc = _locale(locale)
    if decimals is None:
        pattern = None
    elif decimals == 0:
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "#" * decimals
    babel_locale, number_pattern = _number_format(pattern, loc)
    text = number_pattern.apply(value, babel_locale, numbering_system="default")
    return localise_digits(text, loc)


@lru_cache(maxsize=64)
def _number_format(pattern: str | None, locale: str) -> tuple[Locale, NumberPattern]:
    """Babel's locale and parsed pattern, made once: tables on dashboards format thousands of numbers."""
    babel_locale = Locale.parse(locale)
    return babel_locale, parse_pattern(pattern if pattern is not None else babel_locale.decimal_formats[None])


def format_percent(value: float | Decimal | None, decimals: int = 0, locale: str | None = None) -> str:
    """``value`` is a percentage already (87.5 → "87.5%"; «۸۷٫۵٪» in fa)."""
    if value is None:
        return "—"
    loc = _locale(locale)
    number = format_number(value, decimals, loc)
    return f"{number}٪" if loc == "fa" else (f"{number} %" if loc == "ru" else f"{number}%")


def jalali_date_text(d: date) -> str:
    """«۱ تیر ۱۴۰۴» for 2025-06-22."""
    j = JalaliDate(d)
    return to_persian_digits(f"{j.day} {JALALI_MONTHS_FA[j.month - 1]} {j.year}")


def format_date(value: date | datetime | None, locale: str | None = None) -> str:
    """Solar Hijri with Persian digits in fa; "22 Jun 2025" / «22 июн. 2025 г.» otherwise."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_network_time(value).date()
    loc = _locale(locale)
    if loc == "fa":
        return jalali_date_text(value)
    return babel_format_date(value, "d MMM y", locale=loc)


def format_datetime(value: datetime | None, locale: str | None = None) -> str:
    """Date and time in the network's time zone (Tehran by default)."""
    if value is None:
        return "—"
    loc = _locale(locale)
    local = to_network_time(value)
    time_text = babel_format_time(local, "HH:mm", locale=loc)
    return f"{format_date(local.date(), loc)}، {localise_digits(time_text, loc)}" if loc == "fa" \
        else f"{format_date(local.date(), loc)} {time_text}"
