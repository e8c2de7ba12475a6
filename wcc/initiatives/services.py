"""Rules for initiatives: what a valid one is, creating, changing, publishing, deleting.

Forms, the API and imports all end here with a ``values`` dict whose keys are
the API's field names and whose references are already objects (``category``
a Category, ``crafts`` Craft objects, ``goals`` Goal objects, ``budget`` a
Money or None). Services
flush and raise ServiceError, never commit: the request commits once, or rolls back.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pycountry
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select, text
from werkzeug.datastructures import FileStorage

from wcc.audit.services import diff, record, record_many
from wcc.db import utcnow
from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n import search
from wcc.i18n.dates import MAX_YEAR, MIN_YEAR
from wcc.i18n.text import clean_line, has_control_characters
from wcc.initiatives.models import (
    AMOUNT_MAX,
    CURRENCIES,
    EXTERNAL_ID_MAX,
    MILESTONES_MAX,
    PARTNER_MAX,
    PARTNERS_MAX,
    STORY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Category,
    Craft,
    FileKind,
    Initiative,
    InitiativeFile,
    Milestone,
    Money,
    Partner,
    Status,
    initiative_crafts,
    initiative_goals,
)
from wcc.orgs.models import Organisation
from wcc.periods import clock
from wcc.transaction import unique, versioned
from wcc.uploads.models import StoredFile
from wcc.uploads.services import delete_stored, store_upload

#: One-line text fields and their longest allowed length.
LINE_FIELDS = {"title": TITLE_MAX, "title_en": TITLE_MAX, "title_ru": TITLE_MAX, "contact_name": 200, "contact_phone": 40, "contact_email": 254,
               "external_id": EXTERNAL_ID_MAX}
TEXT_FIELDS = {"summary": SUMMARY_MAX, "story": STORY_MAX, "story_en": STORY_MAX, "story_ru": STORY_MAX}
#: Translations of the Persian title and story, for brochures in other languages.
TRANSLATED_FIELDS = ("title_en", "title_ru", "story_en", "story_ru")
SIMPLE_FIELDS = ("title", "summary", "story", *TRANSLATED_FIELDS, "story_needs_translation", "status", "start_date", "end_date", "partner_country",
                 "contact_name", "contact_email", "contact_phone", "external_id")
MONEY_FIELDS = {"budget": "budget", "deal_value": "deal"}
CENT = Decimal("0.01")
_PHONE_CHARACTERS = set("0123456789+-() ./۰۱۲۳۴۵۶۷۸۹")


INVALID = _l("Some of the values are not valid")
STALE = _l("The initiative has changed since you read it. Read it again and repeat your change.")


def _invalid(errors: dict[str, str]) -> ServiceError:
    """A 422 naming every field that breaks a rule."""
    return ServiceError(str(INVALID), fields=errors)


def _duplicate_external_id(external_id):
    """Lazy: translated only when shown."""
    return _l("Another initiative of this organisation already has the external id %(id)s.", id=external_id)


@dataclass(frozen=True)
class MilestoneData:
    due_date: date | None
    title: str
    done: bool = False


# --- reading an initiative as values --------------------------------------------

def current_values(ini: Initiative) -> dict[str, Any]:
    """The initiative in the shape services take (``values``)."""
    return {
        "title": ini.title, "summary": ini.summary, "story": ini.story, "category": ini.category,
        "title_en": ini.title_en, "title_ru": ini.title_ru, "story_en": ini.story_en, "story_ru": ini.story_ru,
        "story_needs_translation": ini.story_needs_translation,
        "crafts": list(ini.crafts), "goals": list(ini.goals), "status": ini.status, "start_date": ini.start_date,
        "end_date": ini.end_date, "partner_country": ini.partner_country,
        "partners": [p.name for p in ini.partners], "budget": ini.budget, "deal_value": ini.deal_value,
        "contact_name": ini.contact_name, "contact_email": ini.contact_email,
        "contact_phone": ini.contact_phone, "external_id": ini.external_id, "published": ini.published,
        "milestones": [MilestoneData(m.due_date, m.title, m.done) for m in ini.milestones],
    }


def _money_state(money: Money | None) -> dict | None:
    if money is None:
        return None
    return {"amount": str(money.amount), "currency": money.currency,
            "value_date": money.value_date.isoformat() if money.value_date else None}


def audit_state(ini: Initiative) -> dict[str, Any]:
    """What the audit trail keeps of an initiative: plain values, references by code."""
    values = current_values(ini)
    state = {key: values[key] for key in SIMPLE_FIELDS}
    state.update(
        org=ini.org.code if ini.org else None,
        category=ini.category.code if ini.category else None,
        crafts=[c.code for c in values["crafts"]],
        goals=[g.code for g in values["goals"]],
        partners=values["partners"],
        budget=_money_state(values["budget"]),
        deal_value=_money_state(values["deal_value"]),
        published=ini.published,
        milestones=[{"date": m.due_date.isoformat() if m.due_date else None, "title": m.title, "done": m.done}
                    for m in values["milestones"]],
    )
    for key in ("start_date", "end_date"):
        state[key] = state[key].isoformat() if state[key] else None
    return state


def search_key(ini: Initiative) -> str:
    """The folded text search runs on (``wcc.i18n.search``); fields apart, so a match never spans two."""
    return search.search_key(*initiative_search_fields(
        [ini.title, ini.title_en, ini.title_ru], ini.summary, [ini.story, ini.story_en, ini.story_ru],
        ini.external_id, [p.name for p in ini.partners],
        [c.name_fa for c in ini.crafts] + [c.name_en for c in ini.crafts] + [c.name_ru for c in ini.crafts],
        [ini.category.name_fa, ini.category.name_en, ini.category.name_ru] if ini.category else []))


def initiative_search_fields(titles, summary, stories, external_id, partners, crafts, category) -> list[str]:
    """What an initiative is found by, its titles first (they rank highest): its texts in every
    language it has them, partners, and the names of its crafts and category in fa, en and ru, so
    «نمد مسکو» and "felt moscow" both find a Persian story about felt for Moscow."""
    title = " ¦ ".join(t for t in titles if t)  # "¦" keeps a word from spanning two titles
    return [title, summary, *stories, external_id or "", *partners, *crafts, *category]


# --- validation ---------------------------------------------------------------------

def _check_date(value: date | None) -> str | None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        return _("Enter a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR)
    return None


def _clean_money(name: str, money: Money | None, fallback_date: date | None,
                 errors: dict[str, str]) -> Money | None:
    if money is None:
        return None
    amount = money.amount
    if not isinstance(amount, Decimal) or not amount.is_finite():
        errors[f"{name}.amount"] = _("Enter an amount such as 12500 or 12500.50.")
    elif amount < 0:
        errors[f"{name}.amount"] = _("The amount cannot be negative.")
    elif amount > AMOUNT_MAX:
        errors[f"{name}.amount"] = _("This amount is too large.")
    elif amount != amount.quantize(CENT):
        errors[f"{name}.amount"] = _("Use at most two decimal places.")
    else:
        amount = amount.quantize(CENT)  # as the database keeps it, so comparisons see no change
    currency = (money.currency or "").strip().upper()
    if currency not in CURRENCIES:
        errors[f"{name}.currency"] = _("Choose the currency: %(choices)s.", choices=", ".join(CURRENCIES))
    problem = _check_date(money.value_date)
    if problem:
        errors[f"{name}.value_date"] = problem
    # The value date says when the amount was valued; without one, the start of the work.
    return Money(amount, currency, money.value_date or fallback_date or clock.today())


def clean(values: dict[str, Any], *, org: Organisation, current: Initiative | None = None,
          check_unique: bool = True) -> dict[str, Any]:
    """Check ``values`` (merged over ``current`` when updating) and return them tidied.

    Raises ServiceError (422) naming every field that breaks a rule, with translated
    messages; an external id the organisation already uses (the values being valid)
    is a 409 on ``external_id``. ``check_unique=False`` skips the external-id lookup
    for callers that checked a whole batch themselves.
    """
    merged = {**current_values(current), **values} if current is not None else dict(values)
    errors: dict[str, str] = {}
    out = dict(values)

    for name, limit in {**LINE_FIELDS, **TEXT_FIELDS}.items():
        if name not in values:
            continue
        text = values[name]
        if text is None:
            text = ""
        if not isinstance(text, str):
            errors[name] = _("Enter text.")
            continue
        if has_control_characters(text) or (name in LINE_FIELDS and ("\n" in text or "\r" in text)):
            errors[name] = _("Remove the invisible control characters from this text.")
            continue
        text = text.strip()
        if len(text) > limit:
            errors[name] = _("At most %(max)d characters, please.", max=limit)
        out[name] = text
    if not (out.get("title") if "title" in values else merged.get("title")):
        errors["title"] = _("This field is required.")
    if "external_id" in values:
        out["external_id"] = out.get("external_id") or None
    if out.get("contact_email"):
        try:
            out["contact_email"] = validate_email(out["contact_email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact_email"] = _("Enter a valid e-mail address.")
    if out.get("contact_phone") and not set(out["contact_phone"]) <= _PHONE_CHARACTERS:
        errors["contact_phone"] = _("A phone number has only digits, spaces and + - ( ).")

    if "category" in values:
        category = values["category"]
        if category is None:
            errors["category"] = _("This field is required.")
        elif not category.active and (current is None or current.category_id != category.id):
            errors["category"] = _("This category is no longer in use; choose another.")
    elif current is None:
        errors["category"] = _("This field is required.")
    if "crafts" in values:
        old = {c.id for c in current.crafts} if current is not None else set()
        if any(not c.active and c.id not in old for c in values["crafts"]):
            errors["crafts"] = _("One of these crafts is no longer in use.")
        # In the craft list's order, as the relationship loads them, so equal sets compare equal.
        out["crafts"] = sorted(dict.fromkeys(values["crafts"]), key=lambda c: (c.position, c.code))
    if "goals" in values:
        old = {g.id for g in current.goals} if current is not None else set()
        # A goal retired since it was linked may stay linked; new links go to goals still pursued.
        if any(not g.active and g.id not in old for g in values["goals"]):
            errors["goals"] = _("One of these goals is no longer active.")
        out["goals"] = sorted(dict.fromkeys(values["goals"]), key=lambda g: g.code)

    if "status" in values and values["status"] not in set(Status):
        errors["status"] = _("Choose one of: planned, active, completed, cancelled.")
    for name in ("start_date", "end_date"):
        problem = _check_date(merged.get(name)) if name in values else None
        if problem:
            errors[name] = problem
    start, end = merged.get("start_date"), merged.get("end_date")
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = _("The end date cannot be before the start date.")

    if values.get("partner_country"):
        code = str(values["partner_country"]).strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            errors["partner_country"] = _("Use a two-letter country code such as RU.")
        out["partner_country"] = code
    elif "partner_country" in values:
        out["partner_country"] = None
    if "partners" in values:
        partners = [p.strip() for p in values["partners"] or [] if isinstance(p, str) and p.strip()]
        if len(partners) > PARTNERS_MAX:
            errors["partners"] = _("At most %(max)d partner organisations, please.", max=PARTNERS_MAX)
        elif any(len(p) > PARTNER_MAX or has_control_characters(p) for p in partners):
            errors["partners"] = _("Each partner's name is one line of at most %(max)d characters.",
                                   max=PARTNER_MAX)
        out["partners"] = partners

    for name in MONEY_FIELDS:
        if name in values:
            out[name] = _clean_money(name, values[name], merged.get("start_date"), errors)

    if "milestones" in values:
        milestones = values["milestones"] or []
        if len(milestones) > MILESTONES_MAX:
            errors["milestones"] = _("At most %(max)d milestones, please.", max=MILESTONES_MAX)
        for m in milestones:
            title = (m.title or "").strip()
            if not title or m.due_date is None:
                errors["milestones"] = _("Each milestone needs a date and a title.")
            elif len(title) > TITLE_MAX or has_control_characters(title) or "\n" in title:
                errors["milestones"] = _("A milestone's title is one line of at most %(max)d characters.",
                                         max=TITLE_MAX)
            elif _check_date(m.due_date):
                errors["milestones"] = _check_date(m.due_date)
        out["milestones"] = [MilestoneData(m.due_date, (m.title or "").strip(), bool(m.done))
                             for m in milestones]

    external_id = out.get("external_id") if "external_id" in values else merged.get("external_id")
    moved = current is not None and org is not current.org
    if check_unique and external_id and "external_id" not in errors and ("external_id" in values or moved):
        with db.session.no_autoflush:
            other = db.session.scalar(select(Initiative.id).where(
                Initiative.org_id == org.id, Initiative.external_id == external_id))
        if other is not None and (current is None or other != current.id):
            if errors:
                errors["external_id"] = _duplicate_external_id(external_id)
            else:
                # Valid values, but the organisation already has this reference: a conflict.
                raise ServiceError(_duplicate_external_id(external_id), field="external_id", status=409)
    if errors:
        raise _invalid(errors)
    return out


# --- changes --------------------------------------------------------------------------

def _apply(ini: Initiative, values: dict[str, Any]) -> None:
    if values.get("org") is not None and values["org"] is not ini.org:
        ini.org = values["org"]
    # A new Persian story makes its translations out of date, unless they change with it.
    story_changed = "story" in values and (values["story"] or "") != (ini.story or "")
    translated_now = any(name in values and (values[name] or "") != (getattr(ini, name) or "")
                         for name in ("story_en", "story_ru"))
    for name in SIMPLE_FIELDS:
        if name in values:
            setattr(ini, name, values[name])
    if story_changed and not translated_now and (ini.story_en or ini.story_ru):
        ini.story_needs_translation = True
    if "category" in values:
        ini.category = values["category"]
    if "crafts" in values and [c.id for c in ini.crafts] != [c.id for c in values["crafts"]]:
        ini.crafts = values["crafts"]
    if "goals" in values and [g.id for g in ini.goals] != [g.id for g in values["goals"]]:
        ini.goals = values["goals"]
    if "partners" in values and [p.name for p in ini.partners] != values["partners"]:
        ini.partners = [Partner(position=i, name=name) for i, name in enumerate(values["partners"])]
    if "milestones" in values:
        wanted = values["milestones"]
        if [MilestoneData(m.due_date, m.title, m.done) for m in ini.milestones] != wanted:
            ini.milestones = [Milestone(position=i, due_date=m.due_date, title=m.title, done=m.done)
                              for i, m in enumerate(wanted)]
    for name, prefix in MONEY_FIELDS.items():
        if name in values:
            money = values[name]
            setattr(ini, f"{prefix}_amount", money.amount if money else None)
            setattr(ini, f"{prefix}_currency", money.currency if money else None)
            setattr(ini, f"{prefix}_value_date", money.value_date if money else None)
    if "published" in values:
        _set_published(ini, bool(values["published"]))
    ini.search_text = search_key(ini)


def _set_published(ini: Initiative, published: bool) -> None:
    if published and not ini.published:
        ini.published_at = utcnow()
    ini.published = published


def new_initiative(org: Organisation, values: dict[str, Any], *, check_unique: bool = True) -> Initiative:
    """Check and add a new initiative to the session without flushing or auditing.

    Imports use this to insert a batch at once; call ``record_created`` after the flush.
    """
    values = clean(values, org=org, check_unique=check_unique)
    ini = Initiative(org=org, org_id=org.id, version=1, status=Status.PLANNED.value, published=False,
                     summary="", story="", title_en="", title_ru="", story_en="", story_ru="",
                     story_needs_translation=False, contact_name="", contact_email="", contact_phone="")
    _apply(ini, {"published": False, **values})
    db.session.add(ini)
    return ini


def insert_initiatives(rows: list[tuple[Organisation, dict[str, Any]]]) -> list[Initiative]:
    """Insert new initiatives from values ``clean`` has checked, and audit their creation, in a
    few statements whatever their number (an import's rows).

    The same rows as ``create_initiative`` writes for each, but the initiatives returned are
    not in the session: read one again to change it.
    """
    if not rows:
        return []
    made = []
    for org, values in rows:
        ini = Initiative(org=org, org_id=org.id, version=1, status=Status.PLANNED.value, published=False,
                         summary="", story="", title_en="", title_ru="", story_en="", story_ru="",
                         story_needs_translation=False, contact_name="", contact_email="", contact_phone="")
        _apply(ini, {"published": False, **values})
        made.append(ini)
    now = utcnow()
    table = Initiative.__table__
    columns = [c.key for c in table.columns if c.key not in ("id", "category_id", "created_at", "updated_at")]
    values = [{**{key: getattr(ini, key) for key in columns}, "category_id": ini.category.id,
               "created_at": now, "updated_at": now} for ini in made]
    ids = _new_ids(len(made))
    db.session.execute(insert(table), [{"id": new_id, **row} for new_id, row in zip(ids, values, strict=True)])
    for ini, new_id in zip(made, ids, strict=True):
        ini.id, ini.created_at, ini.updated_at = new_id, now, now
    links = ((initiative_crafts, "craft_id", "crafts"), (initiative_goals, "goal_id", "goals"))
    for link, column, name in links:
        pairs = [{"initiative_id": ini.id, column: item.id} for ini in made for item in getattr(ini, name)]
        if pairs:
            db.session.execute(insert(link), pairs)
    partners = [{"initiative_id": ini.id, "position": p.position, "name": p.name}
                for ini in made for p in ini.partners]
    if partners:
        db.session.execute(insert(Partner.__table__), partners)
    # Statements of their own move no dashboard figures by themselves (the after-flush hook
    # sees only objects of the session): initiatives are counted on the dashboards.
    from wcc.dashboards.rollups import bump_version

    bump_version(db.session.connection(), db.session)
    record_many("initiative.create", [(ini, None, audit_state(ini)) for ini in made])
    return made


def _new_ids(count: int) -> list[int]:
    """Ids for ``count`` new initiatives, taken before they are inserted, so that the rows go in
    with one ``executemany`` (a RETURNING of many rows costs more, and SQLite cannot say which
    id went to which row)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sorted(db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('initiatives', 'id')) FROM generate_series(1, :count)"),
            {"count": count}))
    # SQLite lets one transaction write at a time, so the ids after the highest are free: a
    # writer that came first makes the INSERT fail, never go wrong.
    first = (db.session.scalar(select(func.max(Initiative.id))) or 0) + 1
    return list(range(first, first + count))


