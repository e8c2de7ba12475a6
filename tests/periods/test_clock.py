"""The network's clock: one "today", in the network's time zone, asked of ``wcc.periods``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask

from wcc.periods import Frequency, clock, period_containing

ROOT = Path(__file__).resolve().parents[2]


def test_the_day_is_the_networks_not_utcs():
    # 20:45 UTC on 21 June is 00:15 on 22 June in Tehran, the first day of 1404-Q2.
    late_evening = datetime(2025, 6, 21, 20, 45, tzinfo=UTC)
    assert clock.network_date(late_evening) == date(2025, 6, 22)
    assert period_containing(clock.network_date(late_evening), Frequency.QUARTERLY).key == "1404-Q2"


def test_the_time_zone_is_a_setting():
    app = Flask(__name__)
    app.config["TIMEZONE"] = "UTC"
    with app.app_context():
        assert clock.network_date(datetime(2025, 6, 21, 20, 45, tzinfo=UTC)) == date(2025, 6, 21)


def test_no_other_module_reads_the_date_from_the_system():
    """Every "today" is ``wcc.periods.clock.today()``: no second clock in any area."""
    second_clocks = re.compile(r"date\.today\(|JalaliDate\.today\(|datetime\.today\(|\.now\(\)\.date\(")
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "wcc").rglob("*.py")
                 if second_clocks.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
