"""``/api/v1/initiatives``: the same initiatives, rules and permissions as the pages."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate
from sqlalchemy import select

from wcc.api.common import ErrorSchema, LocalisedNames, PageArgs, require_api
from wcc.errors import abort_with, register_current
from wcc.extensions import db
from wcc.goals.models import Goal
from wcc.i18n.numbers import AmbiguousNumber, NumberFormatError, ambiguous_message, number_error_message, parse_number
from wcc.initiatives import queries, services, transfer
from wcc.initiatives.models import CURRENCIES, Category, Craft, Initiative, Money, Status
from wcc.initiatives.queries import Filters
from wcc.orgs.models import Organisation
from wcc.pagination import paginate
from wcc.spreadsheets import SpreadsheetError
from wcc.transaction import discard_changes
from wcc.urls import site_url

blp = Blueprint("api_initiatives", __name__, url_prefix="/api/v1",
                description="Initiatives members run for the union")

MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field cannot be empty."),
    "invalid": _l("This value has the wrong type or form."),
    "unknown": _l("Unknown field."),
}
STATUSES = [s.value for s in Status]


class TranslatedSchema(Schema):
    """Validation messages in the caller's language; unknown fields are errors (typos show)."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": MESSAGES["unknown"], "type": MESSAGES["invalid"]}

    def on_bind_field(self, field_name, field_obj) -> None:
        field_obj.error_messages.update({k: v for k, v in MESSAGES.items() if k in field_obj.error_messages})
        if isinstance(field_obj, fields.Date):
            field_obj.error_messages["invalid"] = _l("Use an ISO date such as 2025-06-22.")


