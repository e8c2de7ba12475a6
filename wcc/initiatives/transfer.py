"""Exporting the filtered list to CSV/XLSX, and importing initiatives from them.

Headers are written in the user's language and read in any of the three (or
as the column keys), so an exported file can be edited and imported again.
Categories, crafts, statuses and yes/no are written as words and read as
codes or words in any language; goals are written as codes and read as codes
or titles. An import writes everything or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n.dates import parse_date
from wcc.i18n.numbers import AmbiguousNumber, NumberFormatError, ambiguous_message, number_error_message, parse_number
from wcc.i18n.text import fold
from wcc.initiatives import services
from wcc.initiatives.forms import STATUS_LABELS, country_names
from wcc.initiatives.models import Initiative, Money, Status
from wcc.initiatives.parsing import parse_bool, parse_list
from wcc.initiatives.queries import categories, crafts, goals
from wcc.orgs.models import Organisation
from wcc.permissions import can
from wcc.spreadsheets import SpreadsheetError, csv_bytes, read_table, xlsx_bytes
from wcc.urls import site_url

MAX_IMPORT_ROWS = 5_000
LANGUAGES = ("fa", "en", "ru")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    importable: bool = True
    width: int = 18


COLUMNS = [
    Column("id", _l("Id"), importable=False, width=8),
    Column("external_id", _l("Your reference")),
    Column("org", _l("Organisation code")),
    Column("org_name", _l("Organisation"), importable=False, width=24),
    Column("province", _l("Province"), importable=False),
    Column("title", _l("Title"), width=40),
    Column("category", _l("Category"), width=24),
    Column("status", _l("Status"), width=12),
    Column("start_date", _l("Start date"), width=12),
    Column("end_date", _l("End date"), width=12),
    Column("crafts", _l("Crafts"), width=30),
    Column("goals", _l("Goals"), width=24),
    Column("partner_country", _l("Partner country"), width=10),
    Column("partners", _l("Partner organisations"), width=30),
    Column("summary", _l("Summary"), width=50),
    Column("budget_amount", _l("Budget")),
    Column("budget_currency", _l("Budget currency"), width=10),
    Column("budget_value_date", _l("Budget value date"), width=12),
    Column("deal_value_amount", _l("Deal value")),
    Column("deal_value_currency", _l("Deal value currency"), width=10),
    Column("deal_value_date", _l("Deal value date"), width=12),
    Column("contact_name", _l("Contact person")),
    Column("contact_email", _l("Contact e-mail"), width=24),
    Column("contact_phone", _l("Contact phone"), width=16),
    Column("published", _l("Published"), width=10),
    Column("story", _l("Story"), width=60),
    Column("milestones", _l("Milestones"), importable=False, width=40),
    Column("updated_at", _l("Last changed"), importable=False, width=18),
    Column("url", _l("Address"), importable=False, width=30),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
#: Service error keys → columns.
ERROR_COLUMNS = {"budget.amount": "budget_amount", "budget.currency": "budget_currency",
                 "budget.value_date": "budget_value_date", "deal_value.amount": "deal_value_amount",
                 "deal_value.currency": "deal_value_currency", "deal_value.value_date": "deal_value_date"}
MONEY_COLUMNS = {"budget": ("budget_amount", "budget_currency", "budget_value_date"),
                 "deal_value": ("deal_value_amount", "deal_value_currency", "deal_value_date")}


# --- export -------------------------------------------------------------------------

def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def export_row(ini: Initiative, lang: str) -> list[Any]:
    """One initiative as cells, in COLUMNS order; words in ``lang``."""
    province = ini.org.parent if ini.org.kind == "municipality" else ini.org
    budget, deal = ini.budget, ini.deal_value
    values = {
        "id": ini.id, "external_id": ini.external_id or "", "org": ini.org.code,
        "org_name": ini.org.name(lang), "province": province.name(lang) if province else "",
        "title": ini.title, "category": ini.category.name(lang), "status": str(STATUS_LABELS[ini.status]),
        "start_date": ini.start_date, "end_date": ini.end_date,
        "crafts": "; ".join(c.name(lang) for c in ini.crafts),
        "goals": "; ".join(g.code for g in ini.goals),
        "partner_country": ini.partner_country or "",
        "partners": "; ".join(p.name for p in ini.partners), "summary": ini.summary,
        "budget_amount": budget.amount if budget else None,
        "budget_currency": budget.currency if budget else "",
        "budget_value_date": budget.value_date if budget else None,
        "deal_value_amount": deal.amount if deal else None,
        "deal_value_currency": deal.currency if deal else "",
        "deal_value_date": deal.value_date if deal else None,
        "contact_name": ini.contact_name, "contact_email": ini.contact_email,
        "contact_phone": ini.contact_phone, "published": _yes_no(ini.published), "story": ini.story,
        "milestones": "; ".join(f"{m.due_date.isoformat()} {m.title}{' ✓' if m.done else ''}"
                                for m in ini.milestones),
        "updated_at": ini.updated_at.replace(microsecond=0, tzinfo=None),
        "url": site_url("initiatives.detail", initiative_id=ini.id),
    }
    return [values[c.key] for c in COLUMNS]


def export_file(initiatives: list[Initiative], fmt: str, lang: str) -> bytes:
    """The list as CSV or XLSX; in Persian the sheet reads right to left."""
    headers = [str(c.label) for c in COLUMNS]
    rows = (export_row(ini, lang) for ini in initiatives)
    if fmt == "csv":
        return csv_bytes(headers, rows)
    return xlsx_bytes(headers, rows, title=_("Initiatives"), right_to_left=lang == "fa",
                      widths=[c.width for c in COLUMNS])


def template_file(fmt: str, lang: str) -> bytes:
    """The import columns with one example row."""
    columns = [c for c in COLUMNS if c.importable]
    codes = [g.code for g in goals()]
    example_goal = "EXPORT-RU" if "EXPORT-RU" in codes else (codes[0] if codes else "")
    example = {
        "external_id": "2025-EXPO-01", "org": "IR-10-ISFAHAN",
        "title": _("Felt rugs for a Moscow buyer"), "category": "export_deal", "status": "active",
        "start_date": "2025-04-01", "end_date": "", "crafts": "felt; carpet", "goals": example_goal,
        "partner_country": "RU",
        "partners": _("Moscow Crafts House"), "summary": "", "budget_amount": "", "budget_currency": "",
        "budget_value_date": "", "deal_value_amount": "48000", "deal_value_currency": "EUR",
        "deal_value_date": "2025-05-10", "contact_name": "", "contact_email": "", "contact_phone": "",
        "published": _yes_no(False), "story": "",
    }
    headers = [str(c.label) for c in columns]
    row = [example.get(c.key, "") for c in columns]
    if fmt == "csv":
        return csv_bytes(headers, [row])
    return xlsx_bytes(headers, [row], title=_("Initiatives"), right_to_left=lang == "fa",
                      widths=[c.width for c in columns])


# --- import -----------------------------------------------------------------------------

@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_names() -> dict[str, str]:
    """Every accepted spelling of every importable column header (folded) → key."""
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            for column in COLUMNS:
                names.setdefault(fold(str(column.label)), column.key)
    for column in COLUMNS:
        names[fold(column.key)] = column.key
    return names


def _word_map(items, *extra: tuple[str, Any]) -> dict[str, Any]:
    """Codes and names in every language (folded) → item."""
    found: dict[str, Any] = {}
    for item in items:
        for word in (item.code, item.name_fa, item.name_en, item.name_ru):
            found.setdefault(fold(word), item)
    for word, item in extra:
        found.setdefault(fold(word), item)
    return found


#: Other words officers use for a status.
STATUS_SYNONYMS = {"فعال": Status.ACTIVE, "جاری": Status.ACTIVE, "активна": Status.ACTIVE,
                   "انجام‌شده": Status.COMPLETED, "لغوشده": Status.CANCELLED}


def _status_words() -> dict[str, str]:
    words = {fold(s.value): s.value for s in Status}
    words.update({fold(word): status.value for word, status in STATUS_SYNONYMS.items()})
    for lang in LANGUAGES:
        with force_locale(lang):
            words.update({fold(str(label)): s.value for s, label in STATUS_LABELS.items()})
    return words


def _goal_words() -> dict[str, Any]:
    """Goal codes and titles in every language (folded) → goal."""
    found: dict[str, Any] = {}
    for goal in goals(active_only=False):
        for word in (goal.code, goal.title_fa, goal.title_en, goal.title_ru):
            found.setdefault(fold(word), goal)
    return found


def _country_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in country_names(lang).items():
            words.setdefault(fold(name), code)
    return words


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # An apostrophe that neutralised a formula on export is not part of the value.
    if text.startswith("'") and text[1:2] and text[1] in "=+-@\t\r":
        text = text[1:]
    return text


class _Importer:
    def __init__(self, user):
        self.user = user
        self.categories = _word_map(categories(active_only=False))
        self.crafts = _word_map(crafts(active_only=False))
        self.goals = _goal_words()
        self.statuses = _status_words()
        self.countries = _country_words()
        self.orgs: dict[str, Organisation] = {}
        self.allowed: dict[int, bool] = {}

    def parse(self, cells: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Cells (by column key) → service values, and errors by column."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for key in ("title", "summary", "story", "contact_name", "contact_email", "contact_phone"):
            if key in cells:
                values[key] = _text(cells[key])
        if "category" in cells:
            word = _text(cells["category"])
            values["category"] = self.categories.get(fold(word)) if word else None
            if word and values["category"] is None:
                errors["category"] = _("Unknown category “%(value)s”.", value=word)
        if "status" in cells:
            word = _text(cells["status"])
            status = self.statuses.get(fold(word)) if word else Status.PLANNED.value
            if status is None:
                errors["status"] = _("Unknown status “%(value)s”.", value=word)
            values["status"] = status
        lists = (("crafts", self.crafts, lambda word: _("Unknown craft “%(value)s”.", value=word)),
                 ("goals", self.goals, lambda word: _("Unknown goal “%(value)s”.", value=word)))
        for key, known, unknown in lists:
            if key in cells:
                written = parse_list(_text(cells[key]))
                values[key] = [known.get(fold(word)) for word in written]
                missing = [word for word, item in zip(written, values[key], strict=True) if item is None]
                if missing:
                    errors[key] = unknown(", ".join(missing))
        if "partner_country" in cells:
            word = _text(cells["partner_country"])
            code = word.upper() if len(word) == 2 else self.countries.get(fold(word), word)
            values["partner_country"] = code or None
        if "partners" in cells:
            values["partners"] = parse_list(_text(cells["partners"]))
        for key in ("start_date", "end_date"):
            if key in cells:
                values[key] = self._date(cells[key], key, errors)
        if "published" in cells:
            try:
                values["published"] = parse_bool(_text(cells["published"]))
            except ValueError as exc:
                errors["published"] = str(exc)
        for name, (amount_key, currency_key, date_key) in MONEY_COLUMNS.items():
            if amount_key in cells:
                values[name] = self._money(cells, amount_key, currency_key, date_key, errors)
        return values, errors

    def _date(self, value: Any, key: str, errors: dict[str, str]) -> date | None:
        try:
            return parse_date(value if isinstance(value, date) else _text(value))
        except ValueError as exc:
            errors[key] = str(exc)
            return None

    def _money(self, cells, amount_key, currency_key, date_key, errors) -> Money | None:
        raw = cells[amount_key]
        try:
            amount = parse_number(raw if isinstance(raw, int | float) and not isinstance(raw, bool)
                                  else _text(raw))
        except AmbiguousNumber as exc:
            errors[amount_key] = ambiguous_message(exc)
            return None
        except NumberFormatError:
            errors[amount_key] = number_error_message()
            return None
        if amount is None:
            return None
        value_date = self._date(cells.get(date_key), date_key, errors)
        return Money(amount, _text(cells.get(currency_key)).upper(), value_date)

    def may_create(self, org: Organisation) -> bool:
        """``can(user, "initiative.create", org)``, asked once per organisation of the file."""
        if org.id not in self.allowed:
            self.allowed[org.id] = can(self.user, "initiative.create", org)
        return self.allowed[org.id]

    def org_for(self, code: str) -> Organisation | None:
        if not code:
            return self.user.org
        if code not in self.orgs:
            self.orgs[code] = db.session.scalar(select(Organisation).where(Organisation.code == code))
        return self.orgs[code]


def import_table(user, filename: str, data: bytes) -> ImportResult:
    """Check every row, then create or update them all; nothing is written if any row is bad.

    Rows whose organisation already has an initiative with the row's
    ``external_id`` update it; other rows create new initiatives. When
    ``result.ok`` is false the caller answers with an error, so nothing is kept.
    """
    result = ImportResult()
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise SpreadsheetError(_("The file is larger than %(mb)s MB; split it into smaller files.",
                                 mb=limit // (1024 * 1024)))
    table = read_table(filename, data, max_rows=MAX_IMPORT_ROWS)
    (header_row, header_cells), body = table[0], table[1:]
    spellings = _header_names()
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header_cells):
        header = _text(cell)
        key = spellings.get(fold(header)) if header else None
        if key is None or not COLUMN_BY_KEY[key].importable:
            if header and key is None:
                result.ignored_columns.append(header)
            continue
        if key in headers:
            result.errors.append(RowError(header_row, header, _("This column appears twice.")))
            continue
        columns[index] = key
        headers[key] = header
    if "title" not in headers:
        result.errors.append(RowError(header_row, str(COLUMN_BY_KEY["title"].label),
                                      _("The file has no “%(column)s” column.", column=COLUMN_BY_KEY["title"].label)))
    if not body:
        result.errors.append(RowError(header_row, "", _("The file has no rows under the header.")))
    if result.errors:
        return result

    importer = _Importer(user)
    parsed = []
    for number, cells in body:
        by_key = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        parsed.append((number, by_key, _text(by_key.get("external_id")) or None))
    existing = _existing(importer, parsed)

    plans = []
    seen: dict[tuple[int, str], int] = {}
    for number, cells, external_id in parsed:
        def fail(key: str, message: str, number=number) -> None:
            result.errors.append(RowError(number, headers.get(key, str(COLUMN_BY_KEY.get(key, Column(key, key)).label)),
                                          message))

        values, errors = importer.parse(cells)
        org_code = _text(cells.get("org")).upper()
        org = importer.org_for(org_code)
        if org is None:
            errors["org"] = _("Unknown organisation code “%(value)s”.", value=org_code)
        elif not importer.may_create(org):
            errors["org"] = _("You cannot add or change initiatives of %(org)s.", org=org.code)
        current = None
        if org is not None and external_id and "org" not in errors:
            key = (org.id, external_id)
            if key in seen:
                errors["external_id"] = _("This reference is also used in row %(row)s.", row=seen[key])
            seen[key] = number
            current = existing.get(key)
            if current is not None and current.deleted_at is not None:
                errors["external_id"] = _("The initiative with this reference was deleted; ask an "
                                          "administrator to restore it first.")
        if "external_id" in cells:
            values["external_id"] = external_id
        if not errors:
            try:
                values = services.clean(values, org=org, current=current, check_unique=False)
            except ServiceError as exc:
                errors = {ERROR_COLUMNS.get(k, k): " ".join(v) for k, v in exc.field_errors.items()}
        for key, message in errors.items():
            fail(key, message)
        plans.append((org, current, values))
    if result.errors:
        return result
    _write(plans, result)
    return result


def _write(plans: list[tuple[Organisation, Initiative | None, dict[str, Any]]], result: ImportResult) -> None:
    """Create or update the checked rows (organisation, current initiative or None, values)."""
    created = []
    for org, current, values in plans:
        if current is None:
            created.append((org, values))
        elif services.update_initiative(current, values, check_unique=False, flush=False):
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    result.created = len(services.insert_initiatives(created))
    db.session.flush()


def _existing(importer: _Importer, parsed) -> dict[tuple[int, str], Initiative]:
    """The initiatives the file's references point at, keyed by (org id, reference)."""
    keys = set()
    for _number, cells, external_id in parsed:
        if external_id:
            org = importer.org_for(_text(cells.get("org")).upper())
            if org is not None:
                keys.add((org.id, external_id))
    if not keys:
        return {}
    found = {}
    keys = sorted(keys)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        stmt = (select(Initiative)
                .where(tuple_(Initiative.org_id, Initiative.external_id).in_(chunk))
                .options(selectinload(Initiative.crafts), selectinload(Initiative.goals),
                         selectinload(Initiative.partners),
                         selectinload(Initiative.milestones)))
        for ini in db.session.scalars(stmt):
            found[(ini.org_id, ini.external_id)] = ini
    return found

