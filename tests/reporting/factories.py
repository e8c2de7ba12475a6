"""Fixtures for goals and reports: a goal factory and reports put straight into any state.

Imported by the conftest of tests/goals and tests/reporting, which both need them.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from wcc.db import utcnow
from wcc.extensions import db


@pytest.fixture
def make_goal(app):
    """``make_goal(code="EXPORT-RU", **overrides)`` → a committed quarterly EUR goal, 1403-Q1 to 1405-Q4."""
    from wcc.goals.services import create_goal

    def factory(code: str = "EXPORT-RU", **overrides):
        values = dict(
            code=code, title_fa="ارزش صادرات به روسیه", title_en="Export value to Russia",
            title_ru="Экспорт в Россию", description_fa="", description_en="", description_ru="",
            theme="exports", unit="EUR", aggregation="sum", direction="higher", frequency="quarterly",
            baseline_value=None, baseline_period=None, first_period="1403-Q1", last_period="1405-Q4",
            reported_by_province=True, reported_by_municipality=True, due_days=30, active=True)
        values.update(overrides)
        goal = create_goal(**values)
        db.session.commit()
        return goal

    return factory


@pytest.fixture
def make_report(app):
    """``make_report(org, goal, period="1404-Q2", status="draft", author=None, value=12500)`` → a committed
    report already in ``status``, stamped as the workflow would have left it."""
    from wcc.reporting.models import ProgressReport, Status
    from wcc.reporting.periods import parse_period

    def factory(org, goal, period: str = "1404-Q2", status: str = Status.DRAFT, author=None,
                value=Decimal("12500"), reviewer=None, approver=None, narrative: str = "", **fields):
        now = utcnow()
        author_id = getattr(author, "id", None)
        report = ProgressReport(goal_id=goal.id, org_id=org.id, value=value, narrative=narrative, status=status,
                                created_by_id=author_id, updated_by_id=author_id, **fields)
        report.set_period(parse_period(period))
        if status != Status.DRAFT:
            report.submitted_at = now - timedelta(days=3)
            report.submitted_by_id = author_id
        if status in (Status.REVIEWED, Status.APPROVED) and org.kind == "municipality":
            report.reviewed_at = now - timedelta(days=2)
            report.reviewed_by_id = getattr(reviewer, "id", None)
        if status == Status.APPROVED:
            report.approved_at = now - timedelta(days=1)
            report.approved_by_id = getattr(approver, "id", None)
        if status == Status.RETURNED:
            report.returned_at = now - timedelta(days=1)
        db.session.add(report)
        db.session.commit()
        return report

    return factory


@pytest.fixture
def bearer(api_token):
    """``bearer(user)`` → request headers carrying a fresh token of ``user`` (cached per user)."""
    cache: dict[int, dict] = {}

    def headers(user) -> dict:
        if user.id not in cache:
            cache[user.id] = {"Authorization": f"Bearer {api_token(user)}"}
        return cache[user.id]

    return headers

