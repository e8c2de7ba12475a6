"""Search text for organisations and users

Revision ID: 145f0c386e82
Revises: 39bc9c636d5a
Create Date: 2026-11-30 18:41:09.370534

Organisations and users get a folded ``search_text`` (as initiatives have), so
the member directory and the user list find every word in any order, with
Persian/Arabic letters and digits folded alike; trigram-indexed on PostgreSQL.
Existing rows are filled here.
"""
from alembic import op
import sqlalchemy as sa

from wcc.i18n.search import search_key


# revision identifiers, used by Alembic.
revision = '145f0c386e82'
down_revision = '39bc9c636d5a'
branch_labels = None
depends_on = None


def upgrade():
    for table in ("organisations", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=""))
    bind = op.get_bind()
    orgs = sa.table("organisations", sa.column("id"), sa.column("code"), sa.column("name_fa"),
                    sa.column("name_en"), sa.column("name_ru"), sa.column("search_text"))
    for row in bind.execute(sa.select(orgs.c.id, orgs.c.code, orgs.c.name_fa, orgs.c.name_en, orgs.c.name_ru)):
        bind.execute(orgs.update().where(orgs.c.id == row.id).values(
            search_text=search_key(row.name_fa, row.name_en, row.name_ru, row.code)))
    users = sa.table("users", sa.column("id"), sa.column("name"), sa.column("email"), sa.column("search_text"))
    for row in bind.execute(sa.select(users.c.id, users.c.name, users.c.email)):
        bind.execute(users.update().where(users.c.id == row.id).values(search_text=search_key(row.name, row.email)))
    for table in ("organisations", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('search_text', server_default=None)
            batch_op.create_index(f'ix_{table}_search_text', ['search_text'], unique=False, postgresql_using='gin',
                                  postgresql_ops={'search_text': 'gin_trgm_ops'})


def downgrade():
    for table in ("users", "organisations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_search_text', postgresql_using='gin',
                                postgresql_ops={'search_text': 'gin_trgm_ops'})
            batch_op.drop_column('search_text')