class Amount(fields.Field):
    """A number, or digits in a string (Persian digits and separators accepted)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value is None or isinstance(value, bool):
            raise ValidationError(str(MESSAGES["invalid"]))
        try:
            amount = parse_number(value)
        except AmbiguousNumber as exc:
            raise ValidationError(ambiguous_message(exc)) from None
        except NumberFormatError:
            raise ValidationError(number_error_message()) from None
        if amount is None:
            raise ValidationError(str(MESSAGES["required"]))
        return amount

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)


class MoneySchema(TranslatedSchema):
    amount = Amount(required=True, metadata={"type": "number", "example": 1300000})
    currency = fields.String(required=True, validate=validate.OneOf(
        CURRENCIES, error=_l("Choose the currency: IRR, EUR, USD or RUB.")))
    value_date = fields.Date(allow_none=True, metadata={
        "description": "When the amount was valued; defaults to the start date, else today"})


class MilestoneSchema(TranslatedSchema):
    date = fields.Date(required=True)
    title = fields.String(required=True)
    done = fields.Boolean(load_default=False)


class InitiativeInSchema(TranslatedSchema):
    title = fields.String(required=True)
    category = fields.String(required=True, metadata={
        "description": "Category code: export_deal, sales_rep, logistics, customs, film, brochure, photography, "
                       "market_research, exhibition, auction, hotel_placement, storytelling, training"})
    org = fields.String(metadata={"description": "Owner's organisation code; defaults to the caller's"})
    status = fields.String(validate=validate.OneOf(STATUSES, error=_l(
        "Choose one of: planned, active, completed, cancelled.")))
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    summary = fields.String(allow_none=True)
    story = fields.String(allow_none=True, metadata={"description": "Markdown; raw HTML is shown as text"})
    crafts = fields.List(fields.String(), metadata={"description": "Craft codes"})
    goals = fields.List(fields.String(), metadata={
        "description": "Codes of the union goals it contributes to (see /api/v1/goals), e.g. EXPORT-RU; "
                       "replaces the current list; an unknown code answers 422"})
    partner_country = fields.String(allow_none=True, metadata={"description": "ISO 3166-1 alpha-2, e.g. RU"})
    partners = fields.List(fields.String(), metadata={"description": "Partner organisations' names"})
    budget = fields.Nested(MoneySchema, allow_none=True)
    deal_value = fields.Nested(MoneySchema, allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True, metadata={
        "description": "Your own id for this initiative, unique in your organisation"})
    published = fields.Boolean()
    milestones = fields.List(fields.Nested(MilestoneSchema), metadata={"description": "Replaces all milestones"})


class InitiativePatchSchema(InitiativeInSchema):
    version = fields.Integer(required=True, metadata={
        "description": "The version you read; a stale one answers 409 and changes nothing"})

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name, field_obj) -> None:
        super().on_bind_field(field_name, field_obj)
        if field_name in ("title", "category"):
            field_obj.required = False


class FileOutSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": ["photo", "document"]})
    name = fields.String()
    caption = fields.String()
    url = fields.String()
    thumbnail_url = fields.String(allow_none=True)


class InitiativeOutSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    url = fields.String()
    title = fields.String()
    summary = fields.String()
    story = fields.String()
    category = fields.String()
    org = fields.String()
    province = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": STATUSES})
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    crafts = fields.List(fields.String())
    goals = fields.List(fields.String(), metadata={"description": "Codes of the goals it contributes to"})
    partner_country = fields.String(allow_none=True)
    partners = fields.List(fields.String())
    budget = fields.Nested(MoneySchema, allow_none=True)
    deal_value = fields.Nested(MoneySchema, allow_none=True)
    contact_name = fields.String()
    contact_email = fields.String()
    contact_phone = fields.String()
    external_id = fields.String(allow_none=True)
    published = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    deleted = fields.Boolean()
    milestones = fields.List(fields.Nested(MilestoneSchema))
    files = fields.List(fields.Nested(FileOutSchema))
    cover_photo_url = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class InitiativeListSchema(Schema):
    items = fields.List(fields.Nested(InitiativeOutSchema))
    total = fields.Integer()


class InitiativeQueryArgs(PageArgs):
    """Empty parameters (``?status=&page=``) count as not given."""

    q = fields.String(validate=validate.Length(max=200))
    org = fields.String(validate=validate.Length(max=40))
    province = fields.String(validate=validate.Length(max=40))
    category = fields.String(validate=validate.Length(max=40))
    craft = fields.String(validate=validate.Length(max=40))
    goal = fields.String(validate=validate.Length(max=40), metadata={
        "description": "A goal's code: only initiatives contributing to it"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    partner_country = fields.String(validate=validate.Length(max=2))
    year = fields.Integer(metadata={"description": "Solar Hijri year the initiative runs in, e.g. 1404"})
    sort = fields.String(validate=validate.OneOf(list(queries.SORTS)))

    @pre_load
    def drop_blank(self, data, **kwargs):
        return {key: value for key, value in data.items() if value not in ("", None)}


class ImportArgs(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    ignored_columns = fields.List(fields.String())


class CodeNameSchema(Schema):
    code = fields.String()
    names = fields.Nested(LocalisedNames)
    active = fields.Boolean()


# --- payloads ------------------------------------------------------------------------

def _money(money: Money | None) -> dict | None:
    if money is None:
        return None
    return {"amount": money.amount, "currency": money.currency, "value_date": money.value_date}


def initiative_payload(ini: Initiative) -> dict:
    province = ini.org.parent if ini.org.kind == "municipality" else ini.org
    payload = {
        "id": ini.id, "version": ini.version,
        "url": site_url("initiatives.detail", initiative_id=ini.id),
        "title": ini.title, "summary": ini.summary, "story": ini.story, "category": ini.category.code,
        "org": ini.org.code, "province": province.code if province is not None and province.kind == "province"
        else None,
        "status": ini.status, "start_date": ini.start_date, "end_date": ini.end_date,
        "crafts": [c.code for c in ini.crafts], "goals": [g.code for g in ini.goals],
        "partner_country": ini.partner_country,
        "partners": [p.name for p in ini.partners], "budget": _money(ini.budget),
        "deal_value": _money(ini.deal_value), "contact_name": ini.contact_name,
        "contact_email": ini.contact_email, "contact_phone": ini.contact_phone,
        "external_id": ini.external_id, "published": ini.published, "published_at": ini.published_at,
        "deleted": ini.deleted_at is not None,
        "milestones": [{"date": m.due_date, "title": m.title, "done": m.done} for m in ini.milestones],
        "files": [_file_payload(ini, f) for f in ini.files],
        "cover_photo_url": _file_url(ini, ini.cover) if ini.cover else None,
        "created_at": ini.created_at, "updated_at": ini.updated_at,
    }
    return payload


def _file_url(ini: Initiative, link, **args) -> str:
    return site_url("initiatives.serve_file", initiative_id=ini.id, file_id=link.id, **args)


def _file_payload(ini: Initiative, link) -> dict:
    return {"id": link.id, "kind": link.kind, "name": link.stored.original_name, "caption": link.caption,
            "url": _file_url(ini, link),
            "thumbnail_url": _file_url(ini, link, size="thumb") if link.kind == "photo" else None}


def _values_from_json(data: dict) -> dict:
    """API input → service values: codes looked up; unknown codes are 422 errors."""
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for key in ("title", "summary", "story", "status", "start_date", "end_date", "partner_country",
                "partners", "contact_name", "contact_email", "contact_phone", "external_id", "published"):
        if key in data:
            values[key] = data[key]
    for key in ("summary", "story", "contact_name", "contact_email", "contact_phone", "partners"):
        if key in values and values[key] is None:
            values[key] = [] if key == "partners" else ""
    if "category" in data:
        values["category"] = db.session.scalar(select(Category).where(Category.code == data["category"]))
        if values["category"] is None:
            errors["category"] = [_("Unknown category “%(value)s”.", value=data["category"])]
    if "crafts" in data:
        codes = list(dict.fromkeys(data["crafts"]))
        found = {c.code: c for c in db.session.scalars(select(Craft).where(Craft.code.in_(codes)))}
        missing = [code for code in codes if code not in found]
        if missing:
            errors["crafts"] = [_("Unknown craft “%(value)s”.", value=", ".join(missing))]
        values["crafts"] = [found[code] for code in codes if code in found]
    if "goals" in data:
        codes = list(dict.fromkeys(code.strip().upper() for code in data["goals"]))
        known = {g.code: g for g in db.session.scalars(select(Goal).where(Goal.code.in_(codes)))}
        missing = [code for code in codes if code not in known]
        if missing:
            errors["goals"] = [_("Unknown goal “%(value)s”.", value=", ".join(missing))]
        values["goals"] = [known[code] for code in codes if code in known]
    for key in ("budget", "deal_value"):
        if key in data:
            money = data[key]
            values[key] = None if money is None else Money(money["amount"], money["currency"],
                                                           money.get("value_date"))
    if "milestones" in data:
        values["milestones"] = [services.MilestoneData(m["date"], m["title"], m.get("done", False))
                                for m in data["milestones"]]
    if errors:
        abort_with(422, _("Some of the values are not valid"), errors)
    return values


def _target_org(code: str | None) -> Organisation:
    if not code:
        return current_user.org
    org = db.session.scalar(select(Organisation).where(Organisation.code == code[:40].upper()))
    if org is None:
        abort_with(422, _("Some of the values are not valid"),
                   {"org": [_("Unknown organisation code “%(value)s”.", value=code)]})
    return org


def _load(initiative_id: int, action: str | None = None) -> Initiative:
    ini = queries.get_initiative(initiative_id)
    if ini is None:
        abort(404)
    require_api("initiative.view", ini, hide=True)
    if action:
        require_api(action, ini)
    return ini


# --- endpoints -------------------------------------------------------------------------

@blp.route("/initiatives")
@blp.arguments(InitiativeQueryArgs, location="query")
@blp.response(200, InitiativeListSchema)
@blp.alt_response(401, schema=ErrorSchema)
def list_initiatives(args):
    """Initiatives the caller may see, filtered; published ones of every member, drafts of one's own."""
    require_api("initiative.list")
    filters = Filters.from_args({k: str(v) for k, v in args.items() if k not in ("page", "per_page")})
    stmt = queries.with_full_details(queries.initiative_query(current_user, filters))
    page = paginate(stmt, args["page"], args["per_page"], scalars=True)
    return {"items": [initiative_payload(ini) for ini in page.items], "total": page.total}


