"""The one number parser: a table of what people type × the page's language → value or "ambiguous"."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wcc.i18n.numbers import (
    DECIMAL,
    THOUSANDS,
    AmbiguousNumber,
    NumberFormatError,
    choice_value,
    parse_number,
    readings,
    resolve_choice,
)

AMBIGUOUS = "ambiguous"
BAD = "refused"
NBSP, NNBSP = "\u00a0", "\u202f"

# typed: (fa, en, ru)
TABLE = {
    "12500": ("12500",) * 3,
    "۱۲۵۰۰": ("12500",) * 3,
    "١٢٥٠٠": ("12500",) * 3,
    "۱۲٬۵۰۰": ("12500",) * 3,
    "۱۲٬۵۰۰٫۷۵": ("12500.75",) * 3,
    "۱۲٫۵": ("12.5",) * 3,
    "12٫500": ("12.5",) * 3,
    "۱۲.۵۰۰": (AMBIGUOUS,) * 3,
    "12.500": (AMBIGUOUS,) * 3,
    "12,500": (AMBIGUOUS,) * 3,
    "1,250,000": ("1250000",) * 3,
    "1.250.000": ("1250000",) * 3,
    "1,234,567.89": ("1234567.89",) * 3,
    "1.234.567,89": ("1234567.89",) * 3,
    "12.5": ("12.5",) * 3,
    "12.50": ("12.5",) * 3,
    "12,5": (BAD, BAD, "12.5"),
    "12,50": (BAD, BAD, "12.5"),
    "1234,567": (BAD, BAD, "1234.567"),
    "0.125": ("0.125",) * 3,
    "1234.567": ("1234.567",) * 3,
    f"1{NBSP}200": ("1200",) * 3,
    f"1{NNBSP}200": ("1200",) * 3,
    "1 200": ("1200",) * 3,
    f"1{NBSP}200,5": ("1200.5",) * 3,
    "1 200 000": ("1200000",) * 3,
    "1'200": ("1200",) * 3,
    "1'200.50": ("1200.5",) * 3,
    " 1300000 ": ("1300000",) * 3,
    "-3.25": ("-3.25",) * 3,
    "−3": ("-3",) * 3,
    "\u200e12500\u200f": ("12500",) * 3,
    "": (None,) * 3,
    "   ": (None,) * 3,
    "1 20": (BAD,) * 3,
    "12,50,000": (BAD,) * 3,
    "1,2345": (BAD, BAD, "1.2345"),
    "1.2.3": (BAD,) * 3,
    "1,234.567.8": (BAD,) * 3,
    "۱۲a": (BAD,) * 3,
    "--1": (BAD,) * 3,
    "1e5": (BAD,) * 3,
    "NaN": (BAD,) * 3,
    "abc": (BAD,) * 3,
    ".": (BAD,) * 3,
    "۱۲٫۵٫۰": (BAD,) * 3,
}
CASES = [(typed, lang, expected) for typed, row in TABLE.items() for lang, expected in zip(("fa", "en", "ru"), row, strict=True)]


@pytest.mark.parametrize("typed, lang, expected", CASES)
def test_numbers_as_people_type_them(typed, lang, expected):
    if expected == AMBIGUOUS:
        with pytest.raises(AmbiguousNumber):
            parse_number(typed, lang)
    elif expected == BAD:
        with pytest.raises(NumberFormatError) as caught:
            parse_number(typed, lang)
        assert not isinstance(caught.value, AmbiguousNumber)
    else:
        assert parse_number(typed, lang) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("value, expected", [(7, Decimal(7)), (12.5, Decimal("12.5")), (Decimal("3.10"), Decimal("3.10")),
                                             (None, None)])
def test_json_numbers_are_taken_as_they_are(value, expected):
    assert parse_number(value, "en") == expected


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), Decimal("NaN"), [1], {"a": 1}])
def test_values_that_are_not_numbers_are_refused(value):
    with pytest.raises(NumberFormatError):
        parse_number(value, "en")


def test_an_ambiguous_number_offers_both_readings():
    found = readings("۱۲.۵۰۰", "fa")
    assert (found.thousands, found.decimal) == (Decimal("12500"), Decimal("12.5"))
    assert readings("-12,500", "en").thousands == Decimal("-12500")
    assert readings("12500", "fa") is None
    assert readings("abc", "fa") is None


def test_a_choice_resolves_only_the_text_it_was_made_for():
    assert parse_number(resolve_choice("۱۲.۵۰۰", choice_value(THOUSANDS, "۱۲.۵۰۰"), "fa"), "fa") == Decimal("12500")
    assert parse_number(resolve_choice("۱۲.۵۰۰", choice_value(DECIMAL, "۱۲.۵۰۰"), "fa"), "fa") == Decimal("12.5")
    # The text was changed after the choice: ask again.
    with pytest.raises(AmbiguousNumber):
        parse_number(resolve_choice("۱۳.۵۰۰", choice_value(THOUSANDS, "۱۲.۵۰۰"), "fa"), "fa")
    assert resolve_choice("12500", choice_value(DECIMAL, "12500"), "fa") == "12500"
    assert resolve_choice("12.500", "nonsense", "fa") == "12.500"
