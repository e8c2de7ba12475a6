"""The calendar: Solar Hijri reporting periods, ranges of them, due dates and the network's clock.

Every area asks this package, and it asks none of them: goals, reporting,
dashboards and initiatives sit above it.

- ``period``: a ``Period`` (a year ``1404`` or a quarter ``1404-Q2``), parsing
  and labelling keys, due dates;
- ``ranges``: a ``PeriodRange`` (``1404-Q1..1404-Q4``) and the integer ``seq``
  axis the dashboards' rollups index;
- ``clock``: the network's time zone and ``today()``.
"""

from wcc.periods.clock import network_date, network_timezone, to_network_time, today
from wcc.periods.period import (
    JALALI_MONTHS_FA,
    Frequency,
    Period,
    PeriodError,
    due_date,
    format_period,
    is_period_key,
    parse_period,
    period_containing,
    periods_between,
    years_between,
)
from wcc.periods.ranges import (
    PeriodRange,
    goal_periods,
    period_seq,
    period_share_of_year,
    seq_column,
)

__all__ = [
    "JALALI_MONTHS_FA", "Frequency", "Period", "PeriodError", "PeriodRange", "due_date", "format_period",
    "goal_periods", "is_period_key", "network_date", "network_timezone", "parse_period", "period_containing",
    "period_seq", "period_share_of_year", "periods_between", "seq_column", "to_network_time", "today",
    "years_between",
]
