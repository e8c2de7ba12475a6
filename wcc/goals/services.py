"""Rules for goals and targets. Services flush and raise ServiceError; the request commits."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wcc.audit.services import diff, record, snapshot
from wcc.errors import ServiceError, conflict
from wcc.extensions import db
from wcc.goals.display import plain_number
from wcc.goals.models import Aggregation, Direction, Goal, Target, Theme, Unit
from wcc.i18n.numbers import (
    AmbiguousNumber,
    NumberFormatError,
    ambiguous_message,
    number_error_message,
    parse_number,
)
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import Frequency, PeriodError, parse_period
from wcc.transaction import unique

GOAL_FIELDS = ("code", "title_fa", "title_en", "title_ru", "description_fa", "description_en",
               "description_ru", "theme", "unit", "aggregation", "direction", "frequency",
               "baseline_value", "baseline_period", "first_period", "last_period",
               "reported_by_province", "reported_by_municipality", "due_days", "active",
               "public_dashboard")

CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")
#: The largest magnitude a value may have (Numeric(20, 4) holds 16 whole digits).
MAX_VALUE = Decimal("1e15")


# --- values -----------------------------------------------------------------------

def parse_value(raw, unit: str, field: str = "value") -> Decimal | None:
    """A goal value as typed («۱۲٬۵۰۰», "12 500", 12500) → Decimal; ServiceError if unusable.

    Whole numbers only for counts and people; percentages from 0 to 100; no
    negative values; at most four decimal places. «۱۲.۵۰۰» is refused as
    ambiguous (see ``wcc.i18n.numbers``): the message names both readings.
    """
    try:
        value = parse_number(raw)
    except AmbiguousNumber as exc:
        raise ServiceError(ambiguous_message(exc), field) from None
    except NumberFormatError:
        raise ServiceError(number_error_message(), field) from None
    if value is None:
        return None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise ServiceError(_("This number is too large."), field)
    if value < 0:
        raise ServiceError(_("The value cannot be negative."), field)
    if unit in (Unit.COUNT, Unit.PEOPLE) and value != value.to_integral_value():
        raise ServiceError(_("Enter a whole number."), field)
    if unit == Unit.PERCENT and value > 100:
        raise ServiceError(_("A percentage is between 0 and 100."), field)
    if value != value.quantize(Decimal("0.0001")):
        raise ServiceError(_("Use at most four decimal places."), field)
    return value


# --- goals ------------------------------------------------------------------------

def _check_choice(value: str, enum_cls, field: str) -> None:
    if value not in {m.value for m in enum_cls}:
        raise ServiceError(_("Choose one of the listed options."), field)


def validate_goal(goal: Goal) -> None:
    """Raise ServiceError unless the goal's values fit together."""
    if not CODE_PATTERN.fullmatch(goal.code or "") or len(goal.code) > 40:
        raise ServiceError(_("A goal's code is capital letters, digits and hyphens, such as EXPORT-RU."),
                        "code")
    for field in ("title_fa", "title_en", "title_ru"):
        if not (getattr(goal, field) or "").strip():
            raise ServiceError(_("This field is required."), field)
    _check_choice(goal.theme, Theme, "theme")
    _check_choice(goal.unit, Unit, "unit")
    _check_choice(goal.aggregation, Aggregation, "aggregation")
    _check_choice(goal.direction, Direction, "direction")
    _check_choice(goal.frequency, Frequency, "frequency")
    try:
        first, last = parse_period(goal.first_period), parse_period(goal.last_period)
    except PeriodError:
        raise ServiceError(_("Periods are written 1404 (a year) or 1404-Q2 (a quarter)."), "first_period") \
            from None
    if first.frequency != goal.frequency or last.frequency != goal.frequency:
        raise ServiceError(_("The first and last periods must be quarters for a quarterly goal and years "
                          "for a yearly one."), "first_period")
    if last.sort_key < first.sort_key:
        raise ServiceError(_("The last period cannot come before the first."), "last_period")
    goal.first_period, goal.last_period = first.key, last.key
    if goal.baseline_period:
        try:
            baseline = parse_period(goal.baseline_period)
        except PeriodError:
            raise ServiceError(_("Periods are written 1404 (a year) or 1404-Q2 (a quarter)."),
                            "baseline_period") from None
        if baseline.last_day >= first.first_day and baseline.key != first.key:
            raise ServiceError(_("The baseline period must come before the goal's first period."),
                            "baseline_period")
        goal.baseline_period = baseline.key
    if (goal.baseline_value is None) != (not goal.baseline_period):
        raise ServiceError(_("Give both the baseline value and its period, or neither."), "baseline_value")
    if not (goal.reported_by_province or goal.reported_by_municipality):
        raise ServiceError(_("Choose at least one kind of member that reports this goal."),
                        "reported_by_municipality")
    if goal.due_days is None or not 0 <= goal.due_days <= 365:
        raise ServiceError(_("Reports are due between 0 and 365 days after a period ends."), "due_days")
    with db.session.no_autoflush:
        existing = db.session.scalar(select(Goal).where(Goal.code == goal.code))
    if existing is not None and existing is not goal:
        raise conflict(_("Another goal already has the code %(code)s.", code=goal.code), field="code")


