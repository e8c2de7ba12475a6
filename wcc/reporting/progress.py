"""Progress status of a goal, by Open SDG's method (open-sdg/sdg-build ``ProgressMeasure``).

``judge`` is the one progress status of the app: the goal pages, the
dashboards, their CSV files, the public pages and the API all call it, and it
is the rule README's "Progress status" section states. Only approved values
ever reach it; the database does the summing and averaging, and this module
only classifies.

What is judged, over a span of periods (a target year on the goal pages and
the goal progress API, the chosen range on the dashboards):

- **actual**: the goal's aggregation of the approved values in the span: the
  sum (``sum``), the value of the latest period (``latest``) or the mean
  (``average``). It stands at the end of the latest period reported.
- **base** (level goals): the first approved value at or after the goal's
  baseline period (its first period when no baseline is recorded), never after
  the span's end. It does not depend on where the span starts. For the
  network, a recorded baseline value is the base.
- **target**: the target over the span (see ``wcc.dashboards`` for ranges; a
  year's target on the goal pages). A province as a whole is judged on the
  same organisations for its actual and its target: its own reports and its
  municipalities', against the sum of their targets (the mean for levels),
  which exists only when each of them has set one
  (``wcc.goals.queries.AreaTargets``).

Two measures, chosen by how the goal's periods combine:

**Level goals** (aggregation ``latest`` or ``average``: a rate, a stock) use
Open SDG's measure as it is, on a time axis of Solar Hijri years (a period
counts at its end: 1404-Q2 is 1404.5, the year 1404 is 1405.0)::

    cagr(v1, v0, t1, t0) = (v1 / v0) ** (1 / (t1 - t0)) - 1      (a base of 0 counts as 0.001)
    progress = sign * direction * cagr(actual, base, now, base_time)
               / abs(cagr(target, base, target_time, base_time))

with ``direction`` +1 when higher is better and -1 when lower is better,
``sign`` -1 when the base value is negative, and ``target_time`` the end of
the span's last year.

**Additive goals** (aggregation ``sum``: EUR exported, events held) compare the
approved total over the span with the target pro-rated to the part of the span
that has elapsed: the share of the span's periods whose reports are due by
today, or further if approved reports already reach further (two quarters of
four → half the target; a past span → the whole target)::

    progress = actual / (target * covered)          higher is better
    progress = (target * covered) / actual          lower is better (a ceiling)

Both give the same labels, from the same thresholds:

=====================  =====================================================
target achieved        the target is reached (actual ≥ target; ≤ when lower
                       is better; for additive goals over the whole span)
substantial progress   progress ≥ 0.95
moderate progress      0.6 ≤ progress < 0.95
limited progress       0 ≤ progress < 0.6
deterioration          progress < 0 (moving away from the target; for a
                       lower-is-better additive goal, the ceiling is exceeded)
not enough data        no approved value in the span; for levels, no base
                       before the latest value; for additive goals, no target
=====================  =====================================================

**Without a target**, a level goal is judged by its annual growth since the
base (direction applied) with Open SDG's thresholds 0.015 / 0.005 / 0: above
0.015 substantial, above 0.005 moderate, from 0 limited, below 0
deterioration. An additive goal without a target has nothing to be measured
against: *not enough data*, and the target is shown as "—".
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from wcc.goals.models import Aggregation, Direction, Goal
from wcc.periods import Period, PeriodRange, due_date, goal_periods, parse_period, period_seq

#: Progress (actual growth ÷ growth needed) at or above which progress is substantial.
SUBSTANTIAL = 0.95
#: ... at or above which it is moderate; below, down to 0, it is limited.
MODERATE = 0.6
#: Growth-rate thresholds when there is no target (Open SDG's defaults).
NO_TARGET_SUBSTANTIAL = 0.015
NO_TARGET_MODERATE = 0.005
#: A base value of zero is replaced by this, so growth from nothing is finite.
ZERO_BASE = 0.001


class ProgressStatus(enum.StrEnum):
    TARGET_ACHIEVED = "target_achieved"
    SUBSTANTIAL = "substantial_progress"
    MODERATE = "moderate_progress"
    LIMITED = "limited_progress"
    DETERIORATION = "deterioration"
    NOT_ENOUGH_DATA = "not_enough_data"


STATUS_LABELS = {
    ProgressStatus.TARGET_ACHIEVED: _l("Target achieved"),
    ProgressStatus.SUBSTANTIAL: _l("Substantial progress"),
    ProgressStatus.MODERATE: _l("Moderate progress"),
    ProgressStatus.LIMITED: _l("Limited progress"),
    ProgressStatus.DETERIORATION: _l("Deterioration"),
    ProgressStatus.NOT_ENOUGH_DATA: _l("Not enough data"),
}

#: Which organisations a province's figures cover, said on every page that shows a province as a whole.
PROVINCE_RULE = _l("A province as a whole counts the reports of the provincial government and of its "
                   "municipalities, and is measured against the targets of the same organisations, added up "
                   "(averaged for rates), once each of them has set one.")

#: Bootstrap colours for the status badges.
STATUS_STYLES = {
    ProgressStatus.TARGET_ACHIEVED: "success",
    ProgressStatus.SUBSTANTIAL: "success",
    ProgressStatus.MODERATE: "info",
    ProgressStatus.LIMITED: "warning",
    ProgressStatus.DETERIORATION: "danger",
    ProgressStatus.NOT_ENOUGH_DATA: "secondary",
}

Number = float | int | Decimal


@dataclass(frozen=True)
class Observation:
    """One approved value at a time on the Solar Hijri axis (see ``Period.time``)."""

    time: float
    value: float


@dataclass(frozen=True)
class Assessment:
    status: ProgressStatus
    #: Actual growth ÷ growth needed (or cumulative ÷ pro-rated target); None when not measured.
    progress: float | None = None
    #: The value that was judged: the latest level, or the cumulative sum.
    current: float | None = None
    #: The target it was judged against, when there was one.
    target: float | None = None


def cagr(v1: float, v0: float, t1: float, t0: float) -> float:
    """Compound annual growth from ``v0`` at ``t0`` to ``v1`` at ``t1`` (years)."""
    if v0 == 0:
        v0 = ZERO_BASE
    ratio = v1 / v0
    if ratio < 0:
        raise ValueError("growth across a change of sign is not defined")
    return ratio ** (1 / (t1 - t0)) - 1


def _from_progress(progress: float) -> ProgressStatus:
    if progress >= SUBSTANTIAL:
        return ProgressStatus.SUBSTANTIAL
    if progress >= MODERATE:
        return ProgressStatus.MODERATE
    if progress >= 0:
        return ProgressStatus.LIMITED
    return ProgressStatus.DETERIORATION


def _from_growth(growth: float) -> ProgressStatus:
    if growth > NO_TARGET_SUBSTANTIAL:
        return ProgressStatus.SUBSTANTIAL
    if growth > NO_TARGET_MODERATE:
        return ProgressStatus.MODERATE
    if growth >= 0:
        return ProgressStatus.LIMITED
    return ProgressStatus.DETERIORATION


def _sign(direction: str) -> int:
    return -1 if direction == Direction.LOWER else 1


def _reached(current: float, target: float, direction: str) -> bool:
    return current <= target if direction == Direction.LOWER else current >= target


def assess_level(observations: Sequence[Observation], *, direction: str,
                 base: Observation | None = None, target: Number | None = None,
                 target_time: float | None = None) -> Assessment:
    """Open SDG's measure for a level indicator.

    ``observations`` are approved values in any order; the latest is "current".
    ``base`` defaults to the earliest observation. ``target`` is reached by
    ``target_time``.
    """
    points = sorted(observations, key=lambda o: o.time)
    if not points:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA)
    current = points[-1]
    if base is None:
        base = points[0]
    elif base.time < points[0].time:
        points = [base, *points]
    else:
        points = [base, *[p for p in points if p.time > base.time]]
    if len(points) < 2 or base.time >= current.time:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=current.value,
                          target=None if target is None else float(target))
    direction_sign = _sign(direction)
    sign = -1 if base.value < 0 else 1
    try:
        actual = cagr(current.value, base.value, current.time, base.time)
    except ValueError:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=current.value)
    if target is None or target_time is None:
        growth = sign * direction_sign * actual
        return Assessment(_from_growth(growth), progress=None, current=current.value)
    target = float(target)
    if _reached(current.value, target, direction):
        return Assessment(ProgressStatus.TARGET_ACHIEVED, current=current.value, target=target)
    if target_time <= base.time:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=current.value, target=target)
    try:
        needed = abs(cagr(target, base.value, target_time, base.time))
    except ValueError:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=current.value, target=target)
    if needed == 0:
        # The target is the base value and it is not reached: the series moved away from it.
        return Assessment(ProgressStatus.DETERIORATION, current=current.value, target=target)
    progress = sign * direction_sign * actual / needed
    return Assessment(_from_progress(progress), progress=progress, current=current.value, target=target)


def assess_additive(cumulative: Number | None, covered: float, *, direction: str,
                    target: Number | None = None) -> Assessment:
    """The measure for an additive goal over a span of periods.

    ``cumulative`` is the approved total over the span; ``covered`` the
    elapsed share of the span (0–1]. Without a target: not enough data.
    """
    if cumulative is None or covered <= 0:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA,
                          target=None if target is None else float(target))
    cumulative = float(cumulative)
    covered = min(covered, 1.0)
    if target is None:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=cumulative)
    target = float(target)
    expected = target * covered
    if direction == Direction.LOWER:
        if cumulative > target:
            return Assessment(ProgressStatus.DETERIORATION, progress=expected / cumulative,
                              current=cumulative, target=target)
        if covered >= 1:
            return Assessment(ProgressStatus.TARGET_ACHIEVED, current=cumulative, target=target)
        progress = math.inf if cumulative == 0 else expected / cumulative
        return Assessment(_from_progress(progress), progress=None if math.isinf(progress) else progress,
                          current=cumulative, target=target)
    if cumulative >= target:
        return Assessment(ProgressStatus.TARGET_ACHIEVED, current=cumulative, target=target)
    if expected <= 0:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=cumulative, target=target)
    progress = cumulative / expected
    return Assessment(_from_progress(progress), progress=progress, current=cumulative, target=target)


def measure_for(aggregation: str) -> str:
    """"additive" for goals whose periods add up, "level" for the others."""
    return "additive" if aggregation == Aggregation.SUM else "level"


# --- the one progress status ------------------------------------------------------------

def base_period(goal: Goal) -> Period:
    """The first period of the goal's frequency that starts at or after its baseline period
    (its first period when no baseline is recorded): where a base value may come from."""
    start = parse_period(goal.baseline_period or goal.first_period)
    if goal.frequency == "yearly":
        return Period(start.year + (1 if start.quarter and start.quarter > 1 else 0))
    return Period(start.year, start.quarter or 1)


def base_seq(goal: Goal) -> int:
    """``base_period`` on the rollups' seq axis."""
    return period_seq(base_period(goal))


