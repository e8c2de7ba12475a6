"""Progress status of a goal, by Open SDG's method (open-sdg/sdg-build ``ProgressMeasure``).

Only approved values ever reach these functions. They take plain numbers, so
the database does the summing and averaging and this module only classifies.

Two measures, chosen by how the goal's periods combine:

**Level goals** (aggregation ``latest`` or ``average``: a rate, a stock) use
Open SDG's measure as it is, on a time axis of Solar Hijri years (a period
counts at its end: 1404-Q2 is 1404.5, the year 1404 is 1405.0)::

    cagr(v1, v0, t1, t0) = (v1 / v0) ** (1 / (t1 - t0)) - 1      (a base of 0 counts as 0.001)
    progress = sign * direction * cagr(current, base, now, base_time)
               / abs(cagr(target, base, target_time, base_time))

with ``direction`` +1 when higher is better and -1 when lower is better, and
``sign`` -1 when the base value is negative. The base is the goal's baseline
(for the network) or the organisation's first approved value.

**Additive goals** (aggregation ``sum``: EUR exported, events held) compare the
cumulative approved value so far in the target year with the year's target
pro-rated to the elapsed part of the year: the quarters whose reports are due
by now, or further if approved reports already reach further (two quarters of
four → half the target; a past year → the whole target)::

    progress = cumulative / (target * covered)          higher is better
    progress = (target * covered) / cumulative          lower is better (a ceiling)

Both give the same labels, from the same thresholds:

=====================  =====================================================
target achieved        the target is reached (current ≥ target; ≤ when lower
                       is better; for additive goals over the whole year)
substantial progress   progress ≥ 0.95
moderate progress      0.6 ≤ progress < 0.95
limited progress       0 ≤ progress < 0.6
deterioration          progress < 0 (moving away from the target; for a
                       lower-is-better additive goal, the ceiling is exceeded)
not enough data        fewer than two observations, a base after the latest
                       observation, or no approved value in the target year
=====================  =====================================================

Without a target, the plain growth rate (annual, direction applied) is
classified with Open SDG's thresholds 0.015 / 0.005 / 0: above 0.015
substantial, above 0.005 moderate, above 0 limited, below 0 deterioration. For
additive goals the growth compares the cumulative value with the same periods
of the year before.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from wcc.goals.models import Aggregation, Direction

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
                    target: Number | None = None, previous: Number | None = None) -> Assessment:
    """The measure for an additive goal within one target year.

    ``cumulative`` is the approved total so far in the year; ``covered`` the
    elapsed share of the year (0–1]; ``previous`` the total of the same
    periods a year earlier (used when there is no target).
    """
    if cumulative is None or covered <= 0:
        return Assessment(ProgressStatus.NOT_ENOUGH_DATA,
                          target=None if target is None else float(target))
    cumulative = float(cumulative)
    covered = min(covered, 1.0)
    if target is None:
        if previous is None:
            return Assessment(ProgressStatus.NOT_ENOUGH_DATA, current=cumulative)
        growth = _sign(direction) * cagr(cumulative, float(previous), 1.0, 0.0)
        return Assessment(_from_growth(growth), current=cumulative)
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
