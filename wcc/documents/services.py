"""Making documents: the World Craft City activity report and brochures, each saved with its
sources and a new version every time it is made. Services flush; the caller commits.

The pages save the choices at once and hand the rendering to a background job
(``render_job`` through ``wcc.jobs``): an RQ worker when the network has a job
queue, this process right after the request otherwise. The document's ``state``
says how it is going (queued, rendering, ready, failed, with the reason). The
web process renders at most ``PDF_MAX_PAGES`` pages, a worker at most
``PDF_MAX_PAGES_IN_WORKER``. The command line renders at once (``make_version``).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from wcc import jobs
from wcc.db import utcnow
from wcc.documents import queries
from wcc.documents.models import PENDING_STATES, Document, DocumentKind, DocumentState, DocumentVersion
from wcc.documents.pdf import PdfTooLong, PdfUnavailable, RenderedPdf, photo_printable, photo_url, render_pdf
from wcc.documents.queries import Span
from wcc.documents.svg import TRACK_COLOURS, Bar, Series, bar_chart, line_chart
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.initiatives.models import Craft, Initiative, InitiativeFile
from wcc.initiatives.story import render_story
from wcc.orgs.models import Organisation, OrgKind
from wcc.uploads.services import store_generated

LANGUAGES = ("fa", "en", "ru")
REPORT_LANGUAGES = ("fa", "en")
PAPERS = ("A4", "A5")
NARRATIVE_MAX = 6_000
#: Brochures are read on paper and sent by e-mail; above this the photos are shrunk further.
BROCHURE_MAX_BYTES = 10 * 1024 * 1024
BROCHURE_GOAL = "BROCHURES-RU"
RENDER_JOB = "wcc.documents.services.render_job"
#: A making left hanging by a stopped process is queued again this often, then marked failed.
MAX_REQUEUES = 1

log = logging.getLogger(__name__)


class DocumentError(ServiceError):
    """A document cannot be made as asked; the message says why, in the user's language (422)."""


class NothingToShow(Exception):
    """A brochure none of whose initiatives may be shown any more (unpublished or deleted since)."""


# --- shared ---------------------------------------------------------------------------------

def _render(template: str, language: str, context: dict[str, Any], photos: dict[int, str]) -> RenderedPdf:
    with force_locale(language):
        html = render_template(template, **context)
        return render_pdf(html, photos=photos, max_pages=page_limit(), background=True)


def page_limit() -> int:
    """The most pages this process renders into one document: more in a queue's worker than in
    the web process, where a long document would hold up the request."""
    if jobs.in_worker():
        return current_app.config.get("PDF_MAX_PAGES_IN_WORKER", 400)
    return current_app.config.get("PDF_MAX_PAGES", 80)


def _file_name(document: Document, number: int) -> str:
    base = {DocumentKind.DESIGNATION_REPORT: "wcc-activity-report", DocumentKind.BROCHURE: "wcc-brochure"}
    span = ""
    if document.span_start and document.span_end:
        span = f"-{queries.solar_year(document.span_start)}-{queries.solar_year(document.span_end)}"
    return f"{base.get(document.kind, 'wcc-document')}-{document.org.code}{span}-{document.language}-v{number}.pdf"


def next_number(document: Document) -> int:
    return (document.latest.number if document.latest else 0) + 1


def save_version(document: Document, rendered: RenderedPdf, user, number: int | None = None) -> DocumentVersion:
    """Store the PDF as the document's version ``number`` (the next one); older versions stay."""
    number = number or next_number(document)
    stored = store_generated(rendered.data, _file_name(document, number), "application/pdf",
                             user_id=getattr(user, "id", None))
    version = DocumentVersion(document=document, number=number, stored_file_id=stored.id, stored=stored,
                              pages=rendered.pages, size=len(rendered.data),
                              created_by_id=getattr(user, "id", None))
    db.session.add(version)
    document.versions.insert(0, version)
    document.state, document.failure = DocumentState.READY, None
    document.updated_at = utcnow()
    db.session.flush()
    return version


def _photo_keys(files: list[InitiativeFile]) -> dict[int, str]:
    return {f.stored_file_id: f.stored.key for f in files}


def make_version(document: Document, user) -> DocumentVersion:
    """Make the document again from its saved sources and today's data, at once (the command line).
    Raises PdfTooLong, PdfUnavailable, NothingToShow."""
    return save_version(document, render(document), user)


