"""My reporting, the report form and page, the workflow steps, the review queue."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from wcc.errors import ServiceError, show_on_form
from wcc.extensions import db
from wcc.forms import NumberField, choices
from wcc.goals.display import format_value, plain_number
from wcc.goals.forms import UNIT_LABELS
from wcc.goals.models import Goal, Unit
from wcc.goals.queries import all_goals, get_goal
from wcc.goals.services import parse_value
from wcc.i18n import current_language
from wcc.i18n.formatting import format_number
from wcc.initiatives.models import Initiative
from wcc.orgs.models import Organisation, OrgKind
from wcc.orgs.queries import get_by_code
from wcc.pagination import paginate
from wcc.periods import PeriodError, clock, format_period, parse_period
from wcc.permissions import can, require
from wcc.reporting import services, workflow
from wcc.reporting.forms import (
    HISTORY_LABELS,
    STATUS_LABELS,
    STATUS_STYLES,
    STEP_LABELS,
    CommentForm,
    DecisionForm,
    ReportForm,
)
from wcc.reporting.models import EDITABLE, CommentKind, ProgressReport, ReportEvidence, Status
from wcc.reporting.queries import (
    expected_periods,
    held_for_others_count,
    latest_comments,
    linkable_initiatives,
    nav_counts,
    report_history,
    report_list_query,
    reporting_goals,
    reporting_overview,
    reports_by_ids,
    review_queue_query,
    users_by_id,
    value_context,
)
from wcc.transaction import keep_changes, roll_back
from wcc.uploads.services import send_stored
from wcc.uploads.staging import KeptUploads, expired_notice

bp = Blueprint("reporting", __name__)

PER_PAGE = 50
QUEUE_LIMIT = 200
LABELS = {"status_labels": STATUS_LABELS, "status_styles": STATUS_STYLES, "unit_labels": UNIT_LABELS,
          "history_labels": HISTORY_LABELS, "step_labels": STEP_LABELS}


@bp.app_template_filter("format_period")
def _format_period_filter(value, dates: bool = True, short: bool = False, lang: str | None = None) -> str:
    """``format_period`` in the active language, or in ``lang`` when a template that lists many
    periods has the language at hand (looking it up costs more than a cached label)."""
    return format_period(value, lang, dates=dates, short=short)


@bp.app_context_processor
def _navigation():
    def reporting_nav():
        """Counts for the navigation, computed once per request and only when a page shows them."""
        if "reporting_nav" not in g:
            g.reporting_nav = nav_counts(current_user, clock.today(), g.get("reporting_overview"))
        return g.reporting_nav

    return {"reporting_nav": reporting_nav}


def _report_or_404(report_id: int) -> ProgressReport:
    report = db.session.get(ProgressReport, report_id,
                            options=[joinedload(ProgressReport.goal), joinedload(ProgressReport.org),
                                     selectinload(ProgressReport.evidence).joinedload(ReportEvidence.file),
                                     selectinload(ProgressReport.initiatives).joinedload(Initiative.org)])
    if report is None:
        abort(404)
    require(current_user, "report.view", report, hide=True)
    return report


# --- My reporting and lists -------------------------------------------------------------

@bp.get("/reporting")
@login_required
def my_reporting():
    if not can(current_user, "report.my_reporting"):
        # Admins and the ministry do not report; their work is reviewing and reading.
        target = "reporting.review_queue" if can(current_user, "report.review_queue") else "reporting.reports"
        return redirect(url_for(target))
    overview = g.reporting_overview = reporting_overview(current_user.org, clock.today())
    return render_template("reporting/my_reporting.html", overview=overview, org=current_user.org,
                           **LABELS)


@bp.get("/reports")
@login_required
def reports():
    require(current_user, "report.list")
    args = request.args
    goal = get_goal(args["goal"]) if args.get("goal") else None
    org = get_by_code(args["org"][:40]) if args.get("org") else None
    province = get_by_code(args["province"][:40]) if args.get("province") else None
    period = args.get("period", "").strip()[:10]
    try:
        period = parse_period(period).key if period else ""
    except PeriodError:
        period = ""
    status = args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    page = max(args.get("page", 1, type=int) or 1, 1)
    stmt = report_list_query(current_user, goal=goal, org=org, province=province, period=period or None,
                             status=status or None)
    stmt = stmt.options(joinedload(ProgressReport.goal), joinedload(ProgressReport.org))
    pagination = paginate(stmt, page, PER_PAGE)
    return render_template("reporting/list.html", pagination=pagination, goals=all_goals(), goal=goal,
                           org=org, province=province, period=period, status=status, provinces=_province_choices(),
                           **LABELS)


def _org_choices() -> list[tuple[str, str]]:
    """(code, "code — name") of the members that report, for an admin writing on a member's behalf."""
    lang = current_language()
    rows = db.session.execute(select(Organisation.code, getattr(Organisation, f"name_{lang}"))
                              .where(Organisation.kind.in_((OrgKind.PROVINCE, OrgKind.MUNICIPALITY)),
                                     Organisation.active.is_(True))
                              .order_by(Organisation.code))
    return [(code, f"{code} — {name}") for code, name in rows]