@lru_cache(maxsize=1024)
def _schedule(frequency: str, first_key: str, last_key: str, due_days: int, span: PeriodRange,
              today) -> tuple[tuple, int]:
    """The sort keys of a goal's periods in ``span`` (ascending) and how many are due by ``today``:
    the same for every member a dashboard judges, so worked out once."""
    periods = goal_periods(_GoalSpan(frequency, first_key, last_key), span)
    return tuple(p.sort_key for p in periods), sum(1 for p in periods if due_date(p, due_days) < today)


@dataclass(frozen=True)
class _GoalSpan:
    """What ``goal_periods`` reads of a goal."""

    frequency: str
    first_period: str
    last_period: str


@dataclass(frozen=True)
class GoalRule:
    """What the progress status reads of a goal, copied out of its row once: a dashboard judges a
    thousand members of one goal, and reading a mapped attribute costs more than the rule's own
    arithmetic. ``judge`` takes one wherever it takes a goal."""

    aggregation: str
    is_additive: bool
    direction: str
    frequency: str
    first_period: str
    last_period: str
    due_days: int
    baseline_period: str | None

    @classmethod
    def of(cls, goal: Goal) -> GoalRule:
        return cls(goal.aggregation, goal.is_additive, goal.direction, goal.frequency, goal.first_period,
                   goal.last_period, goal.due_days, goal.baseline_period)