def render(document: Document) -> RenderedPdf:
    """The PDF of the document from its saved sources and today's data."""
    if document.kind == DocumentKind.DESIGNATION_REPORT:
        context, photos = designation_context(document.org, span_of(document), document.language,
                                              document.sources.get("photos", []), document.narrative)
        rendered = _render("documents/designation_report.html", document.language, context, photos)
    else:
        context, photos = brochure_context(document)
        if not context["initiatives"]:
            raise NothingToShow()
        rendered = _render("documents/brochure.html", document.language, context, photos)
        if len(rendered.data) > BROCHURE_MAX_BYTES:
            context["photo_mm"] = 60
            rendered = _render("documents/brochure.html", document.language, context, photos)
    return rendered


# --- making documents in the background -------------------------------------------------------

def request_version(document: Document, user) -> int:
    """Queue the making of the document's next version; returns its number. The job runs once
    this transaction commits. Raises DocumentError while a making is still under way."""
    if document.pending and not is_stuck(document):
        raise DocumentError(_("This document is being made; wait until it is ready."))
    number = next_number(document)  # a stuck making is asked for again: the same number
    document.state, document.failure = DocumentState.QUEUED, None
    document.updated_at = document.job_claimed_at = utcnow()
    document.job_requeues = 0
    db.session.flush()
    jobs.enqueue(RENDER_JOB, document.id, number, getattr(user, "id", None), retry=True)
    return number


def _locked(document_id: int) -> Document | None:
    return db.session.get(Document, document_id, with_for_update=True, populate_existing=True)


def render_job(document_id: int, number: int, user_id: int | None) -> str:
    """The job that makes version ``number`` of a document. Idempotent: a version already made,
    or a making no longer asked for, is left alone (RQ may run a job twice).

    The document is marked ``rendering`` (committed, so its page can say so), rendered without
    holding a lock, then locked again and given its version, or marked ``failed`` with the reason.
    """
    from wcc.auth.models import User
    from wcc.transaction import commit_progress, roll_back

    document = _locked(document_id)
    if document is None:
        return "no such document"
    if document.latest is not None and document.latest.number >= number:
        return "made already"
    if not document.pending:
        return "not asked for"
    document.state, document.failure = DocumentState.RENDERING, None
    document.job_claimed_at = utcnow()  # the lease: a process that stops now leaves it behind
    commit_progress()

    failure = None
    rendered = None
    app = current_app._get_current_object()
    try:
        with app.test_request_context("/", base_url=app.config.get("BASE_URL") or None):
            rendered = render(document)
    except PdfTooLong as exc:
        failure = {"kind": "too_long", "pages": exc.pages, "limit": exc.limit}
    except PdfUnavailable:
        failure = {"kind": "unavailable"}
    except NothingToShow:
        failure = {"kind": "nothing_to_show"}
    except Exception:  # noqa: BLE001 - whatever broke, the document says so instead of waiting forever
        log.exception("document %s version %s could not be made", document_id, number)
        roll_back()
        failure = {"kind": "error"}

    document = _locked(document_id)
    if document is None:
        return "no such document"
    if document.latest is not None and document.latest.number >= number:
        return "made already"  # another run of this job got there first
    if failure is not None:
        document.state, document.failure = DocumentState.FAILED, failure
        document.updated_at = utcnow()
        return f"failed: {failure['kind']}"
    user = db.session.get(User, user_id) if user_id else None
    save_version(document, rendered, user, number)
    return "ready"