def _province_choices() -> list[tuple[str, str]]:
    lang = current_language()
    rows = db.session.execute(select(Organisation.code, getattr(Organisation, f"name_{lang}"))
                              .where(Organisation.kind == OrgKind.PROVINCE).order_by(Organisation.code))
    return [tuple(r) for r in rows]


# --- writing ------------------------------------------------------------------------------

def _period_choices(goals: list[Goal]) -> list[tuple[str, str]]:
    today = clock.today()
    keys = {}
    for goal in goals:
        for period in expected_periods(goal, today):
            keys[period.key] = period
    ordered = sorted(keys.values(), key=lambda p: p.sort_key, reverse=True)
    return [(p.key, p.label()) for p in ordered]


@dataclass
class InitiativeOption:
    """An initiative the report form offers, and how to show it."""

    initiative: Initiative
    contributes: bool  # to the report's goal
    visible: bool  # to the user: if not, its title is never shown


def _initiative_options(form: ReportForm, org: Organisation, goal: Goal | None,
                        linked: list[Initiative]) -> dict[str, InitiativeOption]:
    """Offer the initiatives a report of ``org`` may cite (and those it cites already) as choices."""
    options = {}
    for ini, contributes in linkable_initiatives(org, goal, linked):
        options[str(ini.id)] = InitiativeOption(ini, contributes, can(current_user, "initiative.view", ini))
    form.initiatives.choices = choices(
        (key, o.initiative.title if o.visible else _("An initiative you cannot see (no. %(id)s)", id=key))
        for key, o in options.items())
    return options


def _chosen_initiatives(form: ReportForm, options: dict[str, InitiativeOption]) -> list[Initiative]:
    return [options[key].initiative for key in form.initiatives.data or [] if key in options]


def _report_form_page(form: ReportForm, report: ProgressReport | None, *, org: Organisation,
                      goal: Goal | None, options: dict[str, InitiativeOption], status: int = 200,
                      theirs: ProgressReport | None = None, message: str | None = None,
                      unusual: services.UnusualValue | None = None, kept: KeptUploads | None = None):
    goal = report.goal if report is not None else goal
    if kept is not None and kept.expired:
        form.form_errors.append(expired_notice())
    return render_template("reporting/form.html", form=form, report=report, org=org, goal=goal,
                           theirs=theirs, message=message, initiative_options=options,
                           returned=_return_reason(report), beside=_value_context(form, report, org, goal),
                           unusual=unusual, confirm_field=CONFIRM_FIELD, kept=kept, **LABELS), status


#: The report form's file field; files picked in it are kept across errors.
EVIDENCE_FIELDS = {"evidence": ("image", "pdf")}