def create_goal(**values) -> Goal:
    """A new goal; ServiceError 422 for values that do not fit, 409 on ``code`` when it is taken
    (also by a request creating the same code at the same moment)."""
    goal = Goal(**values)
    validate_goal(goal)
    with unique(_l("Another goal already has the code %(code)s.", code=goal.code), "code"):
        db.session.add(goal)
    record("goal.create", goal, after=snapshot(goal, GOAL_FIELDS))
    return goal


def update_goal(goal: Goal, **values) -> Goal:
    """Change a goal; its frequency is fixed once reports exist (their periods depend on it)."""
    from wcc.reporting.models import ProgressReport

    before = snapshot(goal, GOAL_FIELDS)
    if values.get("frequency", goal.frequency) != goal.frequency:
        has_reports = db.session.scalar(
            select(func.count()).select_from(ProgressReport).where(ProgressReport.goal_id == goal.id))
        if has_reports:
            raise ServiceError(_("The frequency cannot change once members have reported on this goal."),
                            "frequency")
    with db.session.no_autoflush:
        for name, value in values.items():
            setattr(goal, name, value)
        validate_goal(goal)
    db.session.flush()
    old, new = diff(before, snapshot(goal, GOAL_FIELDS))
    if new:
        record("goal.update", goal, before=old, after=new)
    return goal


# --- targets ----------------------------------------------------------------------

def target_years(goal: Goal) -> list[str]:
    """The Solar Hijri years a goal runs over: the periods targets are set for."""
    return [str(y) for y in range(goal.first.year, goal.last.year + 1)]


def check_target_org(goal: Goal, org: Organisation) -> None:
    if org.kind == OrgKind.NETWORK:
        return
    if not goal.reported_by(org):
        raise ServiceError(_("Members of this kind do not report on this goal."), "org")


def set_target(goal: Goal, org: Organisation, period_key: str, raw_value, user) -> Target | None:
    """Set, change or (with a blank value) remove an organisation's target for one year.

    Targets are per Solar Hijri year within the goal's span. The previous value
    goes into the audit trail, which is the target's history.
    """
    try:
        period = parse_period(period_key)
    except PeriodError:
        raise ServiceError(_("Periods are written 1404 (a year) or 1404-Q2 (a quarter)."), "period") \
            from None
    if period.quarter is not None:
        raise ServiceError(_("Targets are set per year, such as 1404."), "period")
    if period.key not in target_years(goal):
        raise ServiceError(_("This goal runs from %(first)s to %(last)s.", first=goal.first.year,
                          last=goal.last.year), "period")
    check_target_org(goal, org)
    value = parse_value(raw_value, goal.unit)
    target = db.session.scalar(select(Target).where(
        Target.goal_id == goal.id, Target.org_id == org.id, Target.period_key == period.key))
    meta = {"goal": goal.code, "org": org.code, "period": period.key}
    if value is None:
        if target is not None:
            record("target.delete", target, before={**meta, "value": plain_number(target.value)}, actor=user)
            db.session.delete(target)
            db.session.flush()
        return None
    if target is None:
        target = Target(goal_id=goal.id, org_id=org.id, period_key=period.key, value=value,
                        updated_by_id=getattr(user, "id", None))
        with unique(_l("Someone else set this target at the same moment. Reload to see it."), "value"):
            db.session.add(target)
        record("target.set", target, before={**meta, "value": None},
               after={**meta, "value": plain_number(value)}, actor=user)
    elif target.value != value:
        previous = target.value
        target.value = value
        target.updated_by_id = getattr(user, "id", None)
        db.session.flush()
        record("target.set", target, before={**meta, "value": plain_number(previous)},
               after={**meta, "value": plain_number(value)}, actor=user)
    return target
