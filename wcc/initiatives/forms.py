"""Forms for initiatives, imports, and the category and craft lists."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel import Locale
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import NumberRange, Optional, ValidationError

from wcc.forms import CleanStringField, CleanTextAreaField, MultiCheckboxField, NumberField, choices, required
from wcc.i18n import current_language
from wcc.i18n.dates import date_help, parse_date
from wcc.i18n.formatting import localise_digits
from wcc.initiatives.models import CURRENCIES, STORY_MAX, SUMMARY_MAX, TITLE_MAX, Money, Status
from wcc.initiatives.parsing import parse_list
from wcc.initiatives.services import MilestoneData

STATUS_LABELS = {
    Status.PLANNED: _l("Planned"),
    Status.ACTIVE: _l("In progress"),
    Status.COMPLETED: _l("Completed"),
    Status.CANCELLED: _l("Cancelled"),
}
CURRENCY_LABELS = {
    "IRR": _l("Iranian rial (IRR)"),
    "EUR": _l("Euro (EUR)"),
    "USD": _l("US dollar (USD)"),
    "RUB": _l("Russian rouble (RUB)"),
}
#: How an amount's currency is written after the number.
CURRENCY_UNITS = {"IRR": _l("IRR"), "EUR": _l("EUR"), "USD": _l("USD"), "RUB": _l("RUB")}
@lru_cache(maxsize=8)
def country_names(lang: str) -> dict[str, str]:
    """Every ISO 3166 country by its common name in ``lang``, from CLDR (Babel's locale data).

    CLDR's names are the ones people use («ایران», «لائوس», «Турция»); a code CLDR
    lacks keeps its English ISO name.
    """
    names = Locale.parse(lang).territories
    return {c.alpha_2: names.get(c.alpha_2) or getattr(c, "common_name", None) or c.name for c in pycountry.countries}


def country_name(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    return country_names(lang or current_language()).get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """Russia first (the union's main partner), then every country by its name here."""
    names = country_names(current_language())
    rest = sorted(((code, name) for code, name in names.items() if code != "RU"), key=lambda c: c[1])
    return [("", "—"), ("RU", names["RU"])] + rest


DATE_HELP = LazyString(date_help)


class LocalDateField(StringField):
    """A date typed as text: Solar Hijri (۱۴۰۴/۰۴/۰۱) or Gregorian (2025-06-22) in any language.

    Persian pages show dates in the Solar Hijri calendar, the others in ISO form.
    """

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if not self.data:
            return ""
        if current_language() == "fa":
            from persiantools.jdatetime import JalaliDate

            j = JalaliDate(self.data)
            return localise_digits(f"{j.year}/{j.month:02d}/{j.day:02d}", "fa")
        return self.data.isoformat()

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_date(valuelist[0])
            except ValueError as exc:
                raise ValueError(str(exc)) from None


#: Currency names and signs an amount may be typed with («۱۲٬۵۰۰ یورو», "€ 12,500.50"), folded.
CURRENCY_WORDS = {
    **dict.fromkeys(("eur", "euro", "euros", "€", "یورو", "евро"), "EUR"),
    **dict.fromkeys(("irr", "rial", "rials", "ریال", "﷼", "риал", "риалов"), "IRR"),
    **dict.fromkeys(("usd", "dollar", "dollars", "us$", "$", "دلار", "доллар", "долларов", "долларов сша"), "USD"),
    **dict.fromkeys(("rub", "rouble", "roubles", "ruble", "rubles", "₽", "روبل", "руб", "руб.", "рубль",
                     "рубля", "рублей"), "RUB"),
}
_CURRENCY_AROUND = re.compile(r"^\s*(?P<before>[^\d۰-۹٠-٩+\-−.,٫٬]*?)\s*(?P<number>[+\-−]?[\d۰-۹٠-٩].*?)\s*"
                              r"(?P<after>[^\d۰-۹٠-٩.,٫٬'\s][^\d۰-۹٠-٩]*)?\s*$")


class AmountField(NumberField):
    """An amount: a number, optionally with its currency («۱۲٬۵۰۰ یورو»), which then sets the currency."""

    currency: str | None = None

    def process_formdata(self, valuelist):
        self.currency = None
        if valuelist and valuelist[0].strip():
            match = _CURRENCY_AROUND.match(valuelist[0])
            if match and (match["before"] or match["after"]):
                word = (match["before"] or match["after"] or "").strip().casefold()
                if match["before"] and match["after"] or word not in CURRENCY_WORDS:
                    self.data = None
                    raise ValueError(_l("Write the amount as a number; choose the currency from the list."))
                self.currency = CURRENCY_WORDS[word]
                valuelist = [match["number"]]
        super().process_formdata(valuelist)


class MilestoneForm(Form):
    due_date = LocalDateField(_l("Date"))
    title = CleanStringField(_l("Milestone"), max_length=TITLE_MAX)
    done = BooleanField(_l("Done"))

    def is_blank(self) -> bool:
        return not self.due_date.data and not self.title.data


def _money_fields(amount_label, default_currency: str):
    return (
        AmountField(amount_label),
        SelectField(_l("Currency"), choices=choices((c, CURRENCY_LABELS[c]) for c in CURRENCIES),
                    default=default_currency),
        LocalDateField(_l("Value date"), description=_l("The date the amount refers to.")),
    )


class InitiativeForm(FlaskForm):
    title = CleanStringField(_l("Title"), [required()], max_length=TITLE_MAX)
    org = SelectField(_l("Organisation"), validate_choice=True)
    category = SelectField(_l("Category"), [required()], validate_choice=True)
    status = SelectField(_l("Status"), choices=choices((s.value, label) for s, label in STATUS_LABELS.items()),
                         default=Status.PLANNED.value)
    start_date = LocalDateField(_l("Start date"), description=DATE_HELP)
    end_date = LocalDateField(_l("End date"), description=DATE_HELP)
    summary = CleanTextAreaField(_l("Summary"), max_length=SUMMARY_MAX,
                                 description=_l("Two or three sentences for lists and cards."))
    story = CleanTextAreaField(_l("Story"), max_length=STORY_MAX,
                               description=_l("The full story. You may use Markdown: **bold**, *italic*, "
                                              "lists and links. HTML is shown as text."))
    title_en = CleanStringField(_l("Title in English"), max_length=TITLE_MAX)
    title_ru = CleanStringField(_l("Title in Russian"), max_length=TITLE_MAX)
    story_en = CleanTextAreaField(_l("Story in English"), max_length=STORY_MAX,
                                  description=_l("A translation of the story for brochures in English."))
    story_ru = CleanTextAreaField(_l("Story in Russian"), max_length=STORY_MAX,
                                  description=_l("A translation of the story for brochures in Russian."))
    story_needs_translation = BooleanField(
        _l("The translations need updating"),
        description=_l("Set by itself when the Persian story changes after it was translated; clear it "
                       "once the translations say the same again."))
    crafts = MultiCheckboxField(_l("Crafts"), validate_choice=True)
    goals = MultiCheckboxField(_l("Goals it contributes to"), validate_choice=True,
                               description=_l("The union goals this initiative helps reach. Progress reports "
                                              "on these goals can cite it."))
    partner_country = SelectField(_l("Partner country"), validate_choice=True)
    partners = CleanTextAreaField(_l("Partner organisations"), max_length=5_000,
                                  description=_l("One per line: buyers, embassies, studios, chambers of commerce."))
    budget_amount, budget_currency, budget_value_date = _money_fields(_l("Budget"), "IRR")
    deal_amount, deal_currency, deal_value_date = _money_fields(_l("Deal value"), "EUR")
    # Shown under the heading "Contact person".
    contact_name = CleanStringField(_l("Full name"))
    contact_email = CleanStringField(_l("E-mail address"), max_length=254)
    contact_phone = CleanStringField(_l("Phone"), max_length=40)
    external_id = CleanStringField(_l("Your reference"), max_length=100,
                                   description=_l("The id this initiative has in your own spreadsheet or "
                                                  "system; imports use it to update instead of duplicating."))
    milestones = FieldList(FormField(MilestoneForm), min_entries=0, max_entries=50)
    photos = MultipleFileField(_l("Photos"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
                               description=_l("JPEG, PNG or WebP; the first becomes the cover. Location data "
                                              "is removed from every photo."))
    documents = MultipleFileField(_l("PDF documents"), render_kw={"accept": "application/pdf"},
                                  description=_l("Contracts, brochures, reports."))
    published = BooleanField(_l("Published: every member of the network can see it"))
    version = HiddenField()

    #: The key a service names a field by in its errors → the form field that shows it.
    ERROR_FIELDS = {
        "budget.amount": "budget_amount", "budget.currency": "budget_currency",
        "budget.value_date": "budget_value_date", "deal_value.amount": "deal_amount",
        "deal_value.currency": "deal_currency", "deal_value.value_date": "deal_value_date",
    }

    def setup(self, *, orgs, categories, crafts, goals, blank_milestones: int = 3) -> None:
        """Fill the choices, and leave a few empty milestone rows to fill in."""
        lang = current_language()
        self.org.choices = choices((o.code, f"{o.name(lang)} ({o.code})") for o in orgs)
        self.category.choices = choices([("", "—")] + [(c.code, c.name(lang)) for c in categories])
        self.crafts.choices = choices((c.code, c.name(lang)) for c in crafts)
        self.goals.choices = choices((g.code, g.title(lang)) for g in goals)
        self.partner_country.choices = choices(country_choices())
        filled = sum(1 for m in self.milestones if not m.form.is_blank())
        while len(self.milestones) < min(filled + blank_milestones, self.milestones.max_entries):
            self.milestones.append_entry()

    def validate(self, extra_validators=None) -> bool:
        """Standard validation; a currency typed with an amount («۱۲٬۵۰۰ یورو») selects that currency."""
        for amount, currency in ((self.budget_amount, self.budget_currency), (self.deal_amount, self.deal_currency)):
            if amount.currency:
                currency.data = amount.currency
        return super().validate(extra_validators)

    def values(self, *, orgs, categories, crafts, goals) -> dict:
        """The form as the ``values`` services take (objects looked up by code)."""
        by_code = {c.code: c for c in crafts}
        goal_by_code = {g.code: g for g in goals}
        return {
            "title": self.title.data,
            "category": next((c for c in categories if c.code == self.category.data), None),
            "status": self.status.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "summary": self.summary.data or "",
            "story": self.story.data or "",
            "title_en": self.title_en.data or "", "title_ru": self.title_ru.data or "",
            "story_en": self.story_en.data or "", "story_ru": self.story_ru.data or "",
            "story_needs_translation": bool(self.story_needs_translation.data),
            "crafts": [by_code[code] for code in self.crafts.data or [] if code in by_code],
            "goals": [goal_by_code[code] for code in self.goals.data or [] if code in goal_by_code],
            "partner_country": self.partner_country.data or None,
            "partners": parse_list(self.partners.data),
            "budget": _money(self.budget_amount.data, self.budget_currency.data, self.budget_value_date.data),
            "deal_value": _money(self.deal_amount.data, self.deal_currency.data, self.deal_value_date.data),
            "contact_name": self.contact_name.data or "",
            "contact_email": self.contact_email.data or "",
            "contact_phone": self.contact_phone.data or "",
            "external_id": self.external_id.data or None,
            "published": self.published.data,
            "milestones": [MilestoneData(m.due_date.data, m.title.data or "", m.done.data)
                           for m in self.milestones if not m.form.is_blank()],
        }


def form_data(ini) -> dict:
    """An initiative as the form's initial data."""
    def money(prefix: str) -> dict:
        return {f"{prefix}_amount": getattr(ini, f"{prefix}_amount"),
                f"{prefix}_currency": getattr(ini, f"{prefix}_currency") or ("IRR" if prefix == "budget" else "EUR"),
                f"{prefix}_value_date": getattr(ini, f"{prefix}_value_date")}

    return {
        "title": ini.title, "org": ini.org.code, "category": ini.category.code, "status": ini.status,
        "start_date": ini.start_date, "end_date": ini.end_date, "summary": ini.summary, "story": ini.story,
        "title_en": ini.title_en, "title_ru": ini.title_ru, "story_en": ini.story_en, "story_ru": ini.story_ru,
        "story_needs_translation": ini.story_needs_translation,
        "crafts": [c.code for c in ini.crafts], "goals": [g.code for g in ini.goals],
        "partner_country": ini.partner_country or "",
        "partners": "\n".join(p.name for p in ini.partners), **money("budget"), **money("deal"),
        "contact_name": ini.contact_name, "contact_email": ini.contact_email,
        "contact_phone": ini.contact_phone, "external_id": ini.external_id or "",
        "milestones": [{"due_date": m.due_date, "title": m.title, "done": m.done} for m in ini.milestones],
        "published": ini.published, "version": str(ini.version),
    }


def _money(amount: Decimal | None, currency: str, value_date) -> Money | None:
    return None if amount is None else Money(amount, currency, value_date)


def chosen_files(field) -> list:
    """The files picked in a file field (browsers send one empty part when none is)."""
    return [f for f in field.data or [] if getattr(f, "filename", "")]


class FilesForm(FlaskForm):
    files = MultipleFileField(_l("Add photos or PDF documents"), [required()])
    caption = CleanStringField(_l("Caption"), max_length=TITLE_MAX)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or Excel file"), [required()])
    dry_run = BooleanField(_l("Only check the file; save nothing"))


class ReferenceForm(FlaskForm):
    """A category or craft: a stable code and its names in the three languages."""

    code = CleanStringField(_l("Code"), [required()], max_length=40,
                            description=_l("Lower-case letters, digits and underscores; used by the API "
                                           "and in imported files."))
    name_fa = CleanStringField(_l("Name in Persian"), [required()])
    name_en = CleanStringField(_l("Name in English"), [required()])
    name_ru = CleanStringField(_l("Name in Russian"), [required()])
    position = IntegerField(_l("Position in lists"), [Optional(), NumberRange(0, 10_000, message=_l(
        "Enter a number between 0 and 10000."))], default=0)
    active = BooleanField(_l("In use"), default=True)

    def validate_code(self, field) -> None:
        if field.data and not re.fullmatch(r"[a-z][a-z0-9_]*", field.data):
            raise ValidationError(_l("Use lower-case Latin letters, digits and underscores, starting with a letter."))

    def values(self) -> dict:
        return {"code": self.code.data, "name_fa": self.name_fa.data, "name_en": self.name_en.data,
                "name_ru": self.name_ru.data, "position": self.position.data or 0, "active": self.active.data}

