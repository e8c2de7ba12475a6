"""Reading a number the way people type it, in every form and the API.

One parser for the whole application. It accepts Persian, Arabic-Indic and
Latin digits and these marks:

- group separators for sure: «٬» (Arabic thousands separator), "'", a space, a
  no-break space and a narrow no-break space (how Russian pages show numbers);
- a decimal mark for sure: «٫» (Arabic decimal separator);
- "." and ",", read from context: when both appear the last one is the decimal
  mark; when one of them appears several times it groups thousands; next to a
  sure group separator a single one is the decimal mark. A single "." or ","
  followed by exactly three digits («۱۲.۵۰۰», "12,500") is **ambiguous**: twelve
  thousand five hundred to some, twelve and a half to others. The parser never
  guesses: it raises :class:`AmbiguousNumber` with both readings, and the form
  asks which was meant (the API answers 422 naming the field).
- A single "," followed by anything but three digits is the decimal mark in
  Russian ("12,5") and a typing error elsewhere; a single "." is the decimal mark.

A form field resolves an ambiguity with :func:`resolve_choice`: the choice is
bound to the exact text it was made for, so editing the text asks again.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wcc.i18n.text import to_ascii_digits

GROUP_MARKS = "٬'\u0020\u00a0\u202f\u2009"
DECIMAL_MARK = "٫"
#: Invisible marks a copied number may carry: ZWNJ/ZWJ, direction marks and isolates.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SHAPE = re.compile(r"[+-]?[0-9.,٫G]+")
#: Choice values posted by the form: which reading of an ambiguous number was meant.
THOUSANDS, DECIMAL = "thousands", "decimal"


class NumberFormatError(ValueError):
    """The text is not a number in any accepted spelling."""


class AmbiguousNumber(NumberFormatError):
    """A single "." or "," before three digits: ``thousands`` or ``decimal`` was meant."""

    def __init__(self, text: str, thousands: Decimal, decimal: Decimal):
        super().__init__(text)
        self.text, self.thousands, self.decimal = text, thousands, decimal


def _normalise(text: str) -> str:
    raw = _INVISIBLE.sub("", to_ascii_digits(text)).strip()
    raw = raw.replace("−", "-").replace("،", ",")  # minus sign; Arabic comma typed for a comma
    return "".join("G" if ch in GROUP_MARKS else ch for ch in raw)


def _digits(whole: str, groups_by: str | None) -> str | None:
    """``whole`` without its group marks, or None when the groups are not thousands."""
    if groups_by is None:
        return whole if whole.isdigit() else None
    groups = whole.split(groups_by)
    if not (1 <= len(groups[0]) <= 3 and groups[0].isdigit()
            and all(len(g) == 3 and g.isdigit() for g in groups[1:])):
        return None
    return "".join(groups)


def _read(raw: str, lang: str) -> Decimal | AmbiguousNumber:
    sign = ""
    if raw[:1] in "+-":
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:]
    marks = [ch for ch in raw if ch in ".,"]
    kinds = set(marks)
    sure_group = "G" in raw
    if raw.count(DECIMAL_MARK) > 1:
        raise NumberFormatError(raw)
    if DECIMAL_MARK in raw:
        if len(kinds) > 1:
            raise NumberFormatError(raw)
        group, decimal = (marks[0] if marks else None), DECIMAL_MARK
    elif len(kinds) == 2:
        decimal = marks[-1]
        if marks.count(decimal) > 1 or sure_group:
            raise NumberFormatError(raw)
        group = "," if decimal == "." else "."
    elif len(marks) > 1:
        group, decimal = marks[0], None
    elif len(marks) == 1:
        mark = marks[0]
        whole, fraction = raw.split(mark)
        if sure_group:
            group, decimal = None, mark
        elif len(fraction) == 3 and fraction.isdigit() and 1 <= len(whole) <= 3 and whole.isdigit() \
                and not whole.startswith("0"):
            return AmbiguousNumber(sign + raw, Decimal(sign + whole + fraction), Decimal(f"{sign}{whole}.{fraction}"))
        elif mark == "," and lang != "ru":
            raise NumberFormatError(raw)
        else:
            group, decimal = None, mark
    else:
        group, decimal = None, None
    if sure_group:
        if group is not None:
            raise NumberFormatError(raw)
        group = "G"
    whole, _, fraction = raw.partition(decimal) if decimal else (raw, "", "")
    if decimal and not fraction.isdigit() and fraction:
        raise NumberFormatError(raw)
    digits = _digits(whole, group) if whole else ("0" if fraction else None)
    if digits is None:
        raise NumberFormatError(raw)
    try:
        return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation:  # pragma: no cover - the checks above rule this out
        raise NumberFormatError(raw) from None


def _language(lang: str | None) -> str:
    if lang:
        return lang
    from flask import has_request_context

    if not has_request_context():
        return "en"
    from wcc.i18n import current_language

    return current_language()


def parse_number(value, lang: str | None = None) -> Decimal | None:
    """``value`` as typed (or a JSON number) → Decimal; None for blank.

    ``lang`` (the active language by default) decides only what a single "," means
    when it cannot group thousands. Raises AmbiguousNumber for «۱۲.۵۰۰» and
    NumberFormatError for anything that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberFormatError(str(value))
    if isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            raise NumberFormatError(str(value))
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberFormatError(str(value))
        return Decimal(str(value))
    if not isinstance(value, str):
        raise NumberFormatError(str(value))
    raw = _normalise(value)
    if not raw:
        return None
    if not _SHAPE.fullmatch(raw) or not any(ch.isdigit() for ch in raw):
        raise NumberFormatError(value)
    result = _read(raw, _language(lang))
    if isinstance(result, AmbiguousNumber):
        result.text = value
        raise result
    return result


