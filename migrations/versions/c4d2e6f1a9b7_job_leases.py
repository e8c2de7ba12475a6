"""Job leases: deliveries and documents record when a job last took them

Revision ID: c4d2e6f1a9b7
Revises: 9073a9e748b2
Create Date: 2026-12-01 06:20:00

An e-mail delivery records when it was last put on the queue or taken by a job
to send (``claimed_at``); a document records when its making was last queued or
begun (``job_claimed_at``) and how often it was queued again after a process
stopped mid-job (``job_requeues``). A sweep queues again what a stopped process
left hanging. Failed deliveries from before the back-off got no next try; they are
made due now, so a failed delivery without a next try means "only an admin's retry".
"""
from alembic import op
import sqlalchemy as sa

import wcc.db


# revision identifiers, used by Alembic.
revision = 'c4d2e6f1a9b7'
down_revision = '9073a9e748b2'
branch_labels = None
depends_on = None

MAX_ATTEMPTS = 6


def upgrade():
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", wcc.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_claimed_at", wcc.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("job_requeues", sa.Integer(), nullable=False, server_default="0"))
    deliveries = sa.table("deliveries", sa.column("status", sa.String), sa.column("attempts", sa.Integer),
                          sa.column("created_at", wcc.db.UTCDateTime(timezone=True)),
                          sa.column("next_attempt_at", wcc.db.UTCDateTime(timezone=True)))
    op.execute(deliveries.update()
               .where(deliveries.c.status == "failed", deliveries.c.attempts < MAX_ATTEMPTS,
                      deliveries.c.next_attempt_at.is_(None))
               .values(next_attempt_at=deliveries.c.created_at))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('job_requeues')
        batch_op.drop_column('job_claimed_at')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
