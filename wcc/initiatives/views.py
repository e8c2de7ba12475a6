"""Pages for initiatives: list, detail, forms, publish/delete/restore, export, import,
and the admin's category and craft lists."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from wcc.errors import ServiceError, conflict, show_on_form
from wcc.extensions import db
from wcc.i18n import current_language
from wcc.initiatives import queries, services, transfer
from wcc.initiatives.forms import (
    CURRENCY_UNITS,
    STATUS_LABELS,
    FilesForm,
    ImportForm,
    InitiativeForm,
    ReferenceForm,
    chosen_files,
    country_name,
    form_data,
)
from wcc.initiatives.models import Category, Craft, FileKind, Initiative, InitiativeFile
from wcc.initiatives.queries import Filters
from wcc.initiatives.story import render_story
from wcc.orgs.models import Organisation, OrgKind
from wcc.pagination import paginate
from wcc.permissions import can, require
from wcc.spreadsheets import SpreadsheetError
from wcc.transaction import discard_changes
from wcc.uploads.services import send_stored
from wcc.uploads.staging import KeptUploads, expired_notice

bp = Blueprint("initiatives", __name__)

PER_PAGE = 24
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_template_filter()
def country(code: str | None) -> str:
    return country_name(code)


HISTORY_ACTIONS = {
    "initiative.create": _l("Registered"),
    "initiative.update": _l("Changed"),
    "initiative.publish": _l("Published"),
    "initiative.unpublish": _l("Made a draft"),
    "initiative.delete": _l("Deleted"),
    "initiative.restore": _l("Restored"),
    "initiative.add_file": _l("Added a file"),
    "initiative.remove_file": _l("Removed a file"),
    "initiative.set_cover": _l("Chose the cover photo"),
}
HISTORY_FIELDS = {
    **{c.key: c.label for c in transfer.COLUMNS},
    "org": _l("Organisation"), "budget": _l("Budget"), "deal_value": _l("Deal value"),
    "milestones": _l("Milestones"), "deleted_at": _l("Deleted"),
    "title_en": _l("Title in English"), "title_ru": _l("Title in Russian"),
    "story_en": _l("Story in English"), "story_ru": _l("Story in Russian"),
    "story_needs_translation": _l("The translations need updating"),
}


def _label_lookup(labels: dict):
    return lambda key: str(labels.get(key, key))


# Template globals that put a code into words: status_label("active") → "In progress".
for _name, _labels in (("status_label", STATUS_LABELS), ("currency_unit", CURRENCY_UNITS),
                       ("history_action", HISTORY_ACTIONS), ("history_field", HISTORY_FIELDS)):
    bp.add_app_template_global(_label_lookup(_labels), _name)


@bp.app_template_filter()
def history_value(value) -> str:
    """An audited value as short text: lists joined, amounts with their currency."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if "amount" in value:
            return f"{value.get('amount')} {value.get('currency') or ''}".strip()
        return " ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(history_value(v) for v in value)
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _initiative_or_404(initiative_id: int, action: str | None = None) -> Initiative:
    """The initiative if the user may see it (404 otherwise), and may do ``action`` (403)."""
    ini = queries.get_initiative(initiative_id)
    if ini is None:
        abort(404)
    require(current_user, "initiative.view", ini, hide=True)
    if action:
        require(current_user, action, ini)
    return ini


def _filters() -> Filters:
    filters = Filters.from_args(request.args)
    if filters.deleted and not can(current_user, "initiative.list_deleted"):
        filters.deleted = False
    return filters