def readings(value, lang: str | None = None) -> AmbiguousNumber | None:
    """Both readings of an ambiguous ``value``, or None when it is not ambiguous."""
    try:
        parse_number(value, lang)
    except AmbiguousNumber as exc:
        return exc
    except NumberFormatError:
        return None
    return None


def choice_value(meant: str, text: str) -> str:
    """What a form posts to say which reading of ``text`` was meant."""
    return f"{meant}:{text}"


def resolve_choice(text, posted: str | None, lang: str | None = None):
    """``text`` rewritten without ambiguity when ``posted`` chose a reading of this very text.

    Anything else (no choice, a choice made for other text, text that is not
    ambiguous) returns ``text`` unchanged, so the parser asks again.
    """
    if not posted or not isinstance(text, str):
        return text
    meant, _, chosen_for = posted.partition(":")
    if chosen_for != text or meant not in (THOUSANDS, DECIMAL):
        return text
    found = readings(text, lang)
    if found is None:
        return text
    if meant == THOUSANDS:
        return str(found.thousands)
    return format(found.decimal, "f").replace(".", DECIMAL_MARK)  # «٫» is a decimal mark for sure


def number_error_message() -> str:
    """"Enter a number", with an example written the way this language writes numbers."""
    from flask_babel import gettext as _

    from wcc.i18n.formatting import format_number

    return _("Enter a number, such as %(example)s.", example=format_number(Decimal("12500.5")))


def ambiguous_message(exc: AmbiguousNumber) -> str:
    from flask_babel import gettext as _

    from wcc.i18n.formatting import format_number

    return _("«%(text)s» could mean %(thousands)s or %(decimal)s: choose the one you meant.",
             text=exc.text.strip(), thousands=format_number(exc.thousands), decimal=format_number(exc.decimal))


def editable_number(value, lang: str | None = None) -> str:
    """A stored value as the text an edit form shows, which reads back as the same value.

    No grouping; Persian digits and «٫» in fa. Elsewhere a value such as 1.234
    gets a trailing zero (1.2340), so it is never read as ambiguous.
    """
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    if _language(lang) == "fa":
        from wcc.i18n.text import to_persian_digits

        return to_persian_digits(text.replace(".", DECIMAL_MARK))
    whole, _, fraction = text.partition(".")
    if len(fraction) == 3 and len(whole.lstrip("-")) <= 3 and not whole.lstrip("-").startswith("0"):
        text += "0"
    return text