def record_created(ini: Initiative) -> None:
    record("initiative.create", ini, after=audit_state(ini))


def create_initiative(org: Organisation, values: dict[str, Any]) -> Initiative:
    """A new initiative of ``org``. Raises ServiceError: 422 for invalid values, 409 on
    ``external_id`` when a request creating the same one at the same moment won."""
    with unique(_duplicate_external_id(values.get("external_id")), "external_id"):
        ini = new_initiative(org, values)
    record_created(ini)
    return ini


def update_initiative(ini: Initiative, values: dict[str, Any], *, version: int | None = None,
                      check_unique: bool = True, flush: bool = True) -> bool:
    """Change the given fields; returns whether anything changed.

    Raises ServiceError: 409 when ``version`` is not the current one, or another
    request saved the initiative between our read and our write (nothing changes),
    422 for invalid values. A change of ``published`` is audited as a
    publish or unpublish of its own. ``values["org"]`` moves the initiative to
    another organisation (the caller checks the user may create there).
    """
    if version is not None and version != ini.version:
        raise ServiceError(str(STALE), status=409, current=ini)
    values = clean(values, org=values.get("org") or ini.org, current=ini, check_unique=check_unique)
    if not flush:
        return _update(ini, values)
    with versioned(ini, STALE):
        return _update(ini, values)


