"""Reading a date the way people type it, in either calendar.

Accepted, in any language and with Persian, Arabic-Indic or Latin digits:

- year first, numeric: «۱۴۰۵/۱۱/۲۲» (a year from 1300 to 1499 is Solar Hijri),
  "2027-02-11", "2027/2/11";
- day first with dots: "11.02.2027" (the Russian way), «۲۲.۱۱.۱۴۰۵»;
- day first with slashes only when it cannot be read month first: "25/12/2026";
  "11/02/2027" is refused and the message asks for the month as a word;
- a month by name: «۲۲ بهمن ۱۴۰۵» (Solar Hijri month), «۱۱ فوریه ۲۰۲۷»,
  "11 Feb 2027", "February 11, 2027", "11 февраля 2027 г.".

Each parser returns a Gregorian ``date`` or raises ``ValueError`` with a translated message.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from flask_babel import gettext as _
from persiantools.jdatetime import JalaliDate

from wcc.i18n.text import fold, to_ascii_digits
from wcc.periods import JALALI_MONTHS_FA

# A year this small is a Solar Hijri year (1404 ≈ 2025): Persian spreadsheets use them.
JALALI_YEARS = range(1300, 1500)
MIN_YEAR, MAX_YEAR = 1950, 2100
JALALI, GREGORIAN = "jalali", "gregorian"

_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([./])(\d{1,2})\2(\d{4})")
_WORDS = re.compile(r"[^\W\d_]+\.?|\d+")
# Words around a date that say nothing about it: «روز», "г.", "года", "the", "of".
_FILLER = {"روز", "ماه", "سال", "г", "г.", "года", "год", "the", "of", "th", "st", "nd", "rd"}
_JALALI_LATIN = ("farvardin", "ordibehesht", "khordad", "tir", "mordad", "shahrivar", "mehr", "aban", "azar",
                 "dey", "bahman", "esfand")


@lru_cache(maxsize=1)
def month_names() -> dict[str, tuple[str, int]]:
    """Every accepted month name, folded → (calendar, month number)."""
    names: dict[str, tuple[str, int]] = {}
    for number, name in enumerate(JALALI_MONTHS_FA, start=1):
        names[fold(name)] = (JALALI, number)
    names[fold("امرداد")] = (JALALI, 5)
    for number, name in enumerate(_JALALI_LATIN, start=1):
        names[name] = (JALALI, number)
    for lang in ("en", "ru", "fa"):
        months = Locale.parse(lang).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    names.setdefault(fold(name).rstrip("."), (GREGORIAN, number))
    names.setdefault("sept", (GREGORIAN, 9))
    return names


def _build(calendar: str, year: int, month: int, day: int, typed: str) -> date:
    try:
        if calendar == JALALI:
            return check_year(JalaliDate(year, month, day).to_gregorian())
        return check_year(date(year, month, day))
    except ValueError as exc:
        if "between" in str(exc):
            raise
        raise ValueError(_("There is no such date: %(date)s.", date=typed)) from None


def _calendar_of(year: int) -> str:
    return JALALI if year in JALALI_YEARS else GREGORIAN


def _by_name(raw: str, typed: str) -> date | None:
    words = [w for w in _WORDS.findall(raw) if w.casefold() not in _FILLER]
    months = [month_names().get(fold(w).rstrip(".")) for w in words if not w.isdigit()]
    numbers = [int(w) for w in words if w.isdigit()]
    if len(words) != 3 or len(months) != 1 or months[0] is None or len(numbers) != 2:
        return None
    calendar, month = months[0]
    years = [n for n in numbers if n >= 1000]
    if len(years) != 1:
        return None
    year = years[0]
    day = next(n for n in numbers if n != year) if numbers.count(year) == 1 else year
    if _calendar_of(year) != calendar:
        raise ValueError(_("%(month)s is a month of the other calendar than the year %(year)s.",
                           month=next(w for w in words if not w.isdigit()), year=year))
    return _build(calendar, year, month, day, typed)


def parse_date(text: str | date | None) -> date | None:
    """A date typed in any of the accepted ways (see the module); None for blank."""
    if text is None:
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return check_year(text)
    typed = str(text).strip()
    raw = to_ascii_digits(typed).replace("\u200c", " ").replace("،", " ").replace(",", " ").strip()
    if not raw:
        return None
    numeric = raw.split("T")[0] if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.+Z-]*", raw) else raw
    match = _YEAR_FIRST.fullmatch(numeric)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _build(_calendar_of(year), year, month, day, typed)
    match = _DAY_FIRST.fullmatch(numeric)
    if match:
        day, mark, month, year = int(match[1]), match[2], int(match[3]), int(match[4])
        if mark == "/" and day <= 12 and month <= 12 and day != month:
            raise ValueError(_("%(date)s could be read two ways: write the month as a word, such as "
                               "%(example)s.", date=typed, example=example_date()))
        return _build(_calendar_of(year), year, month, day, typed)
    found = _by_name(raw, typed)
    if found is None:
        raise ValueError(_("Write the date as %(examples)s.", examples=date_examples()))
    return found


def check_year(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(_("Enter a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR))
    return value


def example_date(lang: str | None = None) -> str:
    """One date written with its month as a word, the way this language writes it."""
    from wcc.i18n.formatting import format_date

    return format_date(date(2027, 2, 11), locale=lang)


EXAMPLES = {"fa": ("۲۲ بهمن ۱۴۰۵", "۱۴۰۵/۱۱/۲۲", "2027-02-11"),
            "ru": ("11.02.2027", "11 февраля 2027", "2027-02-11"),
            "en": ("11 Feb 2027", "2027-02-11")}


def date_examples(lang: str | None = None, html: bool = False) -> str:
    """The typed forms this language's users are shown, each isolated so it reads right in
    right-to-left text (a Latin «2027-02-11» otherwise shows as «11-02-2027»): ``<bdi>`` in
    HTML, Unicode isolates in plain text."""
    from wcc.i18n import current_language

    lang = lang or current_language()
    left, right = ("<bdi>", "</bdi>") if html else ("\u2068", "\u2069")
    comma = "، " if lang == "fa" else ", "
    return comma.join(f"{left}{e}{right}" for e in EXAMPLES.get(lang, EXAMPLES["en"]))


def date_help() -> str:
    """The help text under date fields, as HTML."""
    return _("For example %(examples)s.", examples=date_examples(html=True))
