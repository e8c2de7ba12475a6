"""Deliveries retried with back-off

Revision ID: b3c1d2e4f5a6
Revises: b5e2c1d4a7f3
Create Date: 2026-12-01 05:20:00

A failed e-mail delivery records when it is tried again (``next_attempt_at``),
so mail refused by the server is retried with growing waits without Redis too.
Deliveries that failed before this revision get no time: the next sweep tries them.
"""
from alembic import op
import sqlalchemy as sa

import wcc.db


# revision identifiers, used by Alembic.
revision = 'b3c1d2e4f5a6'
down_revision = 'b5e2c1d4a7f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", wcc.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
