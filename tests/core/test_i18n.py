"""Languages: how the locale is chosen, the page direction, formatting, Persian text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.i18n.formatting import format_date, format_datetime, format_number, format_percent
from wcc.i18n.text import fold


@pytest.mark.parametrize("lang, direction", [("fa", "rtl"), ("en", "ltr"), ("ru", "ltr")])
def test_html_lang_and_dir_follow_the_locale(app, lang, direction):
    page = app.test_client().get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert ("bootstrap.rtl.min.css" in page) is (direction == "rtl")


def test_persian_is_the_default(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page and "ورود" in page


def test_accept_language_then_session_then_query(app):
    client = app.test_client()
    assert 'lang="ru"' in client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login?lang=en", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    # the choice sticks in the session, above Accept-Language
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_a_signed_in_users_preference_wins_and_a_link_changes_the_session_only(client, network, login_as):
    from wcc.extensions import db

    user = login_as(network.users["isfahan_city"])
    user.preferred_language = "ru"
    db.session.commit()
    assert 'lang="ru"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # A GET (which another site can make the browser send) changes this session's language ...
    assert 'lang="en"' in client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    # ... but never what is stored: the preference changes only through the profile form (POST).
    db.session.refresh(user)
    assert user.preferred_language == "ru"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.update")) == 0
    client.post("/profile", data={"name": user.name, "preferred_language": "en"})
    db.session.refresh(user)
    assert user.preferred_language == "en"


def test_unknown_languages_are_ignored(app):
    page = app.test_client().get("/login?lang=de", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'lang="fa"' in page


@pytest.mark.parametrize("lang", ["fa", "ru"])
def test_catalogues_translate_every_message(lang):
    with open(f"translations/{lang}/LC_MESSAGES/messages.po", "rb") as fh:
        catalogue = read_po(fh, locale=lang)
    untranslated = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                           and not all(m.string)))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_numbers(app):
    with app.test_request_context():
        assert format_number(12500, locale="fa") == "۱۲٬۵۰۰"
        assert format_number(Decimal("1300000.5"), 1, locale="en") == "1,300,000.5"
        assert format_number(12500.25, 2, locale="ru") == "12\xa0500,25"
        assert format_percent(87.5, 1, locale="fa") == "۸۷٫۵٪"
        assert format_number(None) == "—"


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
@pytest.mark.parametrize("decimals", [None, 0, 1, 2, 3])
def test_numbers_read_as_babel_writes_them(app, lang, decimals):
    """Numbers are formatted without Babel's pattern machinery (dashboards format thousands), so
    the result must be Babel's own, character for character: rounding half to even, the sign,
    grouping and the locale's separators, for floats, integers and decimals."""
    import random

    from babel import Locale
    from babel.numbers import parse_pattern

    rng = random.Random(1404)
    values = [0, -0.0, 1, -1, 2.675, 0.0005, 0.0015, 1234.5, -1234.5678, 999.9995, 12500, 1e-7, 5e20,
              Decimal("1300000.5"), Decimal("-0.0004"), 10**15 + 0.5, 123456789012.345,
              0.5, 1.5, 2.5, -0.5, -1.5, -2.5, -0.3, 0.49999999999999994, -0.49999999999999994, 99.5, 1.2345678901234567e+17, -4503599627370497.0]
    values += [rng.uniform(-1e7, 1e7) for _ in range(300)]
    values += [round(rng.uniform(-1e4, 1e4), rng.randint(0, 5)) for _ in range(300)]
    values += [Decimal(rng.randint(-10**9, 10**9)) / Decimal(10**rng.randint(0, 6)) for _ in range(300)]
    pattern = parse_pattern(Locale.parse(lang).decimal_formats[None] if decimals is None
                            else "#,##0" + ("." + "#" * decimals if decimals else ""))
    with app.test_request_context():
        for value in values:
            expected = pattern.apply(value, Locale.parse(lang), numbering_system="default")
            if lang == "fa":
                expected = expected.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
            assert format_number(value, decimals, locale=lang) == expected, value


def test_dates_are_solar_hijri_in_persian_and_gregorian_otherwise(app):
    with app.test_request_context():
        assert format_date(date(2025, 6, 22), locale="fa") == "۱ تیر ۱۴۰۴"
        assert format_date(date(2025, 3, 21), locale="fa") == "۱ فروردین ۱۴۰۴"
        assert format_date(date(2025, 3, 20), locale="fa") == "۳۰ اسفند ۱۴۰۳"  # 1403 is a leap year
        assert format_date(date(2025, 6, 22), locale="en") == "22 Jun 2025"
        assert format_date(date(2025, 6, 22), locale="ru").startswith("22 июн")
        # 20:45 UTC is 00:15 the next day in Tehran
        moment = datetime(2025, 6, 21, 20, 45, tzinfo=UTC)
        assert format_datetime(moment, locale="en") == "22 Jun 2025 00:15"
        assert format_datetime(moment, locale="fa").startswith("۱ تیر ۱۴۰۴")


@pytest.mark.parametrize("a, b", [
    ("كيفيت", "کیفیت"),                       # Arabic kaf/yeh vs Persian
    ("نمایشگاه‌های زنده", "نمایشگاه های زنده"),  # ZWNJ vs space
    ("نمایشگاه‌ها", "نمایشگاهها"),               # ZWNJ vs nothing
    ("۱۴۰۴", "1404"), ("٢٠٢٥", "2025"),         # Persian / Arabic-Indic digits
    ("Felt RUGS", "felt rugs"),
])
def test_search_folding_matches_what_users_mean(a, b):
    assert fold(a) == fold(b)


def test_search_folding_keeps_different_words_apart():
    assert fold("نمد") != fold("نمک")


def test_russian_statuses_read_as_plain_russian(app):
    from flask_babel import force_locale

    from wcc.dashboards.tables import TRACK_LABELS
    from wcc.reporting.forms import STATUS_LABELS
    from wcc.reporting.models import Status

    with app.test_request_context(), force_locale("ru"):
        assert [str(TRACK_LABELS[k]) for k in ("on_track", "at_risk", "off_track")] == [
            "По плану", "Риск отставания", "Отстаёт от плана"]
        # A report (отчёт) is masculine, as in every other status of it.
        assert [str(STATUS_LABELS[s]) for s in Status] == [
            "Черновик", "Отправлен", "Проверен провинцией", "Утверждён", "Возвращён"]
