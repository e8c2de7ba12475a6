"""Notifying people, their mail preferences, and delivering the mail.

``notify`` writes the notifications in the caller's transaction (so they exist
exactly when the change that caused them commits) and asks for the mail to be
sent after the commit. Each notification is mailed at most once: its delivery
is recorded before the job runs, and the job does nothing for a delivery that
was already sent. Services flush and never commit, except the delivery jobs,
which run on their own and commit each attempt so a failure stays on record.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from wcc import jobs
from wcc.db import utcnow
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.notifications.kinds import KINDS, render_all
from wcc.notifications.mail import MailError, compose, send
from wcc.notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Mode,
    Notification,
    NotificationPreference,
)
from wcc.periods import network_timezone
from wcc.transaction import commit_progress, job_transaction, keep_changes

log = logging.getLogger(__name__)

DELIVER_JOB = "wcc.notifications.services.deliver"
MAX_ERROR = 500
#: A refused e-mail is tried this often in all before only an admin's retry sends it.
MAX_ATTEMPTS = 6

_quiet: ContextVar[bool] = ContextVar("wcc_notifications_quiet", default=False)


def is_quiet() -> bool:
    return _quiet.get()


@contextmanager
def quiet() -> Iterator[None]:
    """Notify nobody inside this block (loading the demo network records history, not news)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


# --- preferences --------------------------------------------------------------------------

def allowed_modes(kind: str) -> tuple[Mode, ...]:
    """Escalations and World Craft City deadlines may be put in the digest, never switched off."""
    if KINDS[kind].mandatory:
        return (Mode.IMMEDIATE, Mode.DIGEST)
    return (Mode.IMMEDIATE, Mode.DIGEST, Mode.OFF)


def preferences_of(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(select(NotificationPreference.user_id, NotificationPreference.kind,
                                     NotificationPreference.mode)
                              .where(NotificationPreference.user_id.in_(ids)))
    return {(u, k): m for u, k, m in rows}


def mode_for(prefs: dict[tuple[int, str], str], user_id: int, kind: str) -> Mode:
    mode = Mode(prefs.get((user_id, kind), Mode.IMMEDIATE))
    return mode if mode in allowed_modes(kind) else Mode.IMMEDIATE


def set_preferences(user, choices: dict[str, str]) -> None:
    """Save ``{kind: mode}``; a mode a kind does not allow raises ServiceError."""
    from flask_babel import gettext as _

    current = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, raw in choices.items():
        if kind not in KINDS:
            continue
        try:
            mode = Mode(raw)
        except ValueError:
            raise ServiceError(_("Choose immediately, daily digest or off.")) from None
        if mode not in allowed_modes(kind):
            raise ServiceError(_("This notice cannot be switched off."))
        row = current.get(kind)
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, mode=mode))
        else:
            row.mode = mode
    db.session.flush()


# --- notifying ----------------------------------------------------------------------------