def _update(ini: Initiative, values: dict[str, Any]) -> bool:
    before = audit_state(ini)
    _apply(ini, values)
    after = audit_state(ini)
    if after == before:
        return False
    ini.version = ini.version + 1
    was_published, is_published = before.pop("published"), after.pop("published")
    old, new = diff(before, after)
    if new:
        record("initiative.update", ini, before=old, after=new)
    if was_published != is_published:
        record("initiative.publish" if is_published else "initiative.unpublish", ini,
               before={"published": was_published}, after={"published": is_published})
    return True


def set_published(ini: Initiative, published: bool) -> bool:
    return update_initiative(ini, {"published": published})


def delete_initiative(ini: Initiative) -> None:
    """Soft delete: hidden from everyone but admins, who can restore it."""
    if ini.deleted_at is not None:
        return
    ini.deleted_at = utcnow()
    ini.version = ini.version + 1
    record("initiative.delete", ini, before={"deleted_at": None}, after={"deleted_at": ini.deleted_at})
    db.session.flush()


def restore_initiative(ini: Initiative) -> None:
    if ini.deleted_at is None:
        return
    before = {"deleted_at": ini.deleted_at}
    ini.deleted_at = None
    ini.version = ini.version + 1
    record("initiative.restore", ini, before=before, after={"deleted_at": None})
    db.session.flush()


