"""The member directory, an organisation's page and its users; admins create and edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from wcc.auth.models import User
from wcc.errors import ServiceError, show_on_form
from wcc.extensions import db
from wcc.forms import choices
from wcc.orgs import services
from wcc.orgs.forms import KIND_LABELS, SETTLEMENT_LABELS, OrgForm
from wcc.orgs.models import Organisation, OrgKind
from wcc.orgs.queries import count_users_by_org, directory_query, get_by_code, org_choices
from wcc.pagination import paginate, requested_page
from wcc.permissions import require

bp = Blueprint("orgs", __name__)

PER_PAGE = 50


def _org_or_404(code: str) -> Organisation:
    org = get_by_code(code[:40])
    if org is None:
        abort(404)
    return org


@bp.get("/orgs")
@login_required
def directory():
    require(current_user, "org.list")
    kind = request.args.get("kind", "")
    kind = kind if kind in KIND_LABELS else None
    province = get_by_code(request.args.get("province", "")[:40]) if request.args.get("province") else None
    q = request.args.get("q", "").strip()[:100]
    page = requested_page()
    show_inactive = request.args.get("inactive") == "1" and current_user.role == "admin"
    stmt = directory_query(kind=kind, parent=province, q=q or None, active=None if show_inactive else True)
    pagination = paginate(stmt, page, PER_PAGE)
    user_counts = count_users_by_org([row[0].id for row in pagination.items])
    provinces = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.PROVINCE).order_by(Organisation.code)).all()
    return render_template("orgs/directory.html", pagination=pagination, kind=kind,
                           province=province, provinces=provinces, q=q, user_counts=user_counts,
                           kind_labels=KIND_LABELS, settlement_labels=SETTLEMENT_LABELS,
                           show_inactive=show_inactive)


@bp.get("/orgs/<code>")
@login_required
def detail(code: str):
    org = _org_or_404(code)
    require(current_user, "org.view", org)
    children = db.session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.code)).all()
    return render_template("orgs/detail.html", org=org, children=children, kind_labels=KIND_LABELS,
                           settlement_labels=SETTLEMENT_LABELS)


@bp.get("/orgs/<code>/users")
@login_required
def users(code: str):
    org = _org_or_404(code)
    require(current_user, "org.view_users", org)
    people = db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)).all()
    return render_template("orgs/users.html", org=org, people=people)


def _form(obj: Organisation | None = None) -> OrgForm:
    form = OrgForm(obj=obj)
    form.parent.choices = choices([("", "—")] + org_choices(kinds=(OrgKind.NETWORK, OrgKind.PROVINCE),
                                                            active_only=False))
    if obj is not None and request.method == "GET":
        form.parent.data = obj.parent_id
    return form


def _save(form: OrgForm, org: Organisation | None):
    parent = db.session.get(Organisation, form.parent.data) if form.parent.data else None
    try:
        if org is None:
            org = services.create_org(parent=parent, **form.values())
        else:
            services.update_org(org, parent=parent, **form.values())
    except ServiceError as exc:
        show_on_form(form, exc)
        return None
    return org


@bp.route("/admin/orgs/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "org.create")
    form = _form()
    if form.validate_on_submit():
        org = _save(form, None)
        if org is not None:
            flash(_("The organisation %(code)s has been created.", code=org.code), "success")
            return redirect(url_for("orgs.detail", code=org.code))
    status = 400 if request.method == "POST" else 200
    return render_template("orgs/form.html", form=form, org=None), status


@bp.route("/admin/orgs/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str):
    org = _org_or_404(code)
    require(current_user, "org.edit", org)
    form = _form(org)
    if form.validate_on_submit():
        if _save(form, org) is not None:
            flash(_("The organisation has been saved."), "success")
            return redirect(url_for("orgs.detail", code=org.code))
    status = 400 if request.method == "POST" else 200
    return render_template("orgs/form.html", form=form, org=org), status
