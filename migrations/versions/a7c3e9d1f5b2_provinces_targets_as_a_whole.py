"""Provinces' targets as a whole, kept added up

Revision ID: a7c3e9d1f5b2
Revises: b5d1f3a9c2e7
Create Date: 2026-12-01 14:00:00

``dashboard_area_targets`` holds, per goal, province and year, the sum and
number of the targets set by the active organisations that report the goal
and count towards the province as a whole (the province and its
municipalities). Pages read it instead of adding up every organisation's
target; ``wcc.dashboards.rollups`` keeps it in step. It is filled here from the
existing targets (``flask rebuild-dashboards`` computes it again at any time).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f5b2'
down_revision = 'b5d1f3a9c2e7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_area_targets',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('period_key', sa.String(length=7), nullable=False),
    sa.Column('target_sum', sa.Numeric(precision=26, scale=4), nullable=False),
    sa.Column('target_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['organisations.id'], name=op.f('fk_dashboard_area_targets_area_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_dashboard_area_targets_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'area_id', 'period_key', name=op.f('pk_dashboard_area_targets'))
    )
    op.execute(
        "INSERT INTO dashboard_area_targets (goal_id, area_id, period_key, target_sum, target_count) "
        "SELECT t.goal_id, CASE WHEN o.kind = 'province' THEN o.id ELSE o.parent_id END, t.period_key, "
        "SUM(t.value), COUNT(t.id) "
        "FROM targets t JOIN organisations o ON o.id = t.org_id JOIN goals g ON g.id = t.goal_id "
        "WHERE o.active AND ((o.kind = 'province' AND g.reported_by_province) "
        "OR (o.kind = 'municipality' AND g.reported_by_municipality)) "
        "AND CASE WHEN o.kind = 'province' THEN o.id ELSE o.parent_id END IS NOT NULL "
        "GROUP BY t.goal_id, CASE WHEN o.kind = 'province' THEN o.id ELSE o.parent_id END, t.period_key")


def downgrade():
    op.drop_table('dashboard_area_targets')