def notify(kind: str, recipients: Iterable, *, object_type: str, object_id, params: dict,
           event_key: str) -> list[Notification]:
    """Notify each active recipient once of the event ``event_key``; returns the new notifications.

    Recipients already notified of this event are skipped, so a replayed day
    or a retried job notifies nobody twice. Mail is queued for those who want
    it at once; the digest picks up the others.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    if _quiet.get():
        return []
    people = {u.id: u for u in recipients if u is not None and u.active}
    if not people:
        return []
    already = set(db.session.scalars(select(Notification.user_id).where(
        Notification.event_key == event_key, Notification.user_id.in_(list(people)))))
    prefs = preferences_of(people)
    made = []
    for user_id, _user in sorted(people.items()):
        if user_id in already:
            continue
        mode = mode_for(prefs, user_id, kind)
        notification = Notification(user_id=user_id, kind=kind, object_type=object_type,
                                    object_id=str(object_id), params=params, event_key=event_key,
                                    mail_mode=mode)
        db.session.add(notification)
        made.append(notification)
    db.session.flush()
    for notification in made:
        if notification.mail_mode == Mode.IMMEDIATE:
            _queue_immediate(people[notification.user_id], notification)
    return made


def _queue_immediate(user, notification: Notification) -> None:
    """One e-mail per person per transaction: the notices of one change (an import of a
    thousand published initiatives, a bulk approval) reach each person together."""
    transaction = db.session().get_transaction()
    held = db.session.info.get("wcc_immediate_mail")
    if held is None or held[0] is not transaction:
        held = db.session.info["wcc_immediate_mail"] = (transaction, {})
    delivery = held[1].get(user.id)
    if delivery is not None and delivery in db.session:
        notification.delivery_id = delivery.id
        return
    held[1][user.id] = _queue_delivery(user, "notification", f"n:{notification.id}", [notification])


def _queue_delivery(user, kind: str, key: str, notifications: list[Notification]) -> Delivery | None:
    """Record one e-mail to ``user`` carrying ``notifications`` and queue the job that sends it."""
    if db.session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
        return None
    delivery = Delivery(key=key, user_id=user.id, kind=kind, to_address=user.email,
                        language=user.preferred_language or current_app.config["BABEL_DEFAULT_LOCALE"],
                        subject_kind=notifications[0].kind, status=DeliveryStatus.QUEUED, claimed_at=utcnow())
    db.session.add(delivery)
    db.session.flush()
    for notification in notifications:
        notification.delivery_id = delivery.id
    jobs.enqueue(DELIVER_JOB, delivery.id, retry=True)
    return delivery


# --- reading ------------------------------------------------------------------------------

def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notifications_query(user, unread: bool = False):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def notices_about(object_type: str, object_ids: Iterable) -> dict[str, list]:
    """Who was told about these objects: per object id, rows of (notification, recipient's
    name, delivery status or None, delivery attempts, sent at), oldest first. One query."""
    from wcc.auth.models import User

    ids = [str(i) for i in object_ids]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Notification, User.name, Delivery.status, Delivery.attempts, Delivery.sent_at)
        .join(User, User.id == Notification.user_id)
        .outerjoin(Delivery, Delivery.id == Notification.delivery_id)
        .where(Notification.object_type == object_type, Notification.object_id.in_(ids))
        .order_by(Notification.created_at, Notification.id))
    out: dict[str, list] = {}
    for notification, name, status, attempts, sent_at in rows:
        out.setdefault(notification.object_id, []).append((notification, name, status, attempts, sent_at))
    return out


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


# --- delivering ---------------------------------------------------------------------------

#: Notices listed in one e-mail; the rest are counted, and wait on the notifications page.
MAIL_ITEMS = 30

def _message_for(delivery: Delivery, notifications: list[Notification]):
    from flask_babel import gettext as _

    user = delivery.user
    lang = delivery.language
    count = len(notifications)
    items = [r for _n, r in render_all(notifications[:MAIL_ITEMS], lang, external=True)]
    more = count - len(items)
    with force_locale(lang):
        if delivery.kind == "digest":
            subject = _("Your daily summary from the WCC Network: %(count)s notices",
                        count=_digits(count, lang))
            template = "digest"
        elif count > 1:
            subject = _("%(count)s new notices from the WCC Network", count=_digits(count, lang))
            template = "digest"
        else:
            subject = f"{items[0].title}: {items[0].text}"
            if len(subject) > 180:
                subject = subject[:177] + "…"
            template = "notification"
    return compose(to=delivery.to_address, name=user.name if user else delivery.to_address, lang=lang,
                   subject=subject, template=template, items=items, more=_digits(more, lang) if more else None,
                   summary=delivery.kind == "digest")


def _digits(value: int, lang: str) -> str:
    from wcc.i18n.formatting import format_number

    return format_number(value, 0, lang)


def deliver(delivery_id: int) -> str:
    """The job that sends one delivery. Sends nothing for a delivery already sent.

    Runs in a job's transaction (``wcc.transaction.job_transaction``): every attempt
    is recorded; a failure raises MailError with its record kept, so RQ retries
    the job with back-off.
    """
    delivery = db.session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status == DeliveryStatus.SENT:
        return "nothing to do"
    if delivery.status == DeliveryStatus.SENDING:
        return "being sent"  # by another job; if its process stopped, ``requeue_stale`` says so
    if delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None:
        return "waiting for an admin"  # out of tries, or interrupted while sending
    notifications = list(db.session.scalars(select(Notification).where(
        Notification.delivery_id == delivery.id).order_by(Notification.created_at, Notification.id)))
    if not notifications or delivery.user is None or not delivery.user.active:
        delivery.status = DeliveryStatus.SENT
        delivery.last_error = "nothing to send"
        return "nothing to send"
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["BASE_URL"]):
        message = _message_for(delivery, notifications)
    # The lease: committed before the mail server is reached, so a process that stops while
    # sending leaves the delivery "sending" (maybe sent), never "queued" (sent again).
    delivery.attempts += 1
    delivery.status = DeliveryStatus.SENDING
    delivery.claimed_at = utcnow()
    commit_progress()
    try:
        channel = send(message)
    except MailError as exc:
        error = str(exc)[:MAX_ERROR]
        now = utcnow()
        delay = retry_delay(delivery.attempts)
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = error
        delivery.next_attempt_at = now + delay if delay is not None else None
        db.session.add(DeliveryAttempt(delivery_id=delivery.id, at=now, ok=False, channel="smtp", error=error))
        keep_changes()  # the failed attempt stays on record; RQ (or the retry sweep) tries again
        _remember_retry(current_app._get_current_object(), delivery.next_attempt_at)
        log.warning("delivery %s to %s failed: %s", delivery.id, delivery.to_address, error)
        raise
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = utcnow()
    delivery.last_error = None
    delivery.next_attempt_at = None
    db.session.add(DeliveryAttempt(delivery_id=delivery.id, ok=True, channel=channel))
    return channel


def retry_delay(attempts: int) -> timedelta | None:
    """How long after its ``attempts``-th failed try a delivery is tried again (None: no more).

    The waits are ``WCC_JOB_RETRY_SECONDS`` (1 min, 5 min, 30 min, 2 h by default), the
    last one repeated, until ``MAX_ATTEMPTS`` tries; RQ uses the same waits for its retries.
    """
    if attempts >= MAX_ATTEMPTS:
        return None
    intervals = current_app.config.get("JOB_RETRY_INTERVALS") or [0]
    return timedelta(seconds=intervals[min(max(attempts, 1), len(intervals)) - 1])


def retry_delivery(delivery: Delivery) -> None:
    """Queue a failed delivery again now (the admin's retry button)."""
    if delivery.status != DeliveryStatus.FAILED:
        return
    delivery.status = DeliveryStatus.QUEUED
    delivery.next_attempt_at = None
    delivery.claimed_at = utcnow()
    db.session.flush()
    jobs.enqueue(DELIVER_JOB, delivery.id, retry=True)


def retry_due(now: datetime | None = None) -> int:
    """Queue again every failed delivery whose next try is due; returns how many.

    Each one is claimed with a conditional UPDATE (failed → queued), so two sweeps
    running at once (two processes, the daily run and the command) queue it once.
    """
    now = now or utcnow()
    claimed = db.session.scalars(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.FAILED, Delivery.attempts < MAX_ATTEMPTS,
               Delivery.next_attempt_at <= now)
        .values(status=DeliveryStatus.QUEUED, next_attempt_at=None, claimed_at=now)
        .returning(Delivery.id)
        .execution_options(synchronize_session="fetch")).all()
    for delivery_id in sorted(claimed):
        jobs.enqueue(DELIVER_JOB, delivery_id, retry=True)
    return len(claimed)