def _form_error_status(form: ReportForm, kept: KeptUploads) -> int | None:
    """Validate the form and keep the evidence picked in this submit (checked now): None when
    both are good, else the status to show the form with (422 when only a file was refused)."""
    valid = form.validate_on_submit()
    if not form.is_submitted():
        return 200
    if "csrf_token" in form.errors:
        return 400
    files_ok = kept.keep_new(form)
    if valid and files_ok:
        return None
    return 400 if not valid else 422


#: The form key of the "Yes, this value is right" checkbox; its value is the number it confirms.
CONFIRM_FIELD = "value-confirm"


def _value_context(form: ReportForm, report: ProgressReport | None, org: Organisation, goal: Goal | None):
    """The target and last period's approved value shown beside the value (None without a period)."""
    if goal is None:
        return None
    try:
        period = report.period if report is not None else parse_period(form.period.data or "")
    except PeriodError:
        return None
    return value_context(org, goal, period)


def _confirmed(form: ReportForm) -> bool:
    """Whether the user ticked "Yes, this value is right" for the very value they are saving."""
    return form.value.data is not None and request.form.get(CONFIRM_FIELD) == plain_number(form.value.data)


def _form_error(form: ReportForm, exc: ServiceError) -> services.UnusualValue | None:
    show_on_form(form, exc)
    return exc if isinstance(exc, services.UnusualValue) else None


def _return_reason(report: ProgressReport | None):
    """The comment a returned report was sent back with (None for any other report)."""
    if report is None or report.status != Status.RETURNED:
        return None
    return next((c for c in reversed(report.comments) if c.kind == CommentKind.RETURN), None)


@bp.app_template_filter("value_echo")
def value_echo(value, unit: str) -> str:
    """What a typed value was read as, with its unit: «خوانده شد: ۱۲٬۵۰۰ یورو»."""
    shown = format_value(value, unit)
    if unit == Unit.PEOPLE:
        shown = f"{shown} {UNIT_LABELS[unit]}"
    return _("Read as %(value)s", value=shown)


@bp.get("/reports/read-value")
@login_required
def read_value():
    """The live echo beside the value field (static/js/reporting.js): how the one parser reads the text,
    by the rules of the goal's unit, before anything is saved."""
    unit = request.args.get("unit", "")
    if unit not in UNIT_LABELS:
        abort(404)
    try:
        value = parse_value(request.args.get("value", "")[:NumberField.MAX_LENGTH], unit)
    except ServiceError as exc:
        return jsonify(ok=False, text=exc.message)
    return jsonify(ok=True, text=value_echo(value, unit) if value is not None else "")


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def new_report():
    org = current_user.org
    if request.values.get("org") and can(current_user, "report.create_for_any"):
        org = get_by_code(request.values["org"][:40]) or abort(404)
    goal = get_goal(request.values.get("goal", "")) if request.values.get("goal") else None
    if request.method == "GET" and (goal is None or not can(current_user, "report.create", org)):
        return _picker(org)
    require(current_user, "report.create", org)
    goals = reporting_goals(org)
    form = ReportForm()
    form.goal.choices = choices((gl.code, gl.title(current_language())) for gl in goals)
    form.period.choices = choices(_period_choices([goal] if goal else goals))
    form.org.choices = choices((code, label) for code, label in _org_choices())
    options = _initiative_options(form, org, goal, [])
    if request.method == "GET":
        form.goal.data = goal.code if goal else None
        form.period.data = request.args.get("period")
        form.org.data = org.code
        if goal is not None and form.period.data:
            existing = _existing(org, goal, form.period.data)
            if existing is not None:
                return redirect(url_for("reporting.detail", report_id=existing.id))
    kept = KeptUploads(EVIDENCE_FIELDS)
    status = _form_error_status(form, kept)
    if status is not None:
        return _report_form_page(form, None, org=org, goal=goal, options=options, kept=kept, status=status)
    goal = get_goal(form.goal.data or "")
    if goal is None:
        form.goal.errors = [_("Choose a goal.")]
        return _report_form_page(form, None, org=org, goal=None, options=options, kept=kept, status=422)
    try:
        report = services.create_report(goal=goal, org=org, period_key=form.period.data or "",
                                        value=form.value.data, narrative=form.narrative.data,
                                        initiatives=_chosen_initiatives(form, options), user=current_user,
                                        confirm=_confirmed(form))
        _attach_evidence(report, kept)
        if request.form.get("action") == "submit":
            services.submit(report, current_user)
    except ServiceError as exc:
        if exc.status == 409 and exc.field == "period":
            # The page shows the report that exists (saved by someone else, perhaps a moment ago).
            return _report_form_page(form, None, org=org, goal=goal, options=options, status=409, kept=kept,
                                     message=exc.message, theirs=_existing(org, goal, form.period.data))
        unusual = _form_error(form, exc)
        return _report_form_page(form, None, org=org, goal=goal, options=options, kept=kept, status=exc.status,
                                 unusual=unusual)
    flash(_("The report has been submitted.") if report.status == Status.SUBMITTED
          else _("The draft has been saved."), "success")
    return redirect(url_for("reporting.detail", report_id=report.id))


