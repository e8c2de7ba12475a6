from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from wcc.forms import CleanStringField, CleanTextAreaField, choices, required
from wcc.goals.models import Aggregation, Direction, Theme, Unit
from wcc.periods import Frequency

THEME_LABELS = {
    Theme.EXPORTS: _l("Exports"),
    Theme.PROMOTION: _l("Promotion"),
    Theme.MARKET_ACCESS: _l("Market access"),
    Theme.EVENTS: _l("Events"),
    Theme.CAPACITY: _l("Capacity building"),
    Theme.DESIGNATION: _l("World Craft City designation"),
}
UNIT_LABELS = {
    Unit.COUNT: _l("count"),
    Unit.EUR: _l("euros (EUR)"),
    Unit.IRR: _l("rials (IRR)"),
    Unit.PERCENT: _l("percent"),
    Unit.PEOPLE: _l("people"),
}
AGGREGATION_LABELS = {
    Aggregation.SUM: _l("Sum of the periods"),
    Aggregation.LATEST: _l("Latest period"),
    Aggregation.AVERAGE: _l("Average of the periods"),
}
DIRECTION_LABELS = {
    Direction.HIGHER: _l("Higher is better"),
    Direction.LOWER: _l("Lower is better"),
}
FREQUENCY_LABELS = {
    Frequency.QUARTERLY: _l("Quarterly"),
    Frequency.YEARLY: _l("Yearly"),
}


def _choices(labels: dict):
    return choices((key.value, label) for key, label in labels.items())


class GoalForm(FlaskForm):
    code = CleanStringField(_l("Code"), [required()], max_length=40,
                            description=_l("Capital letters, digits and hyphens, such as EXPORT-RU."))
    title_fa = CleanStringField(_l("Title in Persian"), [required()], max_length=300)
    title_en = CleanStringField(_l("Title in English"), [required()], max_length=300)
    title_ru = CleanStringField(_l("Title in Russian"), [required()], max_length=300)
    description_fa = CleanTextAreaField(_l("Description in Persian"), max_length=5000)
    description_en = CleanTextAreaField(_l("Description in English"), max_length=5000)
    description_ru = CleanTextAreaField(_l("Description in Russian"), max_length=5000)
    theme = SelectField(_l("Theme"), choices=_choices(THEME_LABELS))
    unit = SelectField(_l("Unit"), choices=_choices(UNIT_LABELS))
    aggregation = SelectField(_l("How periods combine"), choices=_choices(AGGREGATION_LABELS))
    direction = SelectField(_l("Direction"), choices=_choices(DIRECTION_LABELS))
    frequency = SelectField(_l("Reporting frequency"), choices=_choices(FREQUENCY_LABELS))
    baseline_value = CleanStringField(_l("Baseline value"), max_length=40)
    baseline_period = CleanStringField(_l("Baseline period"), max_length=10,
                                       description=_l("A year such as 1402, or a quarter such as 1402-Q4."))
    first_period = CleanStringField(_l("First period"), [required()], max_length=10,
                                    description=_l("Quarterly goals: 1403-Q1. Yearly goals: 1403."))
    last_period = CleanStringField(_l("Last period"), [required()], max_length=10)
    reported_by_province = BooleanField(_l("Provinces report this goal"), default=True)
    reported_by_municipality = BooleanField(_l("Municipalities report this goal"), default=True)
    due_days = IntegerField(_l("Reports due (days after the period ends)"), [
        InputRequired(message=_l("This field is required.")),
        NumberRange(0, 365, message=_l("Enter a number of days between 0 and 365."))], default=30)
    active = BooleanField(_l("Active"), default=True)
    public_dashboard = BooleanField(
        _l("Public dashboard"), default=False,
        description=_l("Anyone may see this goal's network figures without signing in: approved values "
                       "only, no names of people."))

    def values(self) -> dict:
        return {
            "code": (self.code.data or "").upper(),
            "title_fa": self.title_fa.data, "title_en": self.title_en.data, "title_ru": self.title_ru.data,
            "description_fa": self.description_fa.data or "",
            "description_en": self.description_en.data or "",
            "description_ru": self.description_ru.data or "",
            "theme": self.theme.data, "unit": self.unit.data, "aggregation": self.aggregation.data,
            "direction": self.direction.data, "frequency": self.frequency.data,
            "baseline_period": self.baseline_period.data or None,
            "first_period": self.first_period.data, "last_period": self.last_period.data,
            "reported_by_province": self.reported_by_province.data,
            "reported_by_municipality": self.reported_by_municipality.data,
            "due_days": self.due_days.data, "active": self.active.data,
            "public_dashboard": self.public_dashboard.data,
        }


class TargetsForm(FlaskForm):
    """Only the CSRF token: target inputs are named ``t-<goal id>-<year>`` and read by the view."""

