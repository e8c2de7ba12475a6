"""Reading values the way officers type them: dates in either calendar, yes/no, lists.

Each parser returns the value or raises ``ValueError`` with a translated message.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _
from persiantools.jdatetime import JalaliDate

from wcc.i18n.text import fold, to_ascii_digits

_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# A year this small is a Solar Hijri year (1404 ≈ 2025): Persian spreadsheets use them.
_JALALI_YEARS = range(1300, 1500)
MIN_YEAR, MAX_YEAR = 1950, 2100

_YES = {"1", "true", "yes", "y", "بله", "آری", "اری", "بلی", "да", "published", "منتشرشده", "опубликовано"}
_NO = {"0", "false", "no", "n", "خیر", "نه", "нет", "draft", "پیشنویس", "черновик", ""}
LIST_SEPARATORS = re.compile(r"[;؛،\n]+")


def parse_date(text: str | date | None) -> date | None:
    """2025-06-22, 2025/6/22 or the Solar Hijri ۱۴۰۴/۰۴/۰۱; None for blank."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return check_year(text)
    raw = to_ascii_digits(str(text)).strip()
    if not raw:
        return None
    match = _DATE.fullmatch(raw.split("T")[0].split(" ")[0])
    if not match:
        raise ValueError(_("Write the date as year-month-day, such as 2025-06-22 or ۱۴۰۴/۰۴/۰۱."))
    year, month, day = (int(part) for part in match.groups())
    try:
        if year in _JALALI_YEARS:
            return JalaliDate(year, month, day).to_gregorian()
        return check_year(date(year, month, day))
    except ValueError:
        raise ValueError(_("There is no such date: %(date)s.", date=raw)) from None


def check_year(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(_("Enter a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
    return value


def parse_bool(text: str | bool | int | None) -> bool:
    """Yes/no in Persian, English or Russian, or 1/0, true/false."""
    if isinstance(text, bool):
        return text
    if text is None:
        return False
    key = fold(str(text))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(_("Write yes or no."))


def parse_list(text: str | None) -> list[str]:
    """Items separated by semicolons, Persian commas or line breaks; blanks dropped."""
    if not text:
        return []
    return [item.strip() for item in LIST_SEPARATORS.split(str(text)) if item.strip()]
