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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

from flask import current_app
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
from wcc.transaction import keep_changes

log = logging.getLogger(__name__)

DELIVER_JOB = "wcc.notifications.services.deliver"
MAX_ERROR = 500

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
                        subject_kind=notifications[0].kind, status=DeliveryStatus.QUEUED)
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
    notifications = list(db.session.scalars(select(Notification).where(
        Notification.delivery_id == delivery.id).order_by(Notification.created_at, Notification.id)))
    if not notifications or delivery.user is None or not delivery.user.active:
        delivery.status = DeliveryStatus.SENT
        delivery.last_error = "nothing to send"
        return "nothing to send"
    app = current_app._get_current_object()
    with app.test_request_context("/", base_url=app.config["BASE_URL"]):
        message = _message_for(delivery, notifications)
    delivery.attempts += 1
    try:
        channel = send(message)
    except MailError as exc:
        error = str(exc)[:MAX_ERROR]
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = error
        db.session.add(DeliveryAttempt(delivery_id=delivery.id, ok=False, channel="smtp", error=error))
        keep_changes()  # the failed attempt stays on record; RQ retries the job
        log.warning("delivery %s to %s failed: %s", delivery.id, delivery.to_address, error)
        raise
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = utcnow()
    delivery.last_error = None
    db.session.add(DeliveryAttempt(delivery_id=delivery.id, ok=True, channel=channel))
    return channel


def retry_delivery(delivery: Delivery) -> None:
    """Queue a failed delivery again (the admin's retry button, the daily run)."""
    if delivery.status != DeliveryStatus.FAILED:
        return
    delivery.status = DeliveryStatus.QUEUED
    db.session.flush()
    jobs.enqueue(DELIVER_JOB, delivery.id, retry=True)


def retry_failed(max_attempts: int) -> int:
    """Queue again every failed delivery tried fewer than ``max_attempts`` times."""
    failed = db.session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.FAILED,
                                                       Delivery.attempts < max_attempts)).all()
    for delivery in failed:
        retry_delivery(delivery)
    return len(failed)


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
