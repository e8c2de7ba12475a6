"""Goal values for people: with their unit, in the active language."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from wcc.goals.models import Unit
from wcc.i18n.formatting import format_number, format_percent


def format_value(value, unit: str) -> str:
    """A goal's value with its unit («۱۲٬۵۰۰ یورو», "87.5%"); "—" for none."""
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return format_percent(value, 1)
    text = format_number(value, 0 if unit in (Unit.COUNT, Unit.PEOPLE) else 2)
    symbol = {Unit.EUR: _("EUR"), Unit.IRR: _("IRR")}.get(unit)
    return f"{text} {symbol}" if symbol else text


def plain_number(value) -> str:
    """A stored value as an editable ASCII number: Decimal("12500.0000") → "12500"."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