def _picker(org: Organisation):
    """Step one of a new report: choose the goal and period (and, for admins, the member)."""
    chooses_org = can(current_user, "report.create_for_any")
    if not (chooses_org or can(current_user, "report.create", org)):
        abort(403)
    goals = reporting_goals(org) if can(current_user, "report.create", org) else all_goals(active_only=True)
    lang = current_language()
    return render_template("reporting/pick.html", org=org, goals=[(g.code, g.title(lang)) for g in goals],
                           periods=_period_choices(goals), orgs=_org_choices() if chooses_org else [],
                           chosen_goal=request.args.get("goal", ""), chosen_period=request.args.get("period", ""))


def _existing(org, goal, period_key):
    try:
        return services.find_report(org, goal, parse_period(period_key or ""))
    except PeriodError:
        return None


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit(report_id: int):
    report = _report_or_404(report_id)
    require(current_user, "report.edit", report)
    services.check_editable(report)
    form = ReportForm(obj=report) if request.method == "GET" else ReportForm()
    options = _initiative_options(form, report.org, report.goal, report.initiatives)
    if request.method == "GET":
        form.value.data = report.value  # the field shows it as an editable number
        form.initiatives.data = [str(i.id) for i in report.initiatives]
        form.version.data = str(report.version)
    kept = KeptUploads(EVIDENCE_FIELDS)
    status = _form_error_status(form, kept)
    if status is not None:
        return _report_form_page(form, report, org=report.org, goal=report.goal, options=options, kept=kept,
                                 status=status)
    version = _int(form.version.data)
    try:
        services.update_report(report, version=version, user=current_user, value=form.value.data,
                               narrative=form.narrative.data, initiatives=_chosen_initiatives(form, options),
                               confirm=_confirmed(form))
        _attach_evidence(report, kept)
        if request.form.get("action") == "submit":
            services.submit(report, current_user)
    except ServiceError as exc:
        if exc.status == 409 and exc.current is report and report.status in EDITABLE:
            return _stale_page(form, report, kept)
        if exc.status == 409:
            raise
        unusual = _form_error(form, exc)
        return _report_form_page(form, report, org=report.org, goal=report.goal, options=options, kept=kept,
                                 status=exc.status, unusual=unusual)
    flash(_("The report has been submitted.") if report.status == Status.SUBMITTED
          else _("The report has been saved."), "success")
    return redirect(url_for("reporting.detail", report_id=report.id))


def _attach_evidence(report: ProgressReport, kept: KeptUploads) -> None:
    """Attach the evidence kept with the form (checked when it arrived)."""
    for stored in kept.store()["evidence"]:
        services.add_evidence(report, stored, current_user)