@blp.route("/initiatives", methods=["POST"])
@blp.arguments(InitiativeInSchema)
@blp.response(201, InitiativeOutSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def create_initiative(data):
    """Register an initiative for the caller's organisation (or ``org``, where allowed)."""
    require_api("initiative.create")
    org = _target_org(data.get("org"))
    require_api("initiative.create", org)
    values = _values_from_json(data)
    ini = services.create_initiative(org, values)
    return initiative_payload(queries.get_initiative(ini.id))


@blp.route("/initiatives/<int:initiative_id>")
@blp.response(200, InitiativeOutSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_initiative(initiative_id):
    """One initiative (404 for another member's draft)."""
    return initiative_payload(_load(initiative_id))


@blp.route("/initiatives/<int:initiative_id>", methods=["PATCH"])
@blp.arguments(InitiativePatchSchema)
@blp.response(200, InitiativeOutSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def update_initiative(data, initiative_id):
    """Change the given fields. Send the ``version`` you read: a stale one answers 409."""
    ini = _load(initiative_id, "initiative.edit")
    version = data.pop("version")
    values = _values_from_json(data)
    if "org" in data:
        org = _target_org(data["org"])
        if org is not ini.org:
            require_api("initiative.create", org)
            values["org"] = org
    services.update_initiative(ini, values, version=version)
    return initiative_payload(queries.get_initiative(ini.id))


@blp.route("/initiatives/<int:initiative_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def delete_initiative(initiative_id):
    """Delete (softly: the secretariat can restore it)."""
    ini = _load(initiative_id, "initiative.delete")
    services.delete_initiative(ini)


@blp.route("/initiatives/import", methods=["POST"])
@blp.arguments(ImportArgs, location="files")
@blp.response(200, ImportResultSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
def import_initiatives(files):
    """Create or update initiatives from a CSV or XLSX file, all or nothing.

    Rows whose ``external_id`` the organisation already uses update that
    initiative. If any row is bad nothing is written and the 422 answer lists
    every problem under ``error.details.rows`` (row, column, message). Add
    ``?dry_run=1`` to check a file without saving it.
    """
    user = require_api("initiative.import")
    upload = files["file"]
    try:
        result = transfer.import_table(user, upload.filename or "", upload.read())
    except SpreadsheetError as exc:
        abort_with(400, str(exc))
    if not result.ok:
        abort_with(422, _("Nothing was imported: %(count)s problems.", count=len(result.errors)),
                   {"rows": [e.as_dict() for e in result.errors]})
    if request.args.get("dry_run") == "1":
        discard_changes()
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "ignored_columns": result.ignored_columns}


@blp.route("/initiative-categories")
@blp.response(200, CodeNameSchema(many=True))
def list_categories():
    """Categories an initiative can have, with their names in fa, en and ru."""
    require_api("initiative.list")
    return [_reference_payload(c) for c in queries.categories(active_only=False)]


@blp.route("/crafts")
@blp.response(200, CodeNameSchema(many=True))
def list_crafts():
    """Crafts initiatives can be about."""
    require_api("initiative.list")
    return [_reference_payload(c) for c in queries.crafts(active_only=False)]


def _reference_payload(item) -> dict:
    return {"code": item.code, "names": {"fa": item.name_fa, "en": item.name_en, "ru": item.name_ru},
            "active": item.active}


# A 409 shows the initiative as saved now, as this API represents it.
register_current(Initiative, initiative_payload)
