"""Pages for documents: the activity report form, brochures, the library, downloads."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from wcc.documents import queries, services
from wcc.documents.models import Document, DocumentKind, DocumentState, DocumentVersion
from wcc.documents.pdf import pdf_unavailable_reason
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n import current_language
from wcc.orgs.models import Organisation
from wcc.pagination import paginate, requested_page
from wcc.periods import today as today_local
from wcc.permissions import can, require
from wcc.transaction import discard_changes
from wcc.uploads.services import send_stored

bp = Blueprint("documents", __name__)

PER_PAGE = 25
KIND_LABELS = {DocumentKind.DESIGNATION_REPORT: _l("World Craft City activity report"),
               DocumentKind.BROCHURE: _l("Brochure")}
LANGUAGE_LABELS = {"fa": _l("Persian"), "en": _l("English"), "ru": _l("Russian")}
STATE_LABELS = {DocumentState.QUEUED: _l("waiting to be made"), DocumentState.RENDERING: _l("being made"),
                DocumentState.READY: _l("ready"), DocumentState.FAILED: _l("could not be made")}
STATE_TEXTS = {
    DocumentState.QUEUED: _l("Your choices are saved and the document waits for its turn to be made. "
                             "This page refreshes by itself and links the PDF when it is ready."),
    DocumentState.RENDERING: _l("The document is being made now: its pages, charts and photos are being put "
                                "together. This page refreshes by itself and links the PDF when it is ready."),
}


@bp.app_template_global()
def document_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def document_language_label(lang: str) -> str:
    return str(LANGUAGE_LABELS.get(lang, lang))


@bp.app_template_global()
def document_state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@bp.app_template_filter()
def file_size(size: int | None) -> str:
    from wcc.i18n.formatting import format_number

    if size is None:
        return "—"
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_number(max(1, round(size / 1024)), 0))
    return _("%(n)s MB", n=format_number(size / 1024 / 1024, 1))


def _org_or_404(code: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        abort(404)
    return org


def _document_or_404(document_id: int, action: str = "document.view") -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    require(current_user, action, document, hide=True)
    return document


def _year_arg(name: str) -> int | None:
    raw = (request.values.get(name) or "").strip()
    if not raw:
        return None
    from wcc.i18n.text import to_ascii_digits

    raw = to_ascii_digits(raw)
    return int(raw) if raw.isdigit() and len(raw) == 4 else -1


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.values.getlist(name) if v.isdigit() and len(v) < 10]


# --- the World Craft City activity report ---------------------------------------------------

@bp.route("/members/<code>/designation-report", methods=["GET", "POST"])
@login_required
def designation_report(code: str):
    """Choose span, language, photos and narrative; make the report; see the earlier ones."""
    org = _org_or_404(code)
    require(current_user, "document.designation_report", org, hide=True)
    today = today_local()
    error = None
    status = 200
    try:
        span = services.check_span(org, _year_arg("from"), _year_arg("to"), today)
    except services.DocumentError as exc:
        error, status = str(exc), 422
        span = queries.default_span(org, today)
    initiatives = queries.span_initiatives(org, span)
    photos = queries.photos_of(initiatives)
    ticked = set(_ids("photo")) if request.method == "POST" else set(queries.default_photo_ids(initiatives))
    language = request.form.get("language", "en" if current_language() == "en" else "fa")
    narrative = request.form.get("narrative", "")
    if request.method == "POST" and error is None:
        if pdf_unavailable_reason():
            error, status = pdf_unavailable_reason(), 503
        else:
            try:
                document = services.create_designation_report(
                    org, language=language, span=span, photo_ids=[i for i in _ids("photo")],
                    narrative=narrative, user=current_user)
            except services.DocumentError as exc:
                error, status = str(exc), 422
            else:
                return redirect(url_for("documents.detail", document_id=document.id))
    earlier = list(db.session.scalars(queries.library_query(current_user, kind=DocumentKind.DESIGNATION_REPORT)
                                      .where(Document.org_id == org.id)))
    this_year = queries.solar_year(today)
    years = list(range(min(queries.designation_year(org) or this_year, this_year - 10), this_year + 1))
    return render_template("documents/designation_form.html", org=org, span=span, years=years,
                           initiatives=initiatives, photos=photos, ticked=ticked, language=language,
                           narrative=narrative, error=error, earlier=earlier,
                           obligation=services.open_obligation(org),
                           pdf_problem=pdf_unavailable_reason()), status


# --- brochures ------------------------------------------------------------------------------

@bp.route("/brochures/new", methods=["GET", "POST"])
@login_required
def new_brochure():
    """Pick a craft or initiatives, a language and a paper size; confirm the contacts to print."""
    owner = services.brochure_owner(current_user)
    require(current_user, "document.brochure", owner)
    scope = services.brochure_scope(owner)
    language = request.values.get("language", "ru")
    language = language if language in services.LANGUAGES else "ru"
    paper = request.values.get("paper", "A4")
    craft_code = request.values.get("craft") or None
    chosen_ids = _ids("initiative")
    crafts = queries.crafts_for_brochures()
    craft = next((c for c in crafts if c.code == craft_code), None)
    if craft is not None:
        chosen = queries.brochure_initiatives(craft=craft, org_ids=scope)
    else:
        chosen = queries.brochure_initiatives(ids=chosen_ids, org_ids=scope) if chosen_ids else []
    candidates = queries.brochure_initiatives(org_ids=scope)[:300]
    error, status = None, 200
    if request.method == "POST" and pdf_unavailable_reason():
        error, status = pdf_unavailable_reason(), 503
    elif request.method == "POST":
        try:
            document = services.create_brochure(owner, language=language, paper=paper,
                                                initiative_ids=chosen_ids or None, craft_code=craft_code,
                                                contact_ids=_ids("contact"), user=current_user)
        except services.DocumentError as exc:
            error, status = str(exc), 422
        else:
            return redirect(url_for("documents.detail", document_id=document.id))
    return render_template("documents/brochure_form.html", owner=owner, crafts=crafts, craft=craft,
                           candidates=candidates, chosen=chosen, chosen_ids=set(chosen_ids), language=language,
                           paper=paper, missing=services.missing_stories(chosen, language),
                           sellers=[i for i in chosen if i.contact_name or i.contact_email or i.contact_phone],
                           error=error, pdf_problem=pdf_unavailable_reason()), status


# --- the library ----------------------------------------------------------------------------

@bp.get("/documents")
@login_required
def library():
    require(current_user, "document.list")
    kind = request.args.get("kind") if request.args.get("kind") in set(DocumentKind) else None
    language = request.args.get("language") if request.args.get("language") in LANGUAGE_LABELS else None
    page = paginate(queries.library_query(current_user, kind=kind, language=language), requested_page(),
                    PER_PAGE, scalars=True)
    owner = services.brochure_owner(current_user)
    return render_template("documents/library.html", page=page, kind=kind, language=language,
                           may_make_brochures=can(current_user, "document.brochure", owner))


@bp.get("/documents/<int:document_id>")
@login_required
def detail(document_id: int):
    document = _document_or_404(document_id)
    offer = services.brochure_report_offer(document, today_local()) \
        if can(current_user, "document.publish", document) else None
    return render_template("documents/detail.html", document=document, offer=offer,
                           failure=services.failure_message(document),
                           span=services.span_of(document) if document.kind == DocumentKind.DESIGNATION_REPORT
                           and document.span_start else None, state_text=STATE_TEXTS.get(document.state),
                           pdf_problem=pdf_unavailable_reason(), stuck=services.is_stuck(document))


@bp.get("/documents/<int:document_id>/status")
@login_required
def status(document_id: int):
    """How the making of a document is going, for its page to refresh itself."""
    document = _document_or_404(document_id)
    latest = document.latest
    return jsonify(state=document.state, pending=document.pending, stuck=services.is_stuck(document),
                   label=document_state_label(document.state),
                   text=str(STATE_TEXTS.get(document.state, "")), failure=services.failure_message(document),
                   version=latest.number if latest else None, pages=latest.pages if latest else None)


@bp.get("/documents/<int:document_id>/versions/<int:number>.pdf")
@login_required
def download(document_id: int, number: int):
    document = _document_or_404(document_id, "document.download")
    version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                              DocumentVersion.number == number))
    if version is None:
        abort(404)
    return send_stored(version.stored, download=True)


@bp.post("/documents/<int:document_id>/regenerate")
@login_required
def regenerate(document_id: int):
    """Make the document again from its saved sources (new version; the old ones stay), or try
    again after a failure. The making is a background job; the page shows how it goes."""
    document = _document_or_404(document_id)
    require(current_user, "document.regenerate", document)
    problem = pdf_unavailable_reason()
    try:
        if problem:
            raise services.DocumentError(problem)
        services.request_version(document, current_user)
    except services.DocumentError as exc:
        discard_changes()  # the answer is a redirect, but nothing of this request is kept
        flash(str(exc), "danger")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/publish")
@login_required
def publish(document_id: int):
    document = _document_or_404(document_id)
    require(current_user, "document.publish", document)
    try:
        services.publish(document)
    except services.DocumentError as exc:
        discard_changes()
        flash(str(exc), "danger")
    else:
        flash(_("The brochure is marked as published."), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.post("/documents/<int:document_id>/count-brochures")
@login_required
def count_brochures(document_id: int):
    """Put the published Russian brochures into the member's BROCHURES-RU report, when asked."""
    document = _document_or_404(document_id)
    require(current_user, "document.publish", document)
    try:
        report = services.count_brochures(document, current_user, today_local())
    except (services.DocumentError, ServiceError) as exc:
        discard_changes()
        flash(str(exc), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    flash(_("The report's value is now %(n)s. Check it and submit it when you are ready.",
            n=int(report.value)), "success")
    return redirect(url_for("reporting.detail", report_id=report.id))
