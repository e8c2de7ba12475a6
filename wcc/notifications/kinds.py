"""Every kind of notification: its name, its sentence, where it links, whether it may be switched off.

Notifications are stored as a kind and parameters; ``render`` writes them in a
language when they are shown or mailed. Parameters hold codes and ids
(organisation, goal, period, report), ISO dates and a few words people wrote
(a return comment, an initiative's title); names of organisations and goals
are looked up at display time, in the reader's language, for a whole page at
once (``Names``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wcc.extensions import db
from wcc.i18n.formatting import format_date, format_number
from wcc.periods import format_period


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # lazy string: the kind's name on the preferences page and in subjects
    #: Escalations and World Craft City deadlines: mailed whatever the preference says (never off).
    mandatory: bool = False


KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("report.submitted", _l("Report submitted for review")),
    Kind("report.reviewed", _l("Report reviewed by the province")),
    Kind("report.approved", _l("Report approved")),
    Kind("report.returned", _l("Report returned")),
    Kind("report.reopened", _l("Report reopened")),
    Kind("report.due_soon", _l("Report due soon")),
    Kind("report.overdue", _l("Report overdue")),
    Kind("report.escalated", _l("Overdue report escalated"), mandatory=True),
    Kind("initiative.published", _l("New initiative in my province")),
    Kind("target.set", _l("Target set for us")),
    Kind("designation.due_soon", _l("World Craft City activity report due"), mandatory=True),
    Kind("designation.overdue", _l("World Craft City activity report overdue"), mandatory=True),
)}


class Names:
    """Names of the organisations and goals a batch of notifications mentions, loaded in two queries."""

    def __init__(self, params_list: list[dict]):
        from wcc.goals.models import Goal
        from wcc.orgs.models import Organisation

        org_codes = {p["org"] for p in params_list if p.get("org")}
        goal_codes = {p["goal"] for p in params_list if p.get("goal")}
        self.orgs = {o.code: o for o in db.session.scalars(
            select(Organisation).where(Organisation.code.in_(org_codes)))} if org_codes else {}
        self.goals = {g.code: g for g in db.session.scalars(
            select(Goal).where(Goal.code.in_(goal_codes)))} if goal_codes else {}

    def org(self, code: str | None, lang: str) -> str:
        org = self.orgs.get(code or "")
        return org.name(lang) if org is not None else (code or "—")

    def goal(self, code: str | None, lang: str) -> str:
        goal = self.goals.get(code or "")
        return goal.title(lang) if goal is not None else (code or "—")


@dataclass
class Rendered:
    title: str
    text: str
    #: Words a person wrote (a return comment, a reopening reason), shown as they wrote them.
    quote: str | None
    url: str


def _date(iso: str | None, lang: str) -> str:
    return format_date(date.fromisoformat(iso), lang) if iso else "—"


def _value(raw, goal, lang: str) -> str:
    """A target's value with the goal's unit, in ``lang`` (Persian digits in fa)."""
    from decimal import Decimal, InvalidOperation

    from wcc.goals.display import format_value

    try:
        return format_value(Decimal(str(raw)), goal.unit if goal is not None else "count", lang)
    except (InvalidOperation, ValueError):
        return str(raw or "—")


def _sentence(kind: str, p: dict, names: Names, lang: str) -> str:
    org = names.org(p.get("org"), lang)
    goal = names.goal(p.get("goal"), lang)
    period = format_period(p.get("period"), lang, dates=False) if p.get("period") else ""
    due = _date(p.get("due"), lang)
    args = {"org": org, "goal": goal, "period": period, "due": due}
    if kind == "report.submitted":
        return _("%(org)s sent its report on %(goal)s for %(period)s for review.", **args)
    if kind == "report.reviewed":
        return _("The report of %(org)s on %(goal)s for %(period)s was reviewed by its province and "
                 "awaits approval.", **args)
    if kind == "report.approved":
        return _("The report of %(org)s on %(goal)s for %(period)s was approved.", **args)
    if kind == "report.returned":
        return _("The report of %(org)s on %(goal)s for %(period)s was returned for correction.", **args)
    if kind == "report.reopened":
        return _("The approved report of %(org)s on %(goal)s for %(period)s was reopened for correction.",
                 **args)
    if kind == "report.due_soon":
        return _("The report of %(org)s on %(goal)s for %(period)s is due on %(due)s.", **args)
    if kind == "report.overdue":
        return _("The report of %(org)s on %(goal)s for %(period)s was due on %(due)s and has not been "
                 "sent yet.", **args)
    if kind == "report.escalated":
        return _("%(org)s has still not sent its report on %(goal)s for %(period)s, due on %(due)s: "
                 "%(days)s days overdue.", days=format_number(p.get("days", 0), 0, lang), **args)
    if kind == "initiative.published":
        # The title is what its author wrote, perhaps in another script: isolated, so the
        # sentence's punctuation stays where the reader's language puts it.
        return _("%(org)s published a new initiative: %(title)s.", org=org,
                 title=f"\u2068{p.get('title', '')}\u2069")
    if kind == "target.set":
        return _("The target of %(org)s for %(goal)s in %(period)s was set to %(value)s.",
                 value=_value(p.get("value"), names.goals.get(p.get("goal") or ""), lang), **args)
    if kind == "designation.due_soon":
        return _("The World Craft City activity report of %(org)s is due on %(due)s (reminder %(n)s of 2).",
                 n=format_number(p.get("reminder", 1), 0, lang), **args)
    if kind == "designation.overdue":
        return _("The World Craft City activity report of %(org)s was due on %(due)s and has not been "
                 "received.", **args)
    raise KeyError(kind)


def link(kind: str, object_type: str, object_id: str, params: dict, external: bool = False) -> str:
    """Where the notification takes its reader."""
    if object_type == "report":
        return url_for("reporting.detail", report_id=int(object_id), _external=external)
    if object_type == "initiative":
        return url_for("initiatives.detail", initiative_id=int(object_id), _external=external)
    if object_type == "target":
        return url_for("goals.targets", org=params.get("org"), _external=external)
    if object_type == "designation_report":
        return url_for("designations.index", _anchor=f"org-{params.get('org')}", _external=external)
    if object_type == "org":
        return url_for("dashboards.member", code=object_id, _external=external)
    return url_for("notifications.index", _external=external)


def render(notification, names: Names, lang: str, external: bool = False) -> Rendered:
    """The notification written in ``lang``."""
    params = notification.params or {}
    with force_locale(lang):
        title = str(KINDS[notification.kind].label)
        text = _sentence(notification.kind, params, names, lang)
    quote = params.get("comment") or params.get("reason") or None
    return Rendered(title=title, text=text, quote=quote,
                    url=link(notification.kind, notification.object_type, notification.object_id, params,
                             external))


def render_all(notifications: list, lang: str, external: bool = False) -> list[tuple[object, Rendered]]:
    """Every notification of a page, with one lookup of names for all of them."""
    names = Names([n.params or {} for n in notifications])
    return [(n, render(n, names, lang, external)) for n in notifications]