def _stale_cutoff(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(minutes=current_app.config["STALE_DOCUMENT_MINUTES"])


def is_stuck(document: Document, now: datetime | None = None) -> bool:
    """Whether the document has been waiting or being made for longer than a making takes
    (``STALE_DOCUMENT_MINUTES``): the process making it has most likely stopped."""
    since = document.job_claimed_at or document.updated_at
    return document.pending and since is not None and since < _stale_cutoff(now)


def requeue_stale(now: datetime | None = None) -> dict[str, int]:
    """Pick up the makings a stopped process left waiting or half-made.

    A document pending for longer than ``STALE_DOCUMENT_MINUTES`` is queued again for the
    same version number, so it never gets a second version (``render_job`` leaves a number
    already made alone, should the first job be merely slow); after ``MAX_REQUEUES`` it is
    marked failed, interrupted, rather than tried for ever. Claimed by conditional UPDATEs,
    so sweeps running at once handle each document once.
    """
    now = now or utcnow()
    lease = func.coalesce(Document.job_claimed_at, Document.updated_at)
    stale = (Document.state.in_(PENDING_STATES), lease < _stale_cutoff(now))
    failed = db.session.scalars(
        update(Document).where(*stale, Document.job_requeues >= MAX_REQUEUES)
        .values(state=DocumentState.FAILED, failure={"kind": "interrupted"}, updated_at=now)
        .returning(Document.id).execution_options(synchronize_session="fetch")).all()
    requeued = db.session.scalars(
        update(Document).where(*stale, Document.job_requeues < MAX_REQUEUES)
        .values(state=DocumentState.QUEUED, job_claimed_at=now, job_requeues=Document.job_requeues + 1)
        .returning(Document.id).execution_options(synchronize_session="fetch")).all()
    if requeued:
        made = dict(db.session.execute(
            select(DocumentVersion.document_id, func.max(DocumentVersion.number))
            .where(DocumentVersion.document_id.in_(requeued)).group_by(DocumentVersion.document_id)).all())
        for document_id in sorted(requeued):
            jobs.enqueue(RENDER_JOB, document_id, made.get(document_id, 0) + 1, None, retry=True)
    if requeued or failed:
        log.warning("stale documents: %s queued again, %s marked interrupted", len(requeued), len(failed))
    return {"documents_requeued": len(requeued), "documents_interrupted": len(failed)}


def failure_message(document: Document) -> str | None:
    """Why the latest making failed, in the reader's language (None unless it failed)."""
    if document.state != DocumentState.FAILED:
        return None
    failure = document.failure or {}
    kind = failure.get("kind")
    if kind == "too_long":
        return str(PdfTooLong(failure.get("pages", 0), failure.get("limit", 0)))
    if kind == "unavailable":
        from wcc.documents.pdf import pdf_unavailable_reason

        return pdf_unavailable_reason() or _("PDF files could not be made on the server at that moment. "
                                             "Try again.")
    if kind == "nothing_to_show":
        return _("None of this brochure's initiatives is published any more, so there is nothing to print. "
                 "Make a new brochure from published initiatives.")
    if kind == "interrupted":
        return _("The document could not be made: the server making it stopped before it was ready, "
                 "twice. Try again; if it stops again, tell the administrator.")
    return _("The document could not be made: the server met an error while rendering it (it is in the "
             "server's log). Try again; if it fails again, tell the administrator.")


def span_of(document: Document) -> Span:
    return Span(queries.solar_year(document.span_start), queries.solar_year(document.span_end))


# --- the World Craft City activity report ---------------------------------------------------

def check_span(org: Organisation, first: int | None, last: int | None, today: date) -> Span:
    """The span asked for (Solar Hijri years), defaulting to ``default_span``; raises DocumentError."""
    default = queries.default_span(org, today)
    first = default.first if first is None else first
    last = default.last if last is None else last
    this_year = queries.solar_year(today)
    if not (1300 <= first <= this_year and 1300 <= last <= this_year):
        raise DocumentError(_("Choose years between 1300 and %(year)s.", year=this_year))
    if first > last:
        raise DocumentError(_("The first year must not come after the last year."))
    return Span(first, last)


def _figures(org: Organisation, span: Span, language: str, today: date) -> list[dict]:
    """The member's approved figures per goal against its targets, with the dashboards' progress
    status (the one progress status, ``wcc.reporting.progress.judge``)."""
    from wcc.dashboards.filters import Filters
    from wcc.dashboards.pages import member_dashboard
    from wcc.dashboards.tables import TRACK_LABELS
    from wcc.goals.display import format_value
    from wcc.periods import Period, PeriodRange
    from wcc.reporting.progress import STATUS_LABELS, ProgressStatus

    data = member_dashboard(org, Filters(PeriodRange(Period(span.first), Period(span.last))), today)
    rows = []
    for row in data["goals"]:
        info = data["goal_info"][row["code"]]
        rows.append({
            "code": row["code"], "title": info["title"].get(language) or info["title"]["en"],
            "actual": row["actual"], "target": row["target"], "percent": row["percent_of_target"],
            "actual_text": format_value(row["actual"], info["unit"], language),
            "target_text": format_value(row["target"], info["unit"], language),
            "status": row["status"], "status_text": str(STATUS_LABELS[ProgressStatus(row["status"])]),
            "track": row["track"], "track_text": str(TRACK_LABELS[row["track"]]), "reports": row["reports"]})
    return rows


def _story(ini: Initiative, language: str) -> tuple[str, bool]:
    """The story for readers of ``language``, and whether it is the Persian one standing in."""
    text = ini.story_in(language)
    if text:
        return text, False
    if ini.story:
        return ini.story, language != "fa"
    return ini.summary, False


def designation_context(org: Organisation, span: Span, language: str, photo_ids: list[int], narrative: str,
                        today: date | None = None) -> tuple[dict, dict[int, str]]:
    """Everything the activity report prints, and the photos it may show."""
    from wcc.i18n.formatting import format_number, localise_digits
    from wcc.periods import today as today_local

    today = today or today_local()
    with force_locale(language):
        initiatives = queries.span_initiatives(org, span)
        ticked = set(photo_ids)
        photos = {ini.id: [f for f in ini.photos if f.id in ticked] for ini in initiatives}
        chosen = [f for files in photos.values() for f in files]
        partners = sorted({p.name for ini in initiatives for p in ini.partners})
        countries = sorted({ini.partner_country for ini in initiatives if ini.partner_country})
        events = [ini for ini in initiatives if ini.category.code in queries.EVENT_CATEGORIES]
        deals = [ini for ini in initiatives if ini.deal_amount is not None]
        figures = _figures(org, span, language, today)
        bars = [Bar(f["title"], min(f["percent"], 200.0) if f["percent"] is not None else None,
                    text=_percent_text(f["percent"], language), colour=TRACK_COLOURS[f["track"]])
                for f in figures if f["target"]]
        chart = bar_chart(bars, lang=language, title=_("Approved figures as a share of target"),
                          reference=100.0, reference_label=_("the target")) if bars else None
        per_year = Counter(queries.solar_year(ini.start_date) for ini in initiatives if ini.start_date)
        years = list(range(span.first, span.last + 1))
        trend = line_chart([localise_digits(y, language) for y in years],
                           [Series(_("Initiatives started"), [float(per_year.get(y, 0)) for y in years])],
                           lang=language, title=_("Initiatives started per year")) if len(years) > 1 else None
        stories = {ini.id: _story(ini, language) for ini in initiatives}
        context = {
            "org": org, "span": span, "span_text": _span_text(span, language), "lang": language,
            "craft": org.wcc_craft(language), "designation_year": org.wcc_year,
            "designation_year_text": localise_digits(org.wcc_year, language) if org.wcc_year else "",
            "groups": queries.group_by_category(initiatives), "count": len(initiatives),
            "count_text": format_number(len(initiatives), 0, language),
            "photos": photos, "photo_count": len(chosen), "partners": partners, "countries": countries,
            "events": events, "deals": deals, "money": queries.money_raised(org, span),
            "figures": figures, "chart": chart, "trend": trend,
            "stories": {k: (render_story(v[0]), v[1]) for k, v in stories.items()},
            "narrative": render_story(narrative), "printed_on": today, "photo_url": photo_url,
            "photo_printable": photo_printable,
            "amount": lambda value: format_number(value, 2, language)}
    return context, _photo_keys(chosen)


def _percent_text(value: float | None, language: str) -> str:
    from wcc.i18n.formatting import format_percent

    return format_percent(value, 0, language) if value is not None else ""


def _span_text(span: Span, language: str) -> str:
    from wcc.i18n.formatting import localise_digits

    if span.first == span.last:
        return localise_digits(span.first, language)
    return localise_digits(f"{span.first}–{span.last}", language)


def _clean_narrative(text: str | None) -> str:
    from wcc.i18n.text import clean_text

    text = clean_text(text or "")
    if len(text) > NARRATIVE_MAX:
        raise DocumentError(_("The narrative is too long (at most %(n)s characters).", n=NARRATIVE_MAX))
    return text


def open_obligation(org: Organisation):
    """The member's next activity report owed to the World Crafts Council (not received yet), if any."""
    from wcc.designations.models import Designation
    from wcc.designations.services import next_open

    designation = db.session.scalar(select(Designation).where(Designation.org_id == org.id))
    return next_open(designation.reports) if designation is not None else None


def attach_to_obligation(document: Document, obligation) -> None:
    """Say that ``document`` answers ``obligation`` (when an admin records it received with it)."""
    if document.kind != DocumentKind.DESIGNATION_REPORT:
        raise DocumentError(_("Only an activity report answers a World Craft City obligation."))
    if document.obligation_id != obligation.id:
        document.obligation_id, document.obligation = obligation.id, obligation
        db.session.flush()


def create_designation_report(org: Organisation, *, language: str, span: Span, photo_ids: list[int],
                              narrative: str, user, background: bool = True) -> Document:
    """Save the choices, attached to the member's next open obligation, and queue the first version
    (``background``) or make it at once. Raises DocumentError (and, at once, PdfUnavailable, PdfTooLong)."""
    if not org.is_designated:
        raise DocumentError(_("Only a designated World Craft City has an activity report."))
    if language not in REPORT_LANGUAGES:
        raise DocumentError(_("Activity reports are made in Persian or English."))
    allowed = {f.id for f in queries.photos_of(queries.span_initiatives(org, span))}
    photo_ids = [i for i in dict.fromkeys(photo_ids) if i in allowed]
    with force_locale(language):
        title = _("World Craft City activity report: %(city)s, %(span)s", city=org.name(language),
                  span=_span_text(span, language))
    document = Document(kind=DocumentKind.DESIGNATION_REPORT, org_id=org.id, org=org, language=language,
                        title=title[:300], span_start=span.start, span_end=span.end,
                        sources={"photos": photo_ids}, narrative=_clean_narrative(narrative),
                        created_by_id=getattr(user, "id", None))
    obligation = open_obligation(org)
    if obligation is not None:
        document.obligation_id, document.obligation = obligation.id, obligation
    return _first_version(document, user, background)


def _first_version(document: Document, user, background: bool) -> Document:
    document.state = DocumentState.QUEUED if background else DocumentState.RENDERING
    document.job_claimed_at = utcnow()
    db.session.add(document)
    db.session.flush()
    if background:
        jobs.enqueue(RENDER_JOB, document.id, 1, getattr(user, "id", None), retry=True)
    else:
        make_version(document, user)
    return document


# --- brochures ------------------------------------------------------------------------------

def brochure_owner(user) -> Organisation | None:
    """The organisation a user makes brochures for: their province, or the network for admins."""
    return user.org if user.org is not None and user.org.kind in (OrgKind.PROVINCE, OrgKind.NETWORK) else None


def brochure_scope(org: Organisation) -> list[int] | None:
    """Organisations whose initiatives a brochure of ``org`` may show (None: the whole network)."""
    if org.kind == OrgKind.NETWORK:
        return None
    return [org.id, *db.session.scalars(select(Organisation.id).where(Organisation.parent_id == org.id))]


def brochure_context(document: Document) -> tuple[dict, dict[int, str]]:
    from wcc.periods import today as today_local

    sources = document.sources
    language = document.language
    craft = db.session.scalar(select(Craft).where(Craft.code == sources["craft"])) if sources.get("craft") else None
    scope = brochure_scope(document.org)
    if craft is not None:
        initiatives = queries.brochure_initiatives(craft=craft, org_ids=scope)
    else:
        initiatives = queries.brochure_initiatives(ids=sources.get("initiatives", []), org_ids=scope)
    contacts = set(sources.get("contacts", []))
    photos = [f for ini in initiatives for f in ini.photos]
    # A photo that cannot be printed (``photo_printable``) has a note in its place, but no cover.
    cover = next((ini.cover for ini in initiatives if ini.cover is not None and photo_printable(ini.cover.stored)),
                 None)
    with force_locale(language):
        stories = {}
        for ini in initiatives:
            text = ini.story_in(language)
            stories[ini.id] = render_story(text) if text else None
        crafts = {c.code: c for ini in initiatives for c in ini.crafts}
        context = {
            "document": document, "lang": language, "paper": sources.get("paper", "A4"), "craft": craft,
            "crafts": list(crafts.values()), "initiatives": initiatives, "stories": stories,
            "cover": cover, "contacts": [ini for ini in initiatives if ini.id in contacts],
            "network_contact": current_app.config.get("NETWORK_CONTACT", ""),
            "printed_on": today_local(), "photo_url": photo_url, "photo_printable": photo_printable,
            "photo_mm": 80}
    return context, _photo_keys(photos + ([cover] if cover else []))


def missing_stories(initiatives: list[Initiative], language: str) -> list[Initiative]:
    """Initiatives with no story for ``language`` yet, or whose translation is out of date."""
    return [ini for ini in initiatives
            if not ini.story_in(language) or (language != "fa" and ini.story_needs_translation)]


def create_brochure(org: Organisation, *, language: str, paper: str, initiative_ids: list[int] | None,
                    craft_code: str | None, contact_ids: list[int], user, background: bool = True) -> Document:
    """A brochure about a craft or chosen initiatives (published ones only), in one language."""
    if language not in LANGUAGES:
        raise DocumentError(_("Choose Persian, English or Russian."))
    if paper not in PAPERS:
        raise DocumentError(_("Choose A4 or A5."))
    scope = brochure_scope(org)
    craft = None
    if craft_code:
        craft = db.session.scalar(select(Craft).where(Craft.code == craft_code))
        if craft is None:
            raise DocumentError(_("There is no craft with the code “%(code)s”.", code=craft_code))
        initiatives = queries.brochure_initiatives(craft=craft, org_ids=scope)
    else:
        initiatives = queries.brochure_initiatives(ids=list(initiative_ids or []), org_ids=scope)
        if initiative_ids and len(initiatives) != len(set(initiative_ids)):
            raise DocumentError(_("Only published initiatives your organisation may show can be in a brochure."))
    if not initiatives:
        raise DocumentError(_("Choose at least one published initiative, or a craft that has some."))
    chosen = {ini.id for ini in initiatives}
    with force_locale(language):
        subject = craft.name(language) if craft else (initiatives[0].title_in(language) if len(initiatives) == 1
                                                      else _("Iranian handicrafts"))
        title = _("Brochure: %(subject)s", subject=subject)
    document = Document(kind=DocumentKind.BROCHURE, org_id=org.id, org=org, language=language, title=title[:300],
                        sources={"paper": paper, "craft": craft.code if craft else None,
                                 "initiatives": sorted(chosen) if craft is None else [],
                                 "contacts": sorted(set(contact_ids) & chosen)},
                        created_by_id=getattr(user, "id", None))
    return _first_version(document, user, background)


def publish(document: Document) -> None:
    if document.kind != DocumentKind.BROCHURE:
        raise DocumentError(_("Only brochures are published."))
    if document.latest is None:
        raise DocumentError(_("This brochure has no finished version to publish yet."))
    if document.published_at is None:
        document.published_at = utcnow()
        db.session.flush()


def brochure_report_offer(document: Document, today: date) -> dict | None:
    """What counting this member's published Russian brochures toward BROCHURES-RU would do:
    the goal, the period, the count, and the report it would go into. None when it does not apply
    (not a published Russian brochure, no such goal, or the report is no longer editable)."""
    from wcc.goals.queries import get_goal
    from wcc.periods import period_containing
    from wcc.reporting.models import Status
    from wcc.reporting.services import find_report

    if document.kind != DocumentKind.BROCHURE or document.language != "ru" or document.published_at is None:
        return None
    goal = get_goal(BROCHURE_GOAL)
    if goal is None or not goal.active or not goal.reported_by(document.org):
        return None
    period = period_containing(document.published_at.date(), goal.frequency)
    count = queries.published_brochures(document.org, "ru", period.first_day, period.last_day)
    report = find_report(document.org, goal, period)
    if report is not None and report.status not in (Status.DRAFT, Status.RETURNED):
        return None
    current = report.value if report is not None else None
    if current is not None and Decimal(current) >= count:
        return None
    return {"goal": goal, "period": period, "count": count, "report": report, "current": current}


def count_brochures(document: Document, user, today: date):
    """Put the count of published Russian brochures into the member's BROCHURES-RU report for the
    period (a new draft, or the draft or returned report already there). Only when the officer asks."""
    from wcc.reporting.services import create_report, update_report

    offer = brochure_report_offer(document, today)
    if offer is None:
        raise DocumentError(_("There is nothing to count: the report is already up to date or no longer "
                              "editable."))
    # A count the app made, not a typed value: nothing to ask about a slip (``confirm``).
    if offer["report"] is None:
        return create_report(goal=offer["goal"], org=document.org, period_key=offer["period"].key,
                             value=Decimal(offer["count"]), user=user, confirm=True)
    report = offer["report"]
    return update_report(report, version=report.version, user=user, value=Decimal(offer["count"]), confirm=True)
