"""Generated documents with their versions; initiative titles and stories in English and Russian

Revision ID: dd78aa6d5f49
Revises: 145f0c386e82
Create Date: 2026-11-30 18:21:06.098029

"""
from alembic import op
import sqlalchemy as sa

import wcc.db


# revision identifiers, used by Alembic.
revision = 'dd78aa6d5f49'
down_revision = '145f0c386e82'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('span_start', sa.Date(), nullable=True),
    sa.Column('span_end', sa.Date(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=True),
    sa.Column('published_at', wcc.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', wcc.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', wcc.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_documents_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_org_id'), ['org_id'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', wcc.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_document_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_files.id'], name=op.f('fk_document_versions_stored_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id_number'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_document_id'), ['document_id'], unique=False)

    # Plain ADD COLUMN (SQLite allows it with a default): batch mode would copy the table, and
    # dropping the old copy cascades to photos, crafts, goals and partners of every initiative.
    op.add_column('initiatives', sa.Column('title_en', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('initiatives', sa.Column('title_ru', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('initiatives', sa.Column('story_en', sa.Text(), nullable=False, server_default=''))
    op.add_column('initiatives', sa.Column('story_ru', sa.Text(), nullable=False, server_default=''))
    op.add_column('initiatives', sa.Column('story_needs_translation', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))



def downgrade():
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+), for the reason given above.
    for column in ('story_needs_translation', 'story_ru', 'story_en', 'title_ru', 'title_en'):
        op.execute(f'ALTER TABLE initiatives DROP COLUMN {column}')

    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_document_id'))

    op.drop_table('document_versions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_org_id'))
        batch_op.drop_index(batch_op.f('ix_documents_obligation_id'))
        batch_op.drop_index(batch_op.f('ix_documents_kind'))

    op.drop_table('documents')
