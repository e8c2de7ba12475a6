"""Progress status by Open SDG's method: thresholds, direction, not enough data."""

from __future__ import annotations

import pytest

from wcc.reporting.progress import (
    Observation,
    ProgressStatus,
    assess_additive,
    assess_level,
    cagr,
)

S = ProgressStatus


def test_cagr_is_compound_annual_growth_and_treats_a_zero_base_as_small():
    assert cagr(121, 100, 2, 0) == pytest.approx(0.10)
    assert cagr(100, 100, 5, 1) == 0
    assert cagr(1, 0, 1, 0) == pytest.approx(999.0)


# Baseline 50 at 1402; target 80 by the end of 1405 (time 1406.0): the growth needed is
# (80/50)**(1/4) - 1 ≈ 12.5 % a year.
BASE = Observation(1403.0, 50.0)
NEEDED = (80 / 50) ** (1 / 3) - 1


def level(current: float, at: float = 1405.0, direction: str = "higher", target: float | None = 80.0):
    return assess_level([Observation(at, current)], direction=direction, base=BASE, target=target,
                        target_time=1406.0)


@pytest.mark.parametrize("progress, status", [
    (1.0, S.SUBSTANTIAL), (0.9501, S.SUBSTANTIAL), (0.9499, S.MODERATE), (0.6001, S.MODERATE), (0.5999, S.LIMITED),
    (0.0, S.LIMITED), (-0.1, S.DETERIORATION),
])
def test_level_thresholds(progress, status):
    # A current value growing at exactly ``progress`` times the needed rate over two years.
    current = 50 * (1 + progress * NEEDED) ** 2
    result = level(current)
    assert result.status == status
    assert result.progress == pytest.approx(progress, abs=1e-9)


def test_level_target_reached_is_achieved_whatever_the_pace():
    assert level(80).status == S.TARGET_ACHIEVED
    assert level(95, at=1403.25).status == S.TARGET_ACHIEVED


@pytest.mark.parametrize("current, status", [(20, S.TARGET_ACHIEVED), (28, S.SUBSTANTIAL), (39, S.LIMITED),
                                             (60, S.DETERIORATION)])
def test_lower_is_better_reverses_the_direction(current, status):
    # Base 50, aim 20 (fewer is better): going down is progress, going up is deterioration.
    result = assess_level([Observation(1405.0, current)], direction="lower", base=BASE, target=20,
                          target_time=1406.0)
    assert result.status == status


@pytest.mark.parametrize("observations, base", [
    ([], None),
    ([Observation(1404.5, 70)], None),          # one observation and no baseline
    ([Observation(1402.5, 70)], BASE),         # the base comes after the latest observation
])
def test_not_enough_data(observations, base):
    result = assess_level(observations, direction="higher", base=base, target=80, target_time=1406.0)
    assert result.status == S.NOT_ENOUGH_DATA


def test_level_without_a_baseline_starts_from_the_first_observation():
    result = assess_level([Observation(1403.25, 50), Observation(1404.25, 60)], direction="higher",
                          target=None, target_time=None)
    assert result.status == S.SUBSTANTIAL  # 20 % growth a year, above Open SDG's 1.5 %


@pytest.mark.parametrize("current, status", [(50.8, S.SUBSTANTIAL), (50.4, S.MODERATE), (50.1, S.LIMITED),
                                             (49, S.DETERIORATION)])
def test_without_target_the_growth_rate_thresholds_apply(current, status):
    result = assess_level([Observation(1404.0, current)], direction="higher", base=BASE)
    assert result.status == status


@pytest.mark.parametrize("cumulative, covered, status", [
    (1000, 0.5, S.TARGET_ACHIEVED),   # the whole year's target already reached
    (500, 0.5, S.SUBSTANTIAL),        # exactly on the straight line
    (400, 0.5, S.MODERATE),           # 0.8 of the pro-rated target
    (200, 0.5, S.LIMITED),            # 0.4
    (0, 0.5, S.LIMITED),
    (950, 1.0, S.SUBSTANTIAL),
    (None, 0.0, S.NOT_ENOUGH_DATA),
])
def test_additive_goals_compare_the_cumulative_value_with_the_pro_rated_target(cumulative, covered, status):
    assert assess_additive(cumulative, covered, direction="higher", target=1000).status == status


@pytest.mark.parametrize("cumulative, covered, status", [
    (1200, 0.75, S.DETERIORATION),    # the ceiling is already broken
    (900, 1.0, S.TARGET_ACHIEVED),    # the year is over and stayed under the ceiling
    (300, 0.5, S.SUBSTANTIAL),        # well under the pro-rated ceiling
    (700, 0.5, S.MODERATE),           # 500/700 ≈ 0.71
])
def test_additive_lower_is_better_treats_the_target_as_a_ceiling(cumulative, covered, status):
    assert assess_additive(cumulative, covered, direction="lower", target=1000).status == status


def test_additive_without_target_has_nothing_to_be_measured_against():
    assert assess_additive(110, 0.5, direction="higher").status == S.NOT_ENOUGH_DATA
    assert assess_additive(90, 1.0, direction="lower").status == S.NOT_ENOUGH_DATA
