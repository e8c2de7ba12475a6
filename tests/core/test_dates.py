"""The one date parser: what people type, in either calendar, → a Gregorian date or a clear refusal."""

from __future__ import annotations

from datetime import date

import pytest
from flask import g
from flask_babel import force_locale

from wcc.i18n.dates import date_examples, parse_date


@pytest.fixture(scope="module")
def babel_app():
    from wcc import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context("/"):
        g.request_id = "dates"
        yield app


BAHMAN_22_1405 = date(2027, 2, 11)


@pytest.mark.parametrize("typed", [
    "۲۲ بهمن ۱۴۰۵", "22 بهمن 1405", "٢٢ بهمن ١٤٠٥", "بهمن ۲۲، ۱۴۰۵", "۲۲ بهمن ماه ۱۴۰۵", "22 Bahman 1405",
    "۱۴۰۵/۱۱/۲۲", "1405/11/22", "۱۴۰۵-۱۱-۲۲", "22.11.1405",
    "11 Feb 2027", "11 February 2027", "February 11, 2027", "feb 11 2027", "11 февраля 2027", "11 февраля 2027 г.",
    "11 февр. 2027", "۱۱ فوریه ۲۰۲۷", "2027-02-11", "2027/2/11", "11.02.2027", "11.2.2027", "2027-02-11T00:00:00",
    " 2027-02-11 ",
])
def test_the_same_day_typed_every_accepted_way(babel_app, typed):
    assert parse_date(typed) == BAHMAN_22_1405


@pytest.mark.parametrize("typed, expected", [
    ("25/12/2026", date(2026, 12, 25)), ("۱ فروردین ۱۴۰۴", date(2025, 3, 21)), ("30 اسفند 1403", date(2025, 3, 20)),
    ("1 امرداد 1404", date(2025, 7, 23)), ("1 мая 2025", date(2025, 5, 1)), ("", None), ("  ", None), (None, None),
])
def test_other_dates(babel_app, typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed, message", [
    ("11/02/2027", "two ways"),  # 11 February or 2 November
    ("30 اسفند 1404", "no such date"),  # 1404 is not a leap year
    ("2027-02-30", "no such date"),
    ("22 بهمن 2027", "other calendar"),
    ("11 Feb 1405", "other calendar"),
    ("1800-01-01", "between"),
    ("tomorrow", "Write the date as"),
    ("11 Feb", "Write the date as"),
    ("11 Foo 2027", "Write the date as"),
    ("2027-02-11-03", "Write the date as"),
])
def test_dates_that_cannot_be_read_are_refused_with_a_reason(babel_app, typed, message):
    with force_locale("en"), pytest.raises(ValueError) as refused:
        parse_date(typed)
    assert message in str(refused.value)


def test_examples_are_isolated_for_right_to_left_text(babel_app):
    assert date_examples("fa", html=True) == "<bdi>۲۲ بهمن ۱۴۰۵</bdi>، <bdi>۱۴۰۵/۱۱/۲۲</bdi>، <bdi>2027-02-11</bdi>"
    for example in date_examples("ru").split(", "):
        assert example.startswith("\u2068") and example.endswith("\u2069")
        assert parse_date(example.strip("\u2068\u2069")) == BAHMAN_22_1405
