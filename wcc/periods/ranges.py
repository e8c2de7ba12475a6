"""Period ranges: which of a goal's periods a range holds, the seq axis, pro-rated shares.

A range runs from the first day of ``period_from`` to the last day of
``period_to`` (keys such as ``1404`` or ``1404-Q2``). A report counts when its
whole period lies inside. Periods are placed on one integer axis, ``seq``, so
that the rollups can find a range with an index: a quarter is
``year * 4 + quarter - 1``; a year is ``year * 4 + 3`` (its end, like its Q4;
one goal only ever has periods of one frequency, so the two never meet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from sqlalchemy import func

from wcc.periods.period import Frequency, Period, parse_period


def period_seq(period: Period) -> int:
    return period.year * 4 + (period.quarter or 4) - 1


def seq_column(model):
    """``period_seq`` in SQL, from a table's period_year and period_quarter columns."""
    return model.period_year * 4 + func.coalesce(model.period_quarter, 4) - 1


@dataclass(frozen=True)
class PeriodRange:
    first: Period
    last: Period

    @property
    def start(self) -> date:
        return self.first.first_day

    @property
    def end(self) -> date:
        return self.last.last_day

    @property
    def key(self) -> str:
        return f"{self.first.key}..{self.last.key}"

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    def periods(self, frequency: str) -> list[Period]:
        """The periods of ``frequency`` that lie wholly inside the range, oldest first."""
        return list(_range_periods(self, str(frequency)))

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # A range keys the caches of the progress status, asked once per member a dashboard judges.
        return hash((self.first, self.last))

    @cached_property
    def _bounds(self) -> dict[str, tuple[int, int] | None]:
        bounds = {}
        for frequency in Frequency:
            periods = self.periods(frequency)
            bounds[frequency.value] = (period_seq(periods[0]), period_seq(periods[-1])) if periods else None
        return bounds

    def seq_bounds(self, frequency: str) -> tuple[int, int] | None:
        """(first seq, last seq) of the range's periods of ``frequency``; None when it holds none."""
        return self._bounds[str(frequency)]

    def year_share(self, year: int) -> float:
        """The part of Solar Hijri ``year`` (0–1) the range covers, by days."""
        return _year_share(self, year)


@lru_cache(maxsize=1024)
def _range_periods(period_range: PeriodRange, frequency: str) -> tuple[Period, ...]:
    out = []
    for year in period_range.years:
        candidates = [Period(year)] if frequency == Frequency.YEARLY else [Period(year, q) for q in (1, 2, 3, 4)]
        out.extend(p for p in candidates if p.first_day >= period_range.start and p.last_day <= period_range.end)
    return tuple(out)


@lru_cache(maxsize=4096)
def _year_share(period_range: PeriodRange, year: int) -> float:
    whole = Period(year)
    start, end = max(period_range.start, whole.first_day), min(period_range.end, whole.last_day)
    if end < start:
        return 0.0
    return ((end - start).days + 1) / ((whole.last_day - whole.first_day).days + 1)


def goal_periods(goal, period_range: PeriodRange) -> list[Period]:
    """The goal's periods inside the range and inside the goal's own span."""
    return list(_goal_periods(goal.frequency, goal.first_period, goal.last_period, period_range))


@lru_cache(maxsize=1024)
def _goal_periods(frequency: str, first_key: str, last_key: str, period_range: PeriodRange) -> tuple[Period, ...]:
    first, last = parse_period(first_key).sort_key, parse_period(last_key).sort_key
    return tuple(p for p in period_range.periods(frequency) if first <= p.sort_key <= last)


@lru_cache(maxsize=4096)
def period_share_of_year(period: Period) -> float:
    """A quarter's share of its year, by days (a year: 1)."""
    if period.quarter is None:
        return 1.0
    year = period.year_period()
    return ((period.last_day - period.first_day).days + 1) / ((year.last_day - year.first_day).days + 1)