#: Why a delivery left "sending" by a stopped process is not sent again by itself (admin page).
INTERRUPTED = ("interrupted: the process sending it stopped, so it may or may not have arrived; "
               "retry only if the recipient did not get it")


def requeue_stale(now: datetime | None = None) -> dict[str, int]:
    """Pick up the deliveries a stopped process left hanging (its jobs died with it).

    One still ``queued`` ``STALE_MAIL_MINUTES`` after it was queued never reached the mail
    server: it is queued again (a job that is merely slow finds it sent and does nothing).
    One still ``sending`` may have been handed over before the process stopped: it is marked
    failed with no next try, so only an admin's retry sends it - never twice by itself. Each is
    claimed with a conditional UPDATE, so sweeps running at once handle it once.
    """
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["STALE_MAIL_MINUTES"])
    lease = func.coalesce(Delivery.claimed_at, Delivery.created_at)
    requeued = db.session.scalars(
        update(Delivery).where(Delivery.status == DeliveryStatus.QUEUED, lease < cutoff)
        .values(claimed_at=now).returning(Delivery.id)
        .execution_options(synchronize_session="fetch")).all()
    for delivery_id in sorted(requeued):
        jobs.enqueue(DELIVER_JOB, delivery_id, retry=True)
    interrupted = db.session.scalars(
        update(Delivery).where(Delivery.status == DeliveryStatus.SENDING, lease < cutoff)
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=INTERRUPTED)
        .returning(Delivery.id)
        .execution_options(synchronize_session="fetch")).all()
    channel = "smtp" if current_app.config.get("SMTP_HOST") else "log"
    for delivery_id in sorted(interrupted):
        db.session.add(DeliveryAttempt(delivery_id=delivery_id, at=now, ok=False, channel=channel,
                                       error=INTERRUPTED))
    db.session.flush()
    if requeued or interrupted:
        log.warning("stale deliveries: %s queued again, %s interrupted while sending", len(requeued),
                    len(interrupted))
    return {"mail_requeued": len(requeued), "mail_interrupted": len(interrupted)}


