"""One database transaction per request.

A view's changes are committed once, after the view has answered and before
the answer is sent; an error answer (status 400 and above) or an exception
rolls everything back. A commit that fails becomes an error answer (a 409 for a
lost race, a 503 for a database that went away), never the success (a redirect,
a flash) the view meant to send. Services flush and never commit or roll back;
where a service must try something that may fail, it uses a savepoint
(``attempt``). The request-end hook is the only commit in the app apart from
background jobs (``job_transaction``, the same rule for a job; a long job may
``commit_progress``), command-line
commands and the bench.

Two deliberate exceptions to "error answer → nothing kept": ``keep_changes`` for
a refusal that must leave a record (a failed sign-in, a rate limit hit), and
``discard_changes`` for a successful answer that must keep nothing (a dry run).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from flask import g, has_request_context, session
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from wcc.extensions import db

log = logging.getLogger(__name__)


def keep_changes() -> None:
    """Commit this request's changes even though it answers with an error."""
    g.keep_changes = True


def discard_changes() -> None:
    """Roll this request's changes back even though it answers with success."""
    g.discard_changes = True


def end_transaction(status: int) -> None:
    """Commit or roll back the request's transaction, by the answer's ``status``.

    A commit that fails raises (so the error handlers answer instead), after taking
    back the flashed messages that would have announced a success.
    """
    discard = g.get("discard_changes") or (status >= 400 and not g.get("keep_changes"))
    if discard:
        roll_back()
        return
    try:
        db.session.commit()
    except Exception:
        if has_request_context():
            session.pop("_flashes", None)
        raise
    finally:
        _ended()


def roll_back() -> None:
    """Undo the request's changes; a connection that is already gone is not an error here."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be unreachable; the session is reset anyway
        log.debug("rollback failed", exc_info=True)
    finally:
        _ended()


@contextlib.contextmanager
def job_transaction() -> Iterator[None]:
    """A background job's one transaction, as a request's: committed when the job returns,
    rolled back when it raises, unless it called ``keep_changes`` (a failed attempt that
    must stay on record while the job raises to be retried)."""
    g.pop("keep_changes", None)
    try:
        yield
    except BaseException:
        if g.pop("keep_changes", False):
            db.session.commit()
        else:
            roll_back()
        raise
    db.session.commit()


def commit_progress() -> None:
    """Commit what a background job has done so far, so that pages see how it is getting on
    (a document being rendered) while the job goes on; the rest is a transaction of its own."""
    db.session.commit()


def _ended() -> None:
    """Mark the request's transaction as ended: what the request still reads (an error page's
    navigation, say) begins a reading transaction, which holds no lock (see ``wcc.db_events``)."""
    if has_request_context():
        g.transaction_ended = True


def transaction_ended() -> bool:
    return bool(g.get("transaction_ended"))


@contextlib.contextmanager
def unique(message: str, field: str) -> Iterator[None]:
    """Add rows inside a savepoint and flush them; a unique constraint hit by a concurrent
    request undoes them alone and becomes a 409 on ``field``.

    Add the new rows inside the block: what was pending before is flushed before
    the savepoint begins.
    """
    from wcc.errors import conflict, unique_violation

    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as exc:
        if not unique_violation(exc):
            raise
        raise conflict(message, field=field) from None


@contextlib.contextmanager
def versioned(obj, message: str) -> Iterator[None]:
    """Change ``obj`` inside a savepoint; its UPDATE carries the version it was read at.

    When another request saved the row first (the UPDATE matches nothing), the
    change is undone alone and a 409 carries the version saved now. Make the
    changes inside the block: what was pending before is flushed before it begins.
    """
    from wcc.errors import conflict

    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except StaleDataError:
        db.session.refresh(obj)
        raise conflict(message, current=obj) from None