@bp.get("/initiatives")
@login_required
def index():
    require(current_user, "initiative.list")
    filters = _filters()
    view = "cards" if request.args.get("view") == "cards" else "table"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    stmt = queries.with_list_details(queries.initiative_query(current_user, filters))
    pagination = paginate(stmt, page, PER_PAGE, scalars=True)
    covers = queries.cover_ids([ini.id for ini in pagination.items]) if view == "cards" else {}
    return render_template(
        "initiatives/index.html", pagination=pagination, filters=filters, view=view, covers=covers,
        provinces=queries.provinces(), orgs=queries.member_orgs(),
        categories=queries.categories(active_only=False), crafts=queries.crafts(active_only=False),
        goals=queries.goals(active_only=False),
        years=queries.years_in_use(), countries=queries.partner_countries_in_use(),
        status_labels=STATUS_LABELS,
    )


@bp.get("/initiatives/<int:initiative_id>")
@login_required
def detail(initiative_id: int):
    ini = _initiative_or_404(initiative_id)
    events = queries.history(ini) if can(current_user, "initiative.history", ini) else None
    files_form = FilesForm() if can(current_user, "initiative.manage_files", ini) else None
    return render_template("initiatives/detail.html", ini=ini, story=render_story(ini.story),
                           events=events, files_form=files_form)


# --- create and edit -------------------------------------------------------------------

def creatable_orgs() -> list[Organisation]:
    """The organisations the user may create initiatives for (admins: every active one)."""
    if can(current_user, "initiative.create_for_any"):
        return list(db.session.scalars(select(Organisation).where(Organisation.active.is_(True))
                                       .order_by(Organisation.kind != OrgKind.NETWORK, Organisation.code)))
    return [current_user.org] if can(current_user, "initiative.create", current_user.org) else []


def _prepare(form: InitiativeForm, ini: Initiative | None) -> dict:
    orgs = creatable_orgs()
    if ini is not None and ini.org not in orgs:
        orgs.insert(0, ini.org)
    cats = queries.categories()
    if ini is not None and ini.category not in cats:
        cats.append(ini.category)
    crafts = queries.crafts()
    crafts += [c for c in (ini.crafts if ini else []) if c not in crafts]
    goals = queries.goals()
    goals += [g for g in (ini.goals if ini else []) if g not in goals]
    form.setup(orgs=orgs, categories=cats, crafts=crafts, goals=goals)
    if request.method == "GET" and ini is None:
        form.org.data = current_user.org.code if current_user.org in orgs else orgs[0].code
    return {"orgs": orgs, "categories": cats, "crafts": crafts, "goals": goals}


def _chosen_org(form: InitiativeForm, orgs: list[Organisation]) -> Organisation:
    org = next(o for o in orgs if o.code == form.org.data)
    require(current_user, "initiative.create", org)
    return org


#: The initiative form's file fields and what each accepts; files picked in them are kept across errors.
KEPT_FIELDS = {"photos": ("image",), "documents": ("pdf",)}


def _keep_files(form: InitiativeForm, kept: KeptUploads) -> bool:
    """Keep the files picked in this submit (checked now); False if one was refused."""
    if "csrf_token" in form.errors:
        return False
    return kept.keep_new(form)


def _attach_kept_files(form: InitiativeForm, kept: KeptUploads, ini: Initiative) -> bool:
    """Attach the kept photos and documents; False (with the field's error) if one is refused."""
    stored = kept.store()
    for name, kind in (("photos", FileKind.PHOTO), ("documents", FileKind.DOCUMENT)):
        field = getattr(form, name)
        for file in stored[name]:
            try:
                services.add_file(ini, file, kind=kind)
            except ServiceError as exc:
                field.errors = [*(field.errors or []), exc.message]
                return False
    return True