def _stale_page(form: ReportForm, theirs: ProgressReport, kept: KeptUploads):
    """409 with both versions: what is saved now, and the user's input kept in the form.

    The form now carries the current version, so saving again deliberately
    replaces the other person's change; nothing was overwritten so far.
    """
    form.version.data = str(theirs.version)
    options = _initiative_options(form, theirs.org, theirs.goal, theirs.initiatives)
    return _report_form_page(form, theirs, org=theirs.org, goal=theirs.goal, options=options, status=409,
                             theirs=theirs, kept=kept,
                             message=_("Someone else saved this report while you were editing it. Nothing "
                                       "has been overwritten: compare both versions below."))


def _int(raw) -> int | None:
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


# --- the report page and the workflow -------------------------------------------------------

def _detail_page(report: ProgressReport, *, status: int = 200, error: str | None = None,
                 decision: DecisionForm | None = None, comment_form: CommentForm | None = None):
    history = report_history(report)
    people = users_by_id({report.submitted_by_id, report.reviewed_by_id, report.approved_by_id,
                          report.created_by_id})
    comments = report.comments
    steps = workflow.available_steps(report, current_user)
    # Someone who may read the report but not one of its initiatives learns only that there is one.
    initiatives = [i for i in report.initiatives if can(current_user, "initiative.view", i)]
    return render_template(
        "reporting/detail.html", report=report, history=history, comments=comments, people=people,
        steps=steps, initiatives=initiatives, hidden_initiatives=len(report.initiatives) - len(initiatives), error=error, decision=decision or DecisionForm(formdata=None),
        comment_form=comment_form or CommentForm(formdata=None), returned=_return_reason(report),
        due=services.report_due_date(report), can_edit=can(current_user, "report.edit", report)
        and report.is_editable, **LABELS), status


@bp.get("/reports/<int:report_id>")
@login_required
def detail(report_id: int):
    return _detail_page(_report_or_404(report_id))


STEP_MESSAGES = {
    "submit": lambda: _("The report has been submitted."),
    "review": lambda: _("The report has been marked as reviewed."),
    "approve": lambda: _("The report has been approved."),
    "return": lambda: _("The report has been returned with your comment."),
    "reopen": lambda: _("The report has been reopened."),
}


@bp.post("/reports/<int:report_id>/<any(submit, review, approve, return, reopen):step>")
@login_required
def step(report_id: int, step: str):
    report = _report_or_404(report_id)
    form = DecisionForm()
    if not form.validate():
        return _detail_page(report, status=400, decision=form)
    try:
        services.transition_by_name(step, report, current_user, comment=form.comment.data,
                                    reason=form.comment.data, version=_int(form.version.data))
    except services.StepRefused as exc:
        roll_back()
        services.record_refusal(_report_or_404(report_id), exc, current_user)
        keep_changes()  # the refusal stays on the audit trail; the attempt does not
        return _detail_page(_report_or_404(report_id), status=403, error=exc.message)
    except ServiceError as exc:
        if exc.status == 409 and exc.current is report:
            # Answered with the report as saved now; this request's changes are not kept (409).
            return _detail_page(report, status=409, error=_(
                "Someone else changed this report in the meantime. Check it again, then decide."))
        return _detail_page(report, status=exc.status, error=exc.message, decision=form)
    flash(STEP_MESSAGES[step](), "success")
    return redirect(url_for("reporting.detail", report_id=report.id))


@bp.post("/reports/<int:report_id>/comments")
@login_required
def comment(report_id: int):
    report = _report_or_404(report_id)
    require(current_user, "report.comment", report)
    form = CommentForm()
    if not form.validate():
        return _detail_page(report, status=400, comment_form=form)
    try:
        services.add_comment(report, current_user, form.body.data)
    except ServiceError as exc:
        show_on_form(form, exc)
        return _detail_page(report, status=exc.status, comment_form=form)
    flash(_("Your comment has been added."), "success")
    return redirect(url_for("reporting.detail", report_id=report.id) + "#comments")


