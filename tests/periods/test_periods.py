"""Solar Hijri periods: keys, Gregorian boundaries, labels in fa, en and ru."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from wcc.periods import (
    Period,
    PeriodError,
    due_date,
    format_period,
    parse_period,
    period_containing,
    periods_between,
)

# REFERENCES.md: Nowruz (1 Farvardin) in Gregorian, 1398–1410.
NOWRUZ = {
    1398: date(2019, 3, 21), 1399: date(2020, 3, 20), 1400: date(2021, 3, 21), 1401: date(2022, 3, 21),
    1402: date(2023, 3, 21), 1403: date(2024, 3, 20), 1404: date(2025, 3, 21), 1405: date(2026, 3, 21),
    1406: date(2027, 3, 21), 1407: date(2028, 3, 20), 1408: date(2029, 3, 20), 1409: date(2030, 3, 21),
    1410: date(2031, 3, 21),
}
LEAP_YEARS = {1399, 1403, 1408}


@pytest.mark.parametrize("year", range(1400, 1411))
def test_every_nowruz_from_1400_to_1410_starts_its_year_and_first_quarter(year):
    assert Period(year).first_day == NOWRUZ[year]
    assert Period(year, 1).first_day == NOWRUZ[year]
    assert Period(year).last_day.toordinal() == NOWRUZ[year + 1].toordinal() - 1 if year + 1 in NOWRUZ \
        else True
    assert period_containing(NOWRUZ[year], "yearly") == Period(year)
    assert period_containing(NOWRUZ[year], "quarterly") == Period(year, 1)


@pytest.mark.parametrize("year", range(1398, 1410))
def test_esfand_has_30_days_only_in_leap_years(year):
    length = (NOWRUZ[year + 1] - NOWRUZ[year]).days
    assert length == (366 if year in LEAP_YEARS else 365)
    assert (Period(year, 4).last_day - Period(year, 4).first_day).days + 1 == (90 if year in LEAP_YEARS else 89)


@pytest.mark.parametrize("key, first, last", [
    ("1404-Q1", date(2025, 3, 21), date(2025, 6, 21)),
    ("1404-Q2", date(2025, 6, 22), date(2025, 9, 22)),
    ("1404-Q3", date(2025, 9, 23), date(2025, 12, 21)),
    ("1404-Q4", date(2025, 12, 22), date(2026, 3, 20)),
    ("1403-Q4", date(2024, 12, 21), date(2025, 3, 20)),  # 1403 is a leap year: 30 Esfand = 20 March
    ("1404", date(2025, 3, 21), date(2026, 3, 20)),
])
def test_periods_know_their_gregorian_first_and_last_day(key, first, last):
    period = parse_period(key)
    assert (period.first_day, period.last_day) == (first, last)
    assert period.key == key


def test_quarters_follow_each_other_without_gaps():
    quarters = periods_between(Period(1403, 1), Period(1406, 4))
    assert len(quarters) == 16
    for earlier, later in zip(quarters, quarters[1:], strict=False):
        assert later.first_day.toordinal() == earlier.last_day.toordinal() + 1
    assert [p.key for p in periods_between(Period(1403), Period(1405))] == ["1403", "1404", "1405"]


@pytest.mark.parametrize("raw, key", [("1404", "1404"), ("1404-q2", "1404-Q2"), ("۱۴۰۴-Q۲", "1404-Q2"),
                                      (" 1404-Q4 ", "1404-Q4")])
def test_keys_are_parsed_leniently_and_written_one_way(raw, key):
    assert parse_period(raw).key == key


@pytest.mark.parametrize("raw", ["", "1404-Q5", "1404-Q0", "14040", "1404Q2", "2025-Q1", "0999", "abc",
                                 "1404-Q2\x00", "x" * 10_000])
def test_bad_keys_are_refused(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_due_date_counts_days_after_the_last_day():
    assert due_date(Period(1404, 2), 30) == date(2025, 10, 22)
    assert due_date(Period(1404), 0) == date(2026, 3, 20)


@pytest.fixture(scope="module")
def babel_app():
    """An app without a database: labels only need the translations."""
    from flask import g

    from wcc import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context("/"):
        g.request_id = "labels"  # flask-babel ignores force_locale while g is empty, as it never is in a request
        yield app


@pytest.mark.parametrize("lang, key, label", [
    ("en", "1404-Q2", "1404 Q2 (22 Jun – 22 Sep 2025)"),
    ("en", "1404", "1404 (21 Mar 2025 – 20 Mar 2026)"),
    ("en", "1404-Q4", "1404 Q4 (22 Dec 2025 – 20 Mar 2026)"),
    ("fa", "1404-Q2", "سه‌ماههٔ دوم ۱۴۰۴ (تیر–شهریور)"),
    ("fa", "1403-Q4", "سه‌ماههٔ چهارم ۱۴۰۳ (دی–اسفند)"),
    ("fa", "1404", "سال ۱۴۰۴"),
    ("ru", "1404-Q2", "II кв. 1404 (22 июн. – 22 сент. 2025)"),
    ("ru", "1404", "1404 год (21 мар. 2025 – 20 мар. 2026)"),
])
def test_labels_per_language(babel_app, lang, key, label):
    with force_locale(lang):
        assert format_period(key) == label
    assert format_period(key, locale=lang) == label


def test_labels_without_dates_and_for_nothing(babel_app):
    assert format_period("1404-Q2", locale="en", dates=False) == "1404 Q2"
    assert format_period(None) == "—"
    assert format_period("not-a-key") == "not-a-key"


@pytest.mark.parametrize(("lang", "key", "label"), [
    ("fa", "1404-Q1", "بهار ۱۴۰۴"), ("fa", "1404-Q4", "زمستان ۱۴۰۴"), ("fa", "1404", "سال ۱۴۰۴"),
    ("en", "1404-Q1", "Q1 1404"), ("en", "1404-Q3", "Q3 1404"), ("en", "1404", "1404"),
    ("ru", "1404-Q2", "II кв. 1404"), ("ru", "1404", "1404 год"),
])
def test_short_labels_for_phones_and_chart_axes(babel_app, lang, key, label):
    assert format_period(key, locale=lang, short=True) == label
    template = babel_app.jinja_env.from_string("{{ key|format_period(short=true) }}")
    with force_locale(lang):
        assert template.render(key=key) == label


def test_the_template_filter_formats_keys(babel_app):
    template = babel_app.jinja_env.from_string("{{ key|format_period }}")
    with force_locale("en"):
        assert template.render(key="1404-Q2") == "1404 Q2 (22 Jun – 22 Sep 2025)"
