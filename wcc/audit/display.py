"""The audit trail in words: each action's label, each changed field with its old and new value
formatted for the language, and a link to the object while it exists.

``ACTION_LABELS`` is the one table of action names; ``describe`` turns a page of events
into rows with one query per kind of object on the page (at most one each for
initiatives, reports, goals, organisations and users), however many rows there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from wcc.audit.models import AuditEvent
from wcc.audit.services import ACCESS_DENIED
from wcc.extensions import db
from wcc.i18n import current_language, separator
from wcc.i18n.formatting import format_date, format_datetime, format_number, localise_digits

#: Every action the app records → its name as the audit trail shows it.
ACTION_LABELS = {
    ACCESS_DENIED: _l("Access refused"),
    "auth.sign_in": _l("Signed in"),
    "auth.sign_out": _l("Signed out"),
    "auth.sign_in_failed": _l("Sign-in failed"),
    "auth.rate_limited": _l("Sign-in slowed down after failures"),
    "auth.second_factor_failed": _l("Wrong second-factor code"),
    "auth.end_other_sessions": _l("Signed out on other devices"),
    "user.create": _l("User added"),
    "user.update": _l("User changed"),
    "user.change_password": _l("Password changed"),
    "user.reset_password": _l("Password reset by an administrator"),
    "user.two_factor_enabled": _l("Two-factor sign-in set up"),
    "user.two_factor_disabled": _l("Two-factor sign-in turned off"),
    "user.two_factor_reset": _l("Two-factor sign-in reset by an administrator"),
    "user.recovery_code_used": _l("Recovery code used"),
    "user.recovery_codes_replaced": _l("New recovery codes made"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "org.create": _l("Member added"),
    "org.update": _l("Member changed"),
    "goal.create": _l("Goal added"),
    "goal.update": _l("Goal changed"),
    "target.set": _l("Target set"),
    "target.delete": _l("Target removed"),
    "initiative.create": _l("Initiative registered"),
    "initiative.update": _l("Initiative changed"),
    "initiative.publish": _l("Initiative published"),
    "initiative.unpublish": _l("Initiative made a draft"),
    "initiative.delete": _l("Initiative deleted"),
    "initiative.restore": _l("Initiative restored"),
    "initiative.add_file": _l("File added to an initiative"),
    "initiative.remove_file": _l("File removed from an initiative"),
    "initiative.set_cover": _l("Cover photo chosen"),
    "initiative_categories.create": _l("Category added"),
    "initiative_categories.update": _l("Category changed"),
    "crafts.create": _l("Craft added"),
    "crafts.update": _l("Craft changed"),
    "report.create": _l("Report started"),
    "report.update": _l("Report changed"),
    "report.submit": _l("Report submitted for review"),
    "report.review": _l("Report reviewed by the province"),
    "report.approve": _l("Report approved"),
    "report.return": _l("Report returned with a comment"),
    "report.reopen": _l("Report reopened"),
    "report.comment": _l("Comment on a report"),
    "report.evidence_add": _l("Evidence added to a report"),
    "report.evidence_remove": _l("Evidence removed from a report"),
    "report.refused": _l("Report step refused"),
    "designation.create": _l("Designation recorded"),
    "designation.set_date": _l("Designation date changed"),
    "designation.add_report": _l("Designation report due date added"),
    "designation.report_received": _l("Designation report received"),
}

#: What kind of object an event concerns (its table) → its name.
OBJECT_LABELS = {
    "initiatives": _l("Initiative"),
    "progress_reports": _l("Report"),
    "goals": _l("Goal"),
    "targets": _l("Target"),
    "organisations": _l("Member"),
    "users": _l("User"),
    "api_tokens": _l("API token"),
    "designations": _l("Designation"),
    "initiative_categories": _l("Category"),
    "crafts": _l("Craft"),
    "access": _l("Access"),
}

#: Field names found in before/after → their label (the rest are shown as they are stored).
FIELD_LABELS = {
    "title": _l("Title"), "title_fa": _l("Title in Persian"), "title_en": _l("Title in English"),
    "title_ru": _l("Title in Russian"), "name": _l("Name"), "name_fa": _l("Name in Persian"),
    "name_en": _l("Name in English"), "name_ru": _l("Name in Russian"), "code": _l("Code"),
    "org": _l("Organisation"), "goal": _l("Goal"), "period": _l("Period"), "value": _l("Value"),
    "status": _l("Status"), "narrative": _l("What was done"), "initiatives": _l("Linked initiatives"),
    "category": _l("Category"), "crafts": _l("Crafts"), "goals": _l("Goals"), "summary": _l("Summary"),
    "story": _l("Story"), "story_en": _l("Story in English"), "story_ru": _l("Story in Russian"),
    "story_needs_translation": _l("The translations need updating"),
    "start_date": _l("Start date"), "end_date": _l("End date"), "partner_country": _l("Partner country"),
    "partners": _l("Partner organisations"), "budget": _l("Budget"), "deal_value": _l("Deal value"),
    "contact_name": _l("Contact person"), "contact_email": _l("E-mail address"), "contact_phone": _l("Phone"),
    "external_id": _l("Your reference"), "milestones": _l("Milestones"), "published": _l("Published"),
    "deleted_at": _l("Deleted"), "file": _l("File"), "kind": _l("Kind"), "caption": _l("Caption"),
    "body": _l("Comment"), "comment": _l("Comment"), "step": _l("Step"), "reason": _l("Reason"),
    "email": _l("E-mail address"), "role": _l("Role"), "active": _l("Active"), "language": _l("Language"),
    "unit": _l("Unit"), "year": _l("Year"), "designated_on": _l("Designated on"), "due_on": _l("Due on"),
    "received_on": _l("Received on"), "note": _l("Note"), "seconds": _l("Wait in seconds"),
    "permission": _l("Permission"), "route": _l("Address"), "method": _l("Method"), "object": _l("Object"),
    "position": _l("Position in lists"), "parent": _l("Province"), "user_id": _l("User"),
    "second_factor": _l("Second factor"), "email_attempted": _l("E-mail address"),
}

#: Fields whose values are ids or codes, shown as they are (not as numbers with separators).
_LITERAL = {"code", "org", "goal", "route", "method", "permission", "object", "external_id", "file", "email",
            "contact_email", "contact_phone", "email_attempted", "category", "crafts", "goals"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
TEXT_MAX = 120


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def format_value(value: Any, name: str = "") -> str:
    """An audited value as short text in the page's language."""
    locale = current_language()
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        if name.endswith("_id") or name in _LITERAL or name == "year":
            return localise_digits(str(value), locale)
        return format_number(value, locale=locale)
    if isinstance(value, dict):
        if "amount" in value:
            return " ".join(part for part in (format_value(value.get("amount")), value.get("currency") or "")
                            if part)
        return "; ".join(f"{field_label(k)}: {format_value(v, k)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(format_value(v, name) for v in value)
    text = str(value)
    if name == "period":
        return _period_label(text, locale)
    if name == "year" or name.endswith("_id"):
        return localise_digits(text, locale)
    if name not in _LITERAL:
        if _DATETIME.match(text):
            try:
                return format_datetime(datetime.fromisoformat(text), locale)
            except ValueError:
                pass
        elif _DATE.fullmatch(text):
            try:
                return format_date(date.fromisoformat(text), locale)
            except ValueError:
                pass
        elif _NUMBER.fullmatch(text):
            try:
                return format_number(Decimal(text), locale=locale)
            except InvalidOperation:
                pass
    return text if len(text) <= TEXT_MAX else text[:TEXT_MAX - 1].rstrip() + "…"


def _period_label(key: str, locale: str) -> str:
    from wcc.periods import PeriodError, parse_period

    try:
        return parse_period(key).label(locale, dates=False)
    except PeriodError:
        return key


@dataclass
class Change:
    label: str
    old: str
    new: str
    ltr: bool = False  # a code, an address or a phone number: read left to right in every language


@dataclass
class Row:
    event: AuditEvent
    action: str
    known: bool
    object_label: str
    object_name: str | None = None
    object_url: str | None = None
    changes: list[Change] = field(default_factory=list)


def _coded(object_type: str, name: str, value: Any) -> Any:
    """A stored code put into words: statuses, currencies, countries."""
    from wcc.initiatives.forms import CURRENCY_UNITS, country_name
    from wcc.initiatives.forms import STATUS_LABELS as INITIATIVE_STATUS
    from wcc.reporting.forms import STATUS_LABELS as REPORT_STATUS

    if name == "status" and isinstance(value, str):
        labels = {"initiatives": INITIATIVE_STATUS, "progress_reports": REPORT_STATUS}.get(object_type, {})
        return str(labels[value]) if value in labels else value
    if name == "partner_country" and isinstance(value, str):
        return country_name(value)
    if isinstance(value, dict) and value.get("currency") in CURRENCY_UNITS:
        return {**value, "currency": str(CURRENCY_UNITS[value["currency"]])}
    return value


def _changes(event: AuditEvent) -> list[Change]:
    """Each field with its old and new value; on a creation, only the fields that were filled in."""
    before, after = event.before or {}, event.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old = format_value(_coded(event.object_type, name, before.get(name)), name) if name in before else ""
        new = format_value(_coded(event.object_type, name, after.get(name)), name) if name in after else ""
        if old in ("", "—") and new in ("", "—"):
            continue
        if old == new:
            old = ""  # the same before and after: shown once, for context
        changes.append(Change(field_label(name), old, new, ltr=name in _LITERAL))
    return changes


def _objects(events: list[AuditEvent]) -> dict[tuple[str, str], tuple[str, str]]:
    """(type, id) → (name, url) of the objects on the page that still exist: one query per type."""
    from wcc.auth.models import User
    from wcc.goals.models import Goal
    from wcc.initiatives.models import Initiative
    from wcc.orgs.models import Organisation
    from wcc.permissions import can
    from wcc.reporting.models import ProgressReport

    locale = current_language()
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_id and event.object_id.isdigit() and len(event.object_id) < 19:
            wanted.setdefault(event.object_type, set()).add(int(event.object_id))
    found: dict[tuple[str, str], tuple[str, str]] = {}

    def add(kind: str, rows, name, url) -> None:
        for row in rows:
            found[(kind, str(row.id))] = (name(row), url(row))

    if ids := wanted.get("initiatives"):
        add("initiatives", db.session.execute(select(Initiative.id, Initiative.title).where(Initiative.id.in_(ids))),
            lambda r: r.title, lambda r: url_for("initiatives.detail", initiative_id=r.id))
    if ids := wanted.get("progress_reports"):
        add("progress_reports", db.session.execute(
            select(ProgressReport.id, ProgressReport.period_key, Organisation.code)
            .join(Organisation, Organisation.id == ProgressReport.org_id).where(ProgressReport.id.in_(ids))),
            lambda r: f"{r.code}{separator()}{_period_label(r.period_key, locale)}",
            lambda r: url_for("reporting.detail", report_id=r.id))
    if ids := wanted.get("goals"):
        add("goals", db.session.scalars(select(Goal).where(Goal.id.in_(ids))),
            lambda g: g.title(locale), lambda g: url_for("goals.detail", code=g.code))
    if ids := wanted.get("organisations"):
        add("organisations", db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))),
            lambda o: o.name(locale), lambda o: url_for("orgs.detail", code=o.code))
    if (ids := wanted.get("users")) and can(current_user, "user.edit"):
        add("users", db.session.execute(select(User.id, User.name).where(User.id.in_(ids))),
            lambda r: r.name, lambda r: url_for("auth.edit_user", user_id=r.id))
    return found


def describe(events: list[AuditEvent]) -> list[Row]:
    """A page of events as rows of the readable table."""
    objects = _objects(events)
    rows = []
    for event in events:
        label = OBJECT_LABELS.get(event.object_type)
        row = Row(event=event, action=action_label(event.action), known=event.action in ACTION_LABELS,
                  object_label=str(label) if label is not None else event.object_type,
                  changes=_changes(event))
        if event.object_id is not None:
            row.object_name, row.object_url = objects.get((event.object_type, event.object_id), (None, None))
        rows.append(row)
    return rows
