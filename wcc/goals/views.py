"""The goal catalogue, a goal's page with progress, goal management and target setting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wcc.errors import ServiceError, show_on_form
from wcc.forms import meant_field
from wcc.goals import services
from wcc.goals.display import format_value
from wcc.goals.forms import (
    AGGREGATION_LABELS,
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    THEME_LABELS,
    UNIT_LABELS,
    GoalForm,
    TargetsForm,
)
from wcc.goals.models import Goal
from wcc.goals.queries import (
    all_goals,
    get_goal,
    goals_for_org,
    org_targets,
    target_history,
    year_span,
)
from wcc.i18n import current_language
from wcc.i18n.numbers import editable_number, resolve_choice
from wcc.initiatives.queries import contributing
from wcc.orgs.models import OrgKind
from wcc.orgs.queries import get_by_code
from wcc.periods import clock
from wcc.permissions import can, require
from wcc.reporting.progress import PROVINCE_RULE, STATUS_LABELS, STATUS_STYLES, measure_for
from wcc.reporting.queries import goal_progress, municipal_target_sums, network_progress, progress_year

bp = Blueprint("goals", __name__)

LABELS = {"themes_labels": THEME_LABELS, "units": UNIT_LABELS, "aggregations": AGGREGATION_LABELS,
          "directions": DIRECTION_LABELS, "frequencies": FREQUENCY_LABELS,
          "progress_labels": STATUS_LABELS, "progress_styles": STATUS_STYLES}


def _goal_or_404(code: str) -> Goal:
    goal = get_goal(code)
    if goal is None:
        abort(404)
    return goal


def _chosen_year(years: list[str], goal: Goal | None = None) -> int:
    return progress_year(years, request.args.get("year", ""), goal)


@bp.get("/goals")
@login_required
def catalogue():
    require(current_user, "goal.list")
    show_inactive = request.args.get("inactive") == "1" and can(current_user, "goal.edit")
    goals = all_goals(active_only=not show_inactive)
    years = year_span(goals)
    year = _chosen_year(years)
    progress = network_progress(goals, year, clock.today())
    themes: dict[str, list[Goal]] = {}
    for goal in goals:
        themes.setdefault(goal.theme, []).append(goal)
    return render_template("goals/catalogue.html", themes=themes, progress=progress, year=year,
                           years=years, show_inactive=show_inactive, **LABELS)


@bp.get("/goals/<code>")
@login_required
def detail(code: str):
    goal = _goal_or_404(code)
    require(current_user, "goal.view", goal)
    years = year_span([goal])
    year = _chosen_year(years, goal)
    progress = goal_progress(goal, year, clock.today())
    provinces = [o for o in progress.orgs if o.kind == OrgKind.PROVINCE]
    municipalities: dict[int, list] = {}
    for org in progress.orgs:
        if org.kind == OrgKind.MUNICIPALITY and org.id in progress.members:
            municipalities.setdefault(org.parent_id, []).append(org)
    # Provinces are members once they have a municipality or figures (as on the dashboards); others
    # would only add noise.
    with_municipality = {o.parent_id for o in progress.orgs if o.kind == OrgKind.MUNICIPALITY}
    provinces = [p for p in provinces if p.id in with_municipality or _has_figures(progress.members.get(p.id))]
    initiative_count, initiatives = contributing(current_user, goal)
    return render_template("goals/detail.html", goal=goal, year=year, years=years, progress=progress,
                           provinces=provinces, municipalities=municipalities,
                           initiative_count=initiative_count, initiatives=initiatives,
                           measure=measure_for(goal.aggregation), can_report=_can_report(goal), **LABELS)


def _has_figures(row) -> bool:
    return row is not None and bool(row.reports or row.pending_count or row.target is not None)


def _can_report(goal: Goal) -> bool:
    org = current_user.org
    return goal.active and goal.reported_by(org) and can(current_user, "report.create", org)


# --- managing goals -------------------------------------------------------------------

def _save_goal(form: GoalForm, goal: Goal | None) -> Goal | None:
    values = form.values()
    try:
        values["baseline_value"] = services.parse_value(form.baseline_value.data, values["unit"],
                                                        "baseline_value")
        if goal is None:
            goal = services.create_goal(**values)
        else:
            services.update_goal(goal, **values)
    except ServiceError as exc:
        show_on_form(form, exc)
        return None
    return goal


@bp.route("/admin/goals/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "goal.create")
    form = GoalForm()
    if form.validate_on_submit():
        goal = _save_goal(form, None)
        if goal is not None:
            flash(_("The goal %(code)s has been created.", code=goal.code), "success")
            return redirect(url_for("goals.detail", code=goal.code))
    status = 400 if request.method == "POST" else 200
    return render_template("goals/form.html", form=form, goal=None), status


@bp.route("/admin/goals/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str):
    goal = _goal_or_404(code)
    require(current_user, "goal.edit", goal)
    form = GoalForm(obj=goal)
    if request.method == "GET" and goal.baseline_value is not None:
        form.baseline_value.data = format(goal.baseline_value.normalize(), "f")
    if form.validate_on_submit():
        if _save_goal(form, goal) is not None:
            flash(_("The goal has been saved."), "success")
            return redirect(url_for("goals.detail", code=goal.code))
    status = 400 if request.method == "POST" else 200
    return render_template("goals/form.html", form=form, goal=goal), status


# --- targets ---------------------------------------------------------------------------

@bp.route("/targets", methods=["GET", "POST"])
@login_required
def targets():
    """One organisation's targets, goal by goal and year by year; editable by those who set them."""
    code = request.values.get("org", "")
    org = get_by_code(code[:40]) if code else None
    if code and org is None:
        abort(404)
    if org is None:
        org = current_user.org
    require(current_user, "target.view", org)
    editable = can(current_user, "target.set", org)
    goals = goals_for_org(org)
    years = year_span(goals)
    current = org_targets(org, goals)
    defaults = municipal_target_sums(goals) if org.kind == OrgKind.PROVINCE else {}
    form = TargetsForm()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        require(current_user, "target.set", org)
        if form.validate_on_submit():
            errors, values = _save_targets(org, goals, current)
            if not errors:
                flash(_("The targets have been saved."), "success")
                return redirect(url_for("goals.targets", org=org.code))
        status = 400
    return render_template("goals/targets.html", org=org, goals=goals, years=years, current=current,
                           defaults=defaults, editable=editable, form=form, errors=errors, values=values,
                           history=target_history(list(current.values())),
                           goal_titles={gl.code: gl.title(current_language()) for gl in goals}, **LABELS), status


def _save_targets(org, goals, current) -> tuple[dict[str, str], dict[str, str]]:
    """Apply the posted target inputs and return the errors; on any error the page answers 400,
    so nothing is kept."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for goal in goals:
        for year in services.target_years(goal):
            name = f"t-{goal.id}-{year}"
            if name not in request.form:
                continue
            typed = request.form.get(name, "")[:60]
            values[name] = typed
            raw = resolve_choice(typed, request.form.get(meant_field(name)))
            existing = current.get((goal.id, year))
            try:
                parsed = services.parse_value(raw, goal.unit)
                if (existing.value if existing else None) == parsed:
                    continue
                services.set_target(goal, org, year, raw, current_user)
            except ServiceError as exc:
                errors[name] = exc.message
    return errors, values


bp.add_app_template_filter(format_value, "goal_value")
bp.add_app_template_global(PROVINCE_RULE, "province_rule")
bp.add_app_template_filter(editable_number, "plain")
