"""A full-text (trigram) search index on SQLite

Revision ID: b5d1f3a9c2e7
Revises: 8e4cd2f4332c
Create Date: 2026-12-01 06:00:00

On SQLite, initiatives, organisations and users each get an FTS5 table
``<table>_search`` over their folded ``search_text`` with the ``trigram``
tokenizer (see ``wcc.i18n.search``), filled from the existing rows and kept in
step by triggers on every insert, delete and write of ``search_text``.
PostgreSQL already has its trigram GIN indexes: nothing changes there.

A later migration that rebuilds one of these tables on SQLite (``batch_alter_table``
copies it into a new table) drops its triggers and must create them again; the
search tests (tests/core/test_search.py) fail if it does not.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d1f3a9c2e7'
down_revision = '8e4cd2f4332c'
branch_labels = None
depends_on = None

TABLES = ("initiatives", "organisations", "users")


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        index = f"{table}_search"
        op.execute(f"CREATE VIRTUAL TABLE {index} USING fts5(search_text, content='{table}', "
                   f"content_rowid='id', tokenize='trigram case_sensitive 1')")
        op.execute(f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {index}(rowid, search_text) VALUES (new.id, new.search_text); END")
        op.execute(f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
        op.execute(f"CREATE TRIGGER {index}_update AFTER UPDATE OF id, search_text ON {table} BEGIN "
                   f"INSERT INTO {index}({index}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
                   f"INSERT INTO {index}(rowid, search_text) VALUES (new.id, new.search_text); END")
        op.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        index = f"{table}_search"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {index}_{event}")
        op.execute(f"DROP TABLE IF EXISTS {index}")
