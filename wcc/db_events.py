"""Per-connection settings for SQLite: WAL, a busy timeout, foreign keys."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wcc.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one request writes; the busy timeout makes a
    # second writer wait for the lock instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine: Engine = db.engine
        if not event.contains(engine, "connect", _on_connect):
            event.listen(engine, "connect", _on_connect)