# --- reference lists --------------------------------------------------------------------

REFERENCE_FIELDS = ("code", "name_fa", "name_en", "name_ru", "position", "active")


def save_reference(model: type[Category] | type[Craft], item: Category | Craft | None,
                   values: dict[str, Any]) -> Category | Craft:
    """Create or change a category or craft; codes are unique and never change once used."""
    code = values["code"]
    with db.session.no_autoflush:
        clash = db.session.scalar(select(model).where(model.code == code))
    if clash is not None and clash is not item:
        raise ServiceError(_("This code is already in use."), field="code", status=409)
    kind = model.__tablename__
    if item is None:
        with unique(_l("This code is already in use."), "code"):
            item = model(**values)
            db.session.add(item)
        record(f"{kind}.create", item, after={k: getattr(item, k) for k in REFERENCE_FIELDS})
        return item
    before = {k: getattr(item, k) for k in REFERENCE_FIELDS}
    if values["code"] != item.code and _reference_in_use(item):
        raise ServiceError(_("Initiatives use this code already; it cannot change."), field="code", status=409)
    for key, value in values.items():
        setattr(item, key, value)
    db.session.flush()
    old, new = diff(before, {k: getattr(item, k) for k in REFERENCE_FIELDS})
    if new:
        record(f"{kind}.update", item, before=old, after=new)
    return item


