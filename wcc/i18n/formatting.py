"""One helper per kind of value, aware of the active locale.

Persian gets Persian digits and separators and Solar Hijri dates; English and
Russian get Gregorian dates. Templates use these through filters registered in
``register_template_helpers``; Python code calls them directly.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
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
    try:
        return _plain_number(value, 3 if decimals is None else decimals, loc)
    except (ArithmeticError, ValueError, TypeError):
        pass
    if decimals is None:
        pattern = None
    elif decimals == 0:
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "#" * decimals
    babel_locale, number_pattern = _number_format(pattern, loc)
    text = number_pattern.apply(value, babel_locale, numbering_system="default")
    return localise_digits(text, loc)


_QUANTA = [Decimal(1).scaleb(-places) for places in range(10)]


def _plain_number(value: int | float | Decimal, places: int, locale: str) -> str:
    """What Babel's "#,##0.##…" pattern gives for a finite number, without parsing a pattern per call
    (dashboards format thousands of numbers): the value as Babel reads it (a float through its
    shortest text), rounded half to even to ``places``, trailing zeros dropped, the locale's
    separators and digits. Raises for what it does not handle (Babel does it then)."""
    kind = type(value)
    if places == 0 and (kind is int or kind is float and -1e15 < value < 1e15):
        # Whole numbers (counts, percentages) without Decimal: Python's round() is half to even on the
        # float itself, and below 2**52 a float's shortest text ends in a lone 5 only when the float is
        # that half exactly, so both round alike. A negative value rounded to zero keeps Babel's "-0".
        whole = round(value)
        if whole or math.copysign(1, value) > 0:
            return f"{whole:,}".translate(_number_symbols(locale))
    number = value if isinstance(value, Decimal) else Decimal(str(value) if kind is float else value)
    if not number.is_finite():
        raise ValueError(value)
    rounded = number.quantize(_QUANTA[places], rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_number_symbols(locale))


@lru_cache(maxsize=16)
def _number_symbols(locale: str) -> dict[int, str]:
    """A ``str.translate`` table from Python's "1,234.5" to the locale's separators (and digits)."""
    babel_locale, pattern = _number_format("#,##0.#", locale)
    sample = pattern.apply(Decimal("-1234.5"), babel_locale, numbering_system="default")
    minus, group, decimal = sample[:sample.index("1")], sample[sample.index("1") + 1], sample[-2]
    table = {ord(","): group, ord("."): decimal, ord("-"): minus}
    if locale == "fa":
        table.update({ord(digit): to_persian_digits(digit) for digit in "0123456789"})
    return table


@lru_cache(maxsize=64)
def _number_format(pattern: str | None, locale: str) -> tuple[Locale, NumberPattern]:
    """Babel's locale and parsed pattern, made once."""
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
