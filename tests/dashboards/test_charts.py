"""Charts: names reach Plotly escaped; Persian charts are mirrored and written in Persian digits."""

from __future__ import annotations

import json

import pytest

from wcc.dashboards import charts
from wcc.dashboards.tables import Column, Table

HOSTILE = '<img src=x onerror="alert(1)"><b>Kashan</b>'


def ranking(app, lang: str) -> dict:
    from flask_babel import force_locale

    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        table = Table("ranking", "Ranking", [Column("org", "Member", "org"), Column("actual", "Approved", "value")],
                      [{"org": "IR-10-KASHAN", "actual": 12500.0}, {"org": "IR-10", "actual": 2500.0}],
                      {"IR-10-KASHAN": {"name": {"fa": HOSTILE, "en": HOSTILE, "ru": HOSTILE}, "kind": "municipality"},
                       "IR-10": {"name": {"fa": "اصفهان", "en": "Isfahan", "ru": "Исфахан"}, "kind": "province"}},
                      unit="EUR")
        return charts.horizontal_bars(table, "actual")


@pytest.mark.parametrize("lang", ["fa", "en", "ru"])
def test_user_written_names_are_escaped_before_they_reach_a_chart(app, lang):
    text = json.dumps(ranking(app, lang), ensure_ascii=False)
    assert "<img" not in text and "<b>" not in text
    assert "&lt;img" in text


def test_persian_charts_grow_from_the_right_with_persian_digits(app):
    fa, en = ranking(app, "fa")["layout"], ranking(app, "en")["layout"]
    assert fa["xaxis"].get("autorange") == "reversed" and fa["yaxis"]["side"] == "right"
    assert "autorange" not in en["xaxis"] and en["yaxis"]["side"] == "left"
    assert fa["margin"]["r"] > fa["margin"]["l"] and en["margin"]["l"] > en["margin"]["r"]
    assert any(ch in "".join(fa["xaxis"]["ticktext"]) for ch in "۱۲۵")
    assert all(ch not in "".join(en["xaxis"]["ticktext"]) for ch in "۰۱۲۳۴۵۶۷۸۹")
    assert fa["legend"]["xanchor"] == "right" and en["legend"]["xanchor"] == "left"


def test_nice_ticks_cover_the_values():
    assert charts.nice_ticks(0, 93) == [0, 20, 40, 60, 80, 100]
    ticks = charts.nice_ticks(0, 2_400_520)
    assert ticks[0] == 0 and ticks[-1] >= 2_400_520 and len(ticks) <= 8


def test_a_province_and_its_capital_with_one_name_stay_two_rows():
    assert charts.distinct(["Isfahan", "Isfahan", "Kashan"], ["IR-10", "IR-10-ISFAHAN", "IR-10-KASHAN"]) == \
        ["Isfahan (IR-10)", "Isfahan (IR-10-ISFAHAN)", "Kashan"]
