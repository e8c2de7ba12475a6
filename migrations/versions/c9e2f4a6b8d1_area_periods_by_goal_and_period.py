"""Dashboards: a goal's area rows by period, with the values pages add up

Revision ID: c9e2f4a6b8d1
Revises: a7c3e9d1f5b2
Create Date: 2026-12-02 01:10:00

A goal page adds up the provinces' and the network's rows of one goal over a
range of periods. Those rows are written period after period, so one goal's
lie on hundreds of table pages; this index holds them in (goal, period, area)
order and, on PostgreSQL, carries the summed columns along, so the page reads
the index alone.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9e2f4a6b8d1'
down_revision = 'a7c3e9d1f5b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dashboard_area_periods_goal_seq', 'dashboard_area_periods', ['goal_id', 'seq', 'area_id'],
                    unique=False, postgresql_include=['kind', 'period_key', 'value_sum', 'value_count'])


def downgrade():
    op.drop_index('ix_dashboard_area_periods_goal_seq', table_name='dashboard_area_periods')
