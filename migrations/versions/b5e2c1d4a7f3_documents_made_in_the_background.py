"""Documents made in the background, attached to World Craft City obligations

Revision ID: b5e2c1d4a7f3
Revises: 27ec023c7ccc
Create Date: 2026-12-01 05:20:00

A document says how its latest making went (``state``: queued, rendering, ready,
failed) and why it failed (``failure``). Documents made before were made in the
request, so they are ready. ``obligation_id`` (the activity report owed to the
World Crafts Council that a generated report answers) becomes a foreign key to
``designation_reports``; a value that names no obligation is cleared first.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5e2c1d4a7f3'
down_revision = '27ec023c7ccc'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE documents SET obligation_id = NULL WHERE obligation_id IS NOT NULL AND obligation_id "
               "NOT IN (SELECT id FROM designation_reports)")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=12), server_default='ready', nullable=False))
        batch_op.add_column(sa.Column('failure', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_documents_obligation_id_designation_reports'),
                                    'designation_reports', ['obligation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_obligation_id_designation_reports'), type_='foreignkey')
        batch_op.drop_column('failure')
        batch_op.drop_column('state')