def _reference_in_use(item: Category | Craft) -> bool:
    if isinstance(item, Category):
        stmt = select(Initiative.id).where(Initiative.category_id == item.id).limit(1)
    else:
        stmt = select(Initiative.id).where(Initiative.crafts.any(Craft.id == item.id)).limit(1)
    return db.session.scalar(stmt) is not None


def reference_rows(filename: str) -> list[dict[str, str]]:
    with resources.files("wcc.data").joinpath(filename).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def ensure_reference_data() -> int:
    """Add the shipped categories and crafts that are missing; returns how many were added.

    The migration adds them to a new database; this puts back any an emptied database lacks.
    """
    added = 0
    for model, filename in ((Category, "initiative_categories.csv"), (Craft, "crafts.csv")):
        known = set(db.session.scalars(select(model.code)))
        for position, row in enumerate(reference_rows(filename), start=1):
            if row["code"] not in known:
                db.session.add(model(**row, position=position, active=True))
                added += 1
    db.session.flush()
    return added


# --- photos and documents -----------------------------------------------------------------

MAX_PHOTOS = 30
MAX_DOCUMENTS = 20


def add_file(ini: Initiative, upload: FileStorage | StoredFile, *, caption: str = "",
             kind: FileKind | None = None) -> InitiativeFile:
    """Check, store and attach a photo (JPEG, PNG, WebP) or PDF document (or attach one
    stored already, checked when it was kept with a form).

    ``kind`` limits what is accepted. Raises ServiceError (422, translated) for a file
    that is refused or too many of a kind. The first photo becomes the cover.
    """
    allow = {FileKind.PHOTO: ("image",), FileKind.DOCUMENT: ("pdf",), None: ("image", "pdf")}[kind]
    stored = upload if isinstance(upload, StoredFile) else store_upload(upload, allow=allow)
    kind = FileKind.PHOTO if stored.is_image else FileKind.DOCUMENT
    same = ini.photos if kind == FileKind.PHOTO else ini.documents
    limit = MAX_PHOTOS if kind == FileKind.PHOTO else MAX_DOCUMENTS
    if len(same) >= limit:
        raise ServiceError(_("An initiative can have at most %(max)s photos and %(docs)s documents.",
                            max=MAX_PHOTOS, docs=MAX_DOCUMENTS))
    caption = clean_line(caption)[:TITLE_MAX]
    link = InitiativeFile(stored=stored, kind=kind.value, caption=caption, position=len(ini.files),
                          is_cover=kind == FileKind.PHOTO and not ini.photos)
    ini.files.append(link)
    db.session.flush()
    record("initiative.add_file", ini, after={"file": stored.original_name, "kind": kind.value,
                                              "caption": caption})
    return link


def remove_file(ini: Initiative, link: InitiativeFile) -> None:
    """Detach and delete a file; if it was the cover, the next photo takes its place."""
    record("initiative.remove_file", ini, before={"file": link.stored.original_name, "kind": link.kind})
    was_cover = link.is_cover
    ini.files.remove(link)
    delete_stored(link.stored)
    if was_cover and ini.photos:
        ini.photos[0].is_cover = True
    db.session.flush()


def set_cover(ini: Initiative, link: InitiativeFile) -> None:
    if link.kind != FileKind.PHOTO or link.is_cover:
        return
    for item in ini.files:
        item.is_cover = item is link
    record("initiative.set_cover", ini, after={"file": link.stored.original_name})
    db.session.flush()