def judge(goal: Goal | GoalRule, *, actual: float | None, last: Period | None, target: Number | None,
          span: PeriodRange, today, base: Observation | None = None) -> Assessment:
    """The progress status of ``goal`` over ``span``: the rule of this module's docstring.

    ``actual`` is the goal's aggregation of the approved values in the span and
    ``last`` the latest period among them (None when nothing is approved);
    ``base`` the first approved value at or after ``base_period(goal)`` (levels
    only); ``target`` the target over the span.
    """
    return Judge(goal, span, today)(actual=actual, last=last, target=target, base=base)


class Judge:
    """``judge`` made ready for one goal, span and day, then asked once per figure: a dashboard
    judges a thousand members of one goal over one range, and what depends only on the goal, the
    span and the day (the goal's periods in the span, how many are due, the target's time) is
    worked out once."""

    __slots__ = ("additive", "direction", "keys", "due", "target_time")

    def __init__(self, goal: Goal | GoalRule, span: PeriodRange, today) -> None:
        self.additive, self.direction = goal.is_additive, goal.direction
        if self.additive:
            self.keys, self.due = _schedule(goal.frequency, goal.first_period, goal.last_period, goal.due_days,
                                            span, today)
        else:
            self.target_time = Period(span.last.year).time

    def __call__(self, *, actual: float | None, last: Period | None, target: Number | None,
                 base: Observation | None = None) -> Assessment:
        target = None if target is None else float(target)
        if actual is None or last is None:
            return Assessment(ProgressStatus.NOT_ENOUGH_DATA, target=target)
        if self.additive:
            return assess_additive(actual, self.covered(last), direction=self.direction, target=target)
        current = Observation(last.time, float(actual))
        return assess_level([current], direction=self.direction, base=base, target=target,
                            target_time=self.target_time)

    def covered(self, last_reported: Period | None) -> float:
        """The share of the goal's periods in the span that are due by the day or already reported
        (``last_reported`` and those before it): additive goals only."""
        if not self.keys:
            return 0.0
        reached = bisect_right(self.keys, last_reported.sort_key) if last_reported is not None else 0
        return max(self.due, reached) / len(self.keys)