def _render_form(form: InitiativeForm, ini: Initiative | None, kept: KeptUploads, status: int = 200):
    if kept.expired:
        form.form_errors.append(expired_notice())
    return render_template("initiatives/form.html", form=form, ini=ini, kept=kept), status


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "initiative.create")
    form = InitiativeForm()
    lists = _prepare(form, None)
    kept = KeptUploads(KEPT_FIELDS)
    valid = form.validate_on_submit()
    if form.is_submitted() and _keep_files(form, kept) and valid:
        org = _chosen_org(form, lists["orgs"])
        try:
            ini = services.create_initiative(org, form.values(**lists))
        except ServiceError as exc:
            show_on_form(form, exc, aliases=form.ERROR_FIELDS)
        else:
            if not _attach_kept_files(form, kept, ini):
                return _render_form(form, None, kept, 400)
            flash(_("The initiative has been saved."), "success")
            return redirect(url_for("initiatives.detail", initiative_id=ini.id))
    return _render_form(form, None, kept, 400 if request.method == "POST" else 200)


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.edit")
    form = InitiativeForm(data=form_data(ini) if request.method == "GET" else None)
    lists = _prepare(form, ini)
    kept = KeptUploads(KEPT_FIELDS)
    valid = form.validate_on_submit()
    if form.is_submitted() and _keep_files(form, kept) and valid:
        values = form.values(**lists)
        org = _chosen_org(form, lists["orgs"]) if form.org.data != ini.org.code else ini.org
        if org is not ini.org:
            values["org"] = org
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            if version is None:
                # A form that does not say which version it changes cannot show it saw the latest.
                raise conflict(_("Someone else changed this initiative while you were editing it, so "
                                 "your changes were not saved. Open it again to see the latest version."),
                               current=ini)
            services.update_initiative(ini, values, version=version)
            if not _attach_kept_files(form, kept, ini):
                return _render_form(form, ini, kept, 400)
        except ServiceError as exc:
            if exc.status == 409 and exc.current is ini:
                form.form_errors.append(_("Someone else changed this initiative while you were editing it, so "
                                          "your changes were not saved. Open it again to see the latest version."))
                return _render_form(form, ini, kept, 409)
            show_on_form(form, exc, aliases=form.ERROR_FIELDS)
        else:
            flash(_("The initiative has been saved."), "success")
            return redirect(url_for("initiatives.detail", initiative_id=ini.id))
    return _render_form(form, ini, kept, 400 if request.method == "POST" else 200)


