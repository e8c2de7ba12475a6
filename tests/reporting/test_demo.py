"""The demo network's goals, targets and two years of reports: repeatable and realistic."""

from __future__ import annotations

from sqlalchemy import func, select

from wcc.audit.models import AuditEvent
from wcc.extensions import db
from wcc.goals.models import Goal, Target
from wcc.initiatives.models import Initiative, initiative_goals
from wcc.reporting.models import ProgressReport, ReportComment, report_initiatives


def seed() -> dict[str, int]:
    from wcc.demo import SEED_STEPS

    created = {}
    for name, step, _expected in SEED_STEPS:
        created[name] = sum(1 for _ in step())
        db.session.commit()
    return created


def test_the_demo_reports_look_like_a_real_network_and_seeding_twice_adds_nothing(demo):
    targets = db.session.scalar(select(func.count()).select_from(Target))
    assert db.session.scalar(select(func.count()).select_from(Goal)) == 11 and targets > 500
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) > 1500
    # The demo was loaded once already: loading it again adds nothing.
    assert set(seed().values()) == {0}

    by_status = dict(db.session.execute(select(ProgressReport.status, func.count())
                                        .group_by(ProgressReport.status)).all())
    total = sum(by_status.values())
    assert by_status["approved"] / total > 0.8
    for status in ("draft", "submitted", "reviewed", "returned"):
        assert 0 < by_status[status] < total * 0.06, status
    late = db.session.scalar(select(func.count()).where(ProgressReport.is_late.is_(True)))
    assert 0.05 < late / total < 0.25
    years = set(db.session.scalars(select(ProgressReport.period_year).where(ProgressReport.status == "approved")))
    assert years == {1403, 1404}
    # Missing reports: fewer reports than member × goal × period combinations.
    quarterly = db.session.scalar(select(func.count()).select_from(ProgressReport)
                                  .where(ProgressReport.period_quarter.is_not(None)))
    members_per_goal = db.session.execute(
        select(ProgressReport.goal_id, func.count(func.distinct(ProgressReport.org_id)))
        .where(ProgressReport.period_quarter.is_not(None)).group_by(ProgressReport.goal_id)).all()
    assert quarterly < sum(count * 8 for _goal, count in members_per_goal)
    # Returned reports carry the reviewer's comment; every report has its history.
    assert db.session.scalar(select(func.count()).select_from(ReportComment)) >= by_status["returned"]
    histories = db.session.scalar(select(func.count(func.distinct(AuditEvent.object_id)))
                                  .where(AuditEvent.object_type == "progress_reports"))
    assert histories == total
    assert db.session.scalar(select(func.count()).select_from(Target)
                             .join(Goal, Target.goal_id == Goal.id)) == targets

    # A good share of reports cite initiatives, always their own organisation's, contributing to the
    # report's goal and running during the period.
    cited = db.session.scalar(select(func.count(func.distinct(report_initiatives.c.report_id))))
    assert 0.2 < cited / total < 0.6
    contributes = select(initiative_goals).where(initiative_goals.c.initiative_id == Initiative.id,
                                                 initiative_goals.c.goal_id == ProgressReport.goal_id).exists()
    wrong = db.session.scalar(
        select(func.count()).select_from(report_initiatives)
        .join(ProgressReport, ProgressReport.id == report_initiatives.c.report_id)
        .join(Initiative, Initiative.id == report_initiatives.c.initiative_id)
        .where((Initiative.org_id != ProgressReport.org_id) | ~contributes
               | (Initiative.start_date > ProgressReport.period_end)
               | (Initiative.end_date < ProgressReport.period_start)))
    assert wrong == 0
