"""Figures over a range and their progress status: a member's, a province's as a whole, the network's.

How figures combine (README, "Dashboards"):

- Only approved reports count.
- A member's actual over a range follows the goal's aggregation over its own
  approved reports: sum → sum, latest → the value of the latest period in
  the range, average → the mean of its values.
- An area (a province as a whole: its own and its municipalities' reports; or
  the network) per period: additive goals add the members' values up, level
  goals average them. Over the range the area's per-period values combine by
  the goal's aggregation in the same way.
- The status is ``wcc.reporting.progress.judge``, the one the goal pages use.

Results are plain dicts (codes, numbers as floats), ready for JSON, templates
and the cache.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from wcc.dashboards.sql import as_float, seq_period
from wcc.dashboards.targets import period_target
from wcc.goals.models import Aggregation, Goal
from wcc.periods import (
    Period,
    PeriodRange,
    goal_periods,
    period_seq,
)
from wcc.reporting.progress import GoalRule, Judge, Observation, ProgressStatus

TRACKS = {
    ProgressStatus.TARGET_ACHIEVED: "on_track",
    ProgressStatus.SUBSTANTIAL: "on_track",
    ProgressStatus.MODERATE: "at_risk",
    ProgressStatus.LIMITED: "off_track",
    ProgressStatus.DETERIORATION: "off_track",
    ProgressStatus.NOT_ENOUGH_DATA: "no_data",
}


def percent(actual: float | None, target: float | None) -> float | None:
    if actual is None or not target:
        return None
    return 100.0 * actual / target


def track(status: str) -> str:
    return TRACKS[status]  # ProgressStatus is a StrEnum: its values are its keys


def status_over(judged: Judge, goal: Goal | GoalRule, actual: float | None, last_seq: int | None,
                target: float | None, base: Observation | None = None) -> str:
    """The progress status (``ProgressStatus`` value) of a figure over the range, by ``judged``:
    ``progress.judge`` made ready for the goal, the range and the day."""
    last = seq_period(last_seq, goal) if last_seq is not None else None
    return judged(actual=actual, last=last, target=target, base=base).status.value


def figure(goal: Goal, actual, target, reports: int, status: str) -> dict:
    return {"actual": actual, "target": target, "percent_of_target": percent(actual, target),
            "status": status, "track": track(status), "reports": reports}


def area_actual(goal: Goal, row: dict | None) -> float | None:
    if row is None or not row["count"]:
        return None
    if goal.aggregation == Aggregation.SUM:
        return as_float(row["sum"])
    return as_float(row["latest"] if goal.aggregation == Aggregation.LATEST else row["mean"])


def _period_value(goal: Goal | GoalRule, value_sum, value_count) -> float | None:
    if not value_count:
        return None
    return float(value_sum) if goal.is_additive else float(value_sum) / value_count


def combine(goal: Goal, values: list[float]) -> float | None:
    """Per-period values (oldest first) combined over a range by the goal's aggregation."""
    if not values:
        return None
    if goal.aggregation == Aggregation.SUM:
        return sum(values)
    if goal.aggregation == Aggregation.LATEST:
        return values[-1]
    return sum(values) / len(values)


def area_series(goal: Goal, rng: PeriodRange, grouped, area_id: int, yearly: dict[int, Decimal]) -> list[dict]:
    """Per period of the range: the area's actual and target, with running totals."""
    by_seq = grouped.get((goal.id, area_id), {})
    rule = GoalRule.of(goal)  # read once: a page draws some thirty areas over every period of its range
    additive = rule.is_additive
    out, cum_actual, cum_target = [], 0.0, 0.0
    for period, seq, key in _axis(rule, rng):
        row = by_seq.get(seq)
        actual = _period_value(rule, row.s, row.c) if row is not None else None
        target = period_target(rule, yearly, period)
        cum_actual += actual or 0.0
        cum_target += target or 0.0
        out.append({"period": key, "actual": actual, "target": target,
                    "cumulative_actual": cum_actual if additive else None,
                    "cumulative_target": cum_target if additive and target is not None else None})
    return out


@lru_cache(maxsize=256)
def _axis(rule: GoalRule, rng: PeriodRange) -> tuple[tuple[Period, int, str], ...]:
    """The goal's periods in the range (``goal_periods``), each with its seq and key, worked out once."""
    return tuple((p, period_seq(p), p.key) for p in goal_periods(rule, rng))


def area_values(goal: Goal, rng: PeriodRange, grouped, area_id: int) -> list[tuple[int, float]]:
    """The area's value in each period of the range that has an approved one, oldest first, with
    the period's seq: what its figure over the range is made of (``area_figure``)."""
    by_seq = grouped.get((goal.id, area_id))
    if not by_seq:
        return []
    rule = GoalRule.of(goal)
    out = []
    for _period, seq, _key in _axis(rule, rng):
        row = by_seq.get(seq)
        value = _period_value(rule, row.s, row.c) if row is not None else None
        if value is not None:
            out.append((seq, value))
    return out


def area_figure(judged: Judge, goal: Goal, values: list[tuple[int, float]], target: float | None, reports: int,
                base: Observation | None = None) -> dict:
    """An area's figure over the range from its per-period ``values`` (``area_values``); ``base``
    from ``area_bases``; ``judged``: see ``status_over``."""
    actual = combine(goal, [value for _seq, value in values])
    last_seq = values[-1][0] if values else None
    return figure(goal, actual, target, reports, status_over(judged, goal, actual, last_seq, target, base))


def member_status(judged: Judge, goal: Goal | GoalRule, fig: dict, target: float | None) -> str:
    """A member's status over the range, from ``member_figures`` (``judged``: see ``status_over``)."""
    base = None
    if fig["base_seq"] is not None:
        base = Observation(seq_period(fig["base_seq"], goal).time, fig["base_value"])
    return status_over(judged, goal, fig["actual"], fig["last_seq"], target, base)