@bp.post("/initiatives/<int:initiative_id>/publish")
@login_required
def publish(initiative_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.publish")
    published = request.form.get("published") == "1"
    services.set_published(ini, published)
    flash(_("The initiative is published: every member can see it.") if published
          else _("The initiative is a draft again: only your organisation, your province, the ministry and "
                 "the secretariat can see it."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=ini.id))


@bp.post("/initiatives/<int:initiative_id>/delete")
@login_required
def delete(initiative_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.delete")
    services.delete_initiative(ini)
    flash(_("The initiative has been deleted. The secretariat can restore it if this was a mistake."), "success")
    return redirect(url_for("initiatives.index"))


@bp.post("/initiatives/<int:initiative_id>/restore")
@login_required
def restore(initiative_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.restore")
    services.restore_initiative(ini)
    flash(_("The initiative has been restored."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=ini.id))


# --- photos and documents ----------------------------------------------------------------

def _file_or_404(ini: Initiative, file_id: int) -> InitiativeFile:
    link = next((f for f in ini.files if f.id == file_id), None)
    if link is None:
        abort(404)
    return link


@bp.get("/initiatives/<int:initiative_id>/files/<int:file_id>")
@login_required
def serve_file(initiative_id: int, file_id: int):
    """A photo (``?size=thumb`` for its thumbnail) or document, for those who may see the initiative."""
    ini = _initiative_or_404(initiative_id, "initiative.view_files")
    link = _file_or_404(ini, file_id)
    return send_stored(link.stored, thumbnail=request.args.get("size") == "thumb")


@bp.post("/initiatives/<int:initiative_id>/files")
@login_required
def add_files(initiative_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.manage_files")
    form = FilesForm()
    uploads = chosen_files(form.files) if form.validate_on_submit() else []
    if not uploads:
        flash(_("Choose one or more photos or PDF documents to add."), "danger")
        return redirect(url_for("initiatives.detail", initiative_id=ini.id, _anchor="files"))
    try:
        for upload in uploads:
            services.add_file(ini, upload, caption=form.caption.data or "")
    except ServiceError as exc:
        discard_changes()  # the answer is a redirect, but nothing of this request is kept
        flash(_("Nothing was added: %(reason)s", reason=exc.message), "danger")
    else:
        flash(ngettext("%(num)s file added.", "%(num)s files added.", len(uploads)), "success")
    return redirect(url_for("initiatives.detail", initiative_id=ini.id, _anchor="files"))


@bp.post("/initiatives/<int:initiative_id>/files/<int:file_id>/delete")
@login_required
def remove_file(initiative_id: int, file_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.manage_files")
    services.remove_file(ini, _file_or_404(ini, file_id))
    flash(_("The file has been removed."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=ini.id, _anchor="files"))


@bp.post("/initiatives/<int:initiative_id>/files/<int:file_id>/cover")
@login_required
def set_cover(initiative_id: int, file_id: int):
    ini = _initiative_or_404(initiative_id, "initiative.manage_files")
    services.set_cover(ini, _file_or_404(ini, file_id))
    flash(_("The cover photo has been changed."), "success")
    return redirect(url_for("initiatives.detail", initiative_id=ini.id, _anchor="files"))


# --- export and import ----------------------------------------------------------------

def _download(data: bytes, filename: str, fmt: str) -> Response:
    response = Response(data, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/initiatives/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    require(current_user, "initiative.export")
    stmt = queries.with_full_details(queries.initiative_query(current_user, _filters()))
    initiatives = list(db.session.scalars(stmt))
    data = transfer.export_file(initiatives, fmt, current_language())
    return _download(data, f"initiatives.{fmt}", fmt)


@bp.get("/initiatives/import/template.<any(csv, xlsx):fmt>")
@login_required
def import_template(fmt: str):
    require(current_user, "initiative.import")
    return _download(transfer.template_file(fmt, current_language()), f"initiatives-template.{fmt}", fmt)


@bp.route("/initiatives/import", methods=["GET", "POST"])
@login_required
def import_file():
    require(current_user, "initiative.import")
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = transfer.import_table(current_user, upload.filename or "", upload.read())
        except SpreadsheetError as exc:
            form.file.errors = [str(exc)]
            status = 400
        else:
            if not result.ok:
                status = 422
            elif form.dry_run.data:
                discard_changes()
            else:
                flash(_("Import finished: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
                        created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
                return redirect(url_for("initiatives.index"))
    elif request.method == "POST":
        status = 400
    return render_template("initiatives/import.html", form=form, result=result,
                           columns=[c for c in transfer.COLUMNS if c.importable],
                           max_rows=transfer.MAX_IMPORT_ROWS), status


# --- categories and crafts --------------------------------------------------------------

REFERENCE_MODELS = {"categories": Category, "crafts": Craft}


@bp.get("/admin/initiatives/<any(categories, crafts):kind>")
@login_required
def reference_list(kind: str):
    require(current_user, "category.manage" if kind == "categories" else "craft.manage")
    model = REFERENCE_MODELS[kind]
    items = db.session.scalars(select(model).order_by(model.position, model.code)).all()
    return render_template("initiatives/reference_list.html", kind=kind, items=items)


@bp.route("/admin/initiatives/<any(categories, crafts):kind>/new", methods=["GET", "POST"],
          defaults={"item_id": None})
@bp.route("/admin/initiatives/<any(categories, crafts):kind>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def reference_form(kind: str, item_id: int | None):
    require(current_user, "category.manage" if kind == "categories" else "craft.manage")
    model = REFERENCE_MODELS[kind]
    item = db.get_or_404(model, item_id) if item_id is not None else None
    form = ReferenceForm(obj=item)
    if form.validate_on_submit():
        try:
            services.save_reference(model, item, form.values())
        except ServiceError as exc:
            show_on_form(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("initiatives.reference_list", kind=kind))
    status = 400 if request.method == "POST" else 200
    return render_template("initiatives/reference_form.html", kind=kind, item=item, form=form), status