def next_retry_at() -> datetime | None:
    """When the next failed delivery is due to be tried again."""
    return db.session.scalar(select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status == DeliveryStatus.FAILED, Delivery.attempts < MAX_ATTEMPTS))


# --- retrying without Redis ----------------------------------------------------------------
# With Redis, RQ retries a failed delivery job itself (``jobs._retry_policy``). Without it,
# jobs run in the web process, and this process remembers the earliest time one of its
# failed deliveries is due again; the first request that ends after that time sweeps the
# due ones (``retry_due``) and sends them in-process. Requests cost nothing more while no
# mail is waiting (no query). Failures left by a process that stopped are picked up by the
# daily run or ``flask retry-deliveries``.

_SWEEP = "wcc_delivery_retry"


def _sweep_state(app: Flask) -> dict:
    return app.extensions.setdefault(_SWEEP, {"at": None, "lock": threading.Lock()})


def _remember_retry(app: Flask, when: datetime | None) -> None:
    if when is None:
        return
    state = _sweep_state(app)
    if state["at"] is None or when < state["at"]:
        state["at"] = when


def sweep_due_deliveries(app: Flask) -> int:
    """Send again, in this process, the failed deliveries that are due (when no Redis)."""
    state = _sweep_state(app)
    if app.config.get("REDIS_URL") or state["at"] is None or state["at"] > utcnow():
        return 0
    if not state["lock"].acquire(blocking=False):
        return 0  # a sweep is running in another thread (or this is one of its jobs)
    try:
        state["at"] = None
        with app.app_context():  # its jobs (the deliveries) run when this context ends
            with job_transaction():
                queued = retry_due()
                later = next_retry_at()
        _remember_retry(app, later)
        return queued
    finally:
        state["lock"].release()


def init_retry_sweep(app: Flask) -> None:
    _sweep_state(app)

    @app.teardown_appcontext
    def retry_due_mail(exc: BaseException | None) -> None:
        state = app.extensions[_SWEEP]
        if state["at"] is None or app.config.get("REDIS_URL"):
            return
        try:
            sweep_due_deliveries(app)
        except Exception:  # noqa: BLE001 - a sweep must never break the request it follows
            log.exception("retrying due deliveries failed")


def queue_digests(day: date) -> int:
    """One digest per user of the notifications they chose to receive daily and not yet mailed,
    made before the end of ``day`` (network time). Returns how many digests were queued."""
    from wcc.auth.models import User

    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=network_timezone())
    pending = db.session.scalars(select(Notification).where(
        Notification.mail_mode == Mode.DIGEST, Notification.delivery_id.is_(None),
        Notification.created_at < end).order_by(Notification.user_id, Notification.created_at)).all()
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user))))} \
        if by_user else {}
    queued = 0
    for user_id, items in by_user.items():
        user = users.get(user_id)
        if user is None or not user.active:
            continue
        if _queue_delivery(user, "digest", f"digest:{user_id}:{day.isoformat()}", items) is not None:
            queued += 1
    return queued


def failed_deliveries():
    return select(Delivery).where(Delivery.status == DeliveryStatus.FAILED).order_by(Delivery.created_at.desc())
