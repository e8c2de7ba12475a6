"""Goal values for people: with their unit, in the active language."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from flask_babel import force_locale
from flask_babel import gettext as _

from wcc.goals.models import Unit
from wcc.i18n import current_language
from wcc.i18n.formatting import format_number, format_percent


def format_value(value, unit: str, locale: str | None = None) -> str:
    """A goal's value with its unit («۱۲٬۵۰۰ یورو», "87.5%"); "—" for none."""
    if value is None:
        return "—"
    lang = locale or current_language()
    if unit == Unit.PERCENT:
        return format_percent(value, 1, lang)
    text = format_number(value, 0 if unit in (Unit.COUNT, Unit.PEOPLE) else 2, lang)
    symbol = _unit_symbol(unit, lang)
    return f"{text} {symbol}" if symbol else text


@lru_cache(maxsize=64)
def _unit_symbol(unit: str, lang: str) -> str | None:
    if unit not in (Unit.EUR, Unit.IRR):
        return None
    with force_locale(lang):
        return _("EUR") if unit == Unit.EUR else _("IRR")


def plain_number(value) -> str:
    """A stored value as an editable ASCII number: Decimal("12500.0000") → "12500"."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
