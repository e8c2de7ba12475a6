"""Targets over a period range: each organisation's own, and each province's as a whole.

Targets are yearly. Over a range, an additive target is each year's target
pro-rated to the part of that year the range covers (by days); a level target
is the target of the range's last year. A province as a whole is judged
against its organisations' targets added up (``wcc.goals.queries.AreaTargets``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from wcc.dashboards.cache import per_version
from wcc.dashboards.sql import as_float
from wcc.goals.models import Goal
from wcc.goals.queries import area_targets
from wcc.periods import (
    Period,
    PeriodRange,
    parse_period,
    period_share_of_year,
)
from wcc.reporting.progress import GoalRule
from wcc.reporting.queries import target_rows


@dataclass
class TargetBook:
    """Yearly targets, {(goal id, org id): {year: value}}: each organisation's own, and each
    province's as a whole (its organisations' targets added up, see ``AreaTargets``)."""

    explicit: dict[tuple[int, int], dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    areas: dict[tuple[int, int], dict[int, float]] = field(default_factory=lambda: defaultdict(dict))

    @classmethod
    def load(cls, goals: list[Goal], org_ids=None, province_ids: list[int] | None = None,
             rng: PeriodRange | None = None) -> TargetBook:
        """Targets of ``org_ids`` (all when None); with ``province_ids``, also those provinces' targets
        as a whole (two more queries). With ``rng``, only the targets of the range's years (all that
        ``over`` and ``period_target`` read for periods inside it)."""
        book = cls()
        years = rng.years if rng is not None else None
        if org_ids is None and goals:
            # Every organisation's: thousands of rows, the same until a target changes.
            key = ("targets", tuple(g.id for g in goals), tuple(years) if years else None)
            book.explicit = per_version(key, lambda: _explicit_targets(goals, None, years), large=True)
        elif goals:
            book.explicit = _explicit_targets(goals, org_ids, years)
        if province_ids:
            for goal_id, area_id, key, value in _province_targets(goals, province_ids, years):
                book.areas[(goal_id, area_id)][int(key)] = value
        return book

    def yearly(self, goal: Goal, org_id: int, as_area: bool = False) -> dict[int, Decimal | float]:
        """An organisation's own yearly targets, or (``as_area``) a province's as a whole."""
        if as_area:
            return self.areas.get((goal.id, org_id), {})
        return self.explicit.get((goal.id, org_id), {})

    def over(self, goal: Goal, org_id: int, rng: PeriodRange, as_area: bool = False) -> float | None:
        return range_target(goal, self.yearly(goal, org_id, as_area), rng)


def _explicit_targets(goals: list[Goal], org_ids, years: list[int] | None) -> dict[tuple[int, int], dict[int, float]]:
    explicit: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    for goal_id, org_id, key, value in target_rows(goals, org_ids=org_ids, years=years):
        explicit[(goal_id, org_id)][int(key)] = value
    # Organisations with the same yearly targets share one dict: a thousand members set few
    # distinct ones, and these are kept between requests (``per_version``).
    shared: dict[tuple, dict[int, float]] = {}
    return {key: shared.setdefault(tuple(sorted(yearly.items())), yearly) for key, yearly in explicit.items()}


def _province_targets(goals: list[Goal], province_ids: list[int], years: list[int] | None) -> list[tuple]:
    """``AreaTargets.targets`` of ``province_ids`` (a few per province and year), kept in the process per
    data version: target, goal and organisation changes move it, reports do not."""
    key = ("province-targets", tuple(g.id for g in goals), tuple(province_ids), tuple(years) if years else None)
    return per_version(key, lambda: list(area_targets(goals, province_ids=province_ids, years=years).targets(goals)))


def range_target(goal: Goal, yearly: dict[int, Decimal], rng: PeriodRange) -> float | None:
    """The target over ``rng``: additive goals pro-rate each year's target by the days covered;
    level goals take the target of the last year. None when a year the range needs has none."""
    shares = _year_shares(goal.first_period, goal.last_period, rng)
    if not shares:
        return None
    if not goal.is_additive:
        return as_float(yearly.get(shares[-1][0]))
    total = 0.0
    for year, share in shares:
        value = yearly.get(year)
        if value is None:
            return None
        total += float(value) * share
    return total


@lru_cache(maxsize=1024)
def _year_shares(first_key: str, last_key: str, rng: PeriodRange) -> tuple[tuple[int, float], ...]:
    """(year, share of it the range covers) for the goal's years the range touches."""
    first, last = parse_period(first_key).year, parse_period(last_key).year
    return tuple((y, rng.year_share(y)) for y in rng.years if first <= y <= last and rng.year_share(y) > 0)


def period_target(goal: Goal | GoalRule, yearly: dict[int, Decimal], period: Period) -> float | None:
    value = yearly.get(period.year)
    if value is None:
        return None
    return float(value) * period_share_of_year(period) if goal.is_additive else float(value)