# --- evidence ------------------------------------------------------------------------------

def _evidence_or_404(report: ProgressReport, evidence_id: int) -> ReportEvidence:
    evidence = next((e for e in report.evidence if e.id == evidence_id), None)
    if evidence is None:
        abort(404)
    return evidence


@bp.get("/reports/<int:report_id>/evidence/<int:evidence_id>")
@login_required
def evidence(report_id: int, evidence_id: int):
    """A report's photo or document, for those who may read the report."""
    report = _report_or_404(report_id)
    return send_stored(_evidence_or_404(report, evidence_id).file, thumbnail=request.args.get("thumb") == "1")


@bp.post("/reports/<int:report_id>/evidence/<int:evidence_id>/delete")
@login_required
def delete_evidence(report_id: int, evidence_id: int):
    report = _report_or_404(report_id)
    require(current_user, "report.edit", report)
    item = _evidence_or_404(report, evidence_id)
    services.remove_evidence(report, item, current_user)
    flash(_("The file has been removed."), "success")
    return redirect(url_for("reporting.edit", report_id=report.id))


# --- the review queue ---------------------------------------------------------------------------

@bp.get("/review")
@login_required
def review_queue():
    require(current_user, "report.review_queue")
    return _queue_page()


def _queue_page(status: int = 200, comment_error: str | None = None):
    reports = list(db.session.scalars(review_queue_query(current_user).limit(QUEUE_LIMIT)).unique())
    comments = latest_comments([r.id for r in reports])
    # Every report in the queue awaits one of the user's decisions; the table says which.
    to_review = [r for r in reports if r.status in workflow.sources("review", r.org.kind)]
    to_approve = [r for r in reports if r not in to_review]
    return render_template("reporting/review_queue.html", to_review=to_review, to_approve=to_approve,
                           held=held_for_others_count(current_user), comments=comments,
                           decision=DecisionForm(formdata=None), comment_error=comment_error,
                           limit=QUEUE_LIMIT, **LABELS), status


@bp.post("/review")
@login_required
def bulk_decide():
    """Apply one step to the ticked reports; those the user may not decide, or that changed, are skipped."""
    require(current_user, "report.review_queue")
    form = DecisionForm()
    step = request.form.get("step", "")
    if not form.validate() or step not in workflow.QUEUE_STEPS:
        abort(400)
    ids = [i for i in (_int(v) for v in request.form.getlist("report")) if i is not None][:QUEUE_LIMIT]
    if not ids:
        flash(_("Tick the reports you want to decide on first."), "warning")
        return redirect(url_for("reporting.review_queue"))
    if step == "return" and not (form.comment.data or "").strip():
        return _queue_page(status=422, comment_error=_("Write a few words: the member will read them."))
    reports = db.session.scalars(reports_by_ids(ids)).unique().all()
    done, skipped = 0, 0
    for report in reports:
        if not can(current_user, "report.view", report):
            skipped += 1
            continue
        version = _int(request.form.get(f"v-{report.id}"))
        try:
            # Each step in a savepoint: a report that cannot take it is skipped, the others are kept.
            with db.session.begin_nested():
                services.transition_by_name(step, report, current_user, comment=form.comment.data,
                                            version=version)
        except services.StepRefused as exc:
            services.record_refusal(report, exc, current_user)
            skipped += 1
            continue
        except ServiceError:
            skipped += 1
            continue
        done += 1
    skipped += len(ids) - len(reports)
    if done:
        flash(ngettext("%(count)s report done.", "%(count)s reports done.", done, count=format_number(done)),
              "success")
    if skipped:
        flash(ngettext("%(count)s report was skipped: it changed in the meantime or is not yours to decide.",
                       "%(count)s reports were skipped: they changed in the meantime or are not yours to "
                       "decide.", skipped, count=format_number(skipped)), "warning")
    return redirect(url_for("reporting.review_queue"))

