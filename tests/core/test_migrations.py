"""The migrations: every one runs up, down and up again on an empty database of each kind, and
the schema they build is the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from wcc.extensions import db, include_name


def _schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        return compare_metadata(context, db.metadata)


def test_every_migration_goes_up_down_and_up_again_and_matches_the_models(make_app, empty_database):
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        assert _schema_differences() == []
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        assert _schema_differences() == []
        db.engine.dispose()
