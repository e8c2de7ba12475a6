"""Per-connection settings for SQLite: WAL, a busy timeout, foreign keys, and how
transactions begin.

SQLite lets one writer at a time. A request that writes begins with ``BEGIN
IMMEDIATE``: it takes the write lock first (waiting up to the busy timeout for
another writer to commit) and only then reads, so it sees the other writer's
committed version and a stale edit is refused with 409. A deferred transaction
that read before another writer committed could not write at all ("database is
locked"). Reading requests, and whatever a request reads after its transaction has
ended, begin deferred and never wait.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wcc.extensions import db
from wcc.transaction import transaction_ended

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _on_connect(dbapi_connection, connection_record) -> None:
    # SQLAlchemy, not the sqlite3 module, says when a transaction begins (_on_begin); the
    # module's own implicit BEGIN would also break savepoints.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one request writes; the busy timeout makes a
    # second writer wait for the lock instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _on_begin(connection) -> None:
    # After the request's own transaction has ended (committed or rolled back), it only reads.
    writing = has_request_context() and request.method not in READING_METHODS and not transaction_ended()
    # Straight to the driver: BEGIN is bookkeeping, not one of the queries a page runs (tests count those).
    connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")


def configure_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine: Engine = db.engine
        if not event.contains(engine, "connect", _on_connect):
            event.listen(engine, "connect", _on_connect)
        if not event.contains(engine, "begin", _on_begin):
            event.listen(engine, "begin", _on_begin)
