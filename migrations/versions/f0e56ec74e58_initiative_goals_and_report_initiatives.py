"""initiative goals and report initiatives

The goals an initiative contributes to, and the initiatives a progress report cites.

Revision ID: f0e56ec74e58
Revises: e88f675ace37
Create Date: 2026-11-26 11:16:40.177871

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f0e56ec74e58'
down_revision = 'e88f675ace37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiative_goals',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_initiative_goals_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_goals_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'goal_id', name=op.f('pk_initiative_goals'))
    )
    with op.batch_alter_table('initiative_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_goals_goal_id'), ['goal_id'], unique=False)

    op.create_table('report_initiatives',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_report_initiatives_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['progress_reports.id'], name=op.f('fk_report_initiatives_report_id_progress_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', 'initiative_id', name=op.f('pk_report_initiatives'))
    )
    with op.batch_alter_table('report_initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_initiatives_initiative_id'), ['initiative_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_initiatives_initiative_id'))

    op.drop_table('report_initiatives')
    with op.batch_alter_table('initiative_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_goals_goal_id'))

    op.drop_table('initiative_goals')
