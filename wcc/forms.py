"""Validators and fields shared by every area's forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from wcc.i18n.numbers import (
    AmbiguousNumber,
    NumberFormatError,
    ambiguous_message,
    editable_number,
    number_error_message,
    parse_number,
    resolve_choice,
)
from wcc.i18n.text import clean_line, clean_text, has_control_characters


class NoControlCharacters:
    """Refuse NUL and other invisible control characters (they corrupt exports and logs)."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_control_characters(field.data):
            raise ValidationError(_l("Remove the invisible control characters from this text."))


class CleanStringField(StringField):
    """A one-line text field, stripped; control characters are refused, not silently dropped."""

    def __init__(self, label=None, validators=None, max_length: int = 200, **kwargs):
        validators = list(validators or [])
        validators += [NoControlCharacters(),
                       Length(max=max_length, message=_l("At most %(max)d characters, please."))]
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip()

    def post_validate(self, form, validation_stopped):
        if isinstance(self.data, str) and not self.errors:
            self.data = clean_line(self.data)


class CleanTextAreaField(TextAreaField):
    def __init__(self, label=None, validators=None, max_length: int = 20_000, **kwargs):
        validators = list(validators or [])
        validators += [NoControlCharacters(),
                       Length(max=max_length, message=_l("At most %(max)d characters, please."))]
        super().__init__(label, validators, **kwargs)

    def post_validate(self, form, validation_stopped):
        if isinstance(self.data, str) and not self.errors:
            self.data = clean_text(self.data)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; a value not offered is refused with a translated message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Choose only from the list."))
        super().__init__(label, validators, **kwargs)


def required() -> DataRequired:
    return DataRequired(message=_l("This field is required."))


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as the option objects WTForms expects."""
    return [SelectChoice(value, label) for value, label in pairs]


def meant_field(name: str) -> str:
    """The form key that says which reading of the ambiguous number in ``name`` was meant."""
    return f"{name}-meant"


class NumberField(StringField):
    """A number typed as people type it (see ``wcc.i18n.numbers``), kept as typed when re-shown.

    An ambiguous «۱۲.۵۰۰» is an error that keeps both readings in ``ambiguous``;
    the form macro offers them, and the choice posted back resolves this text only.
    """

    ambiguous: AmbiguousNumber | None = None
    #: The posted choice that resolved this text, carried in the re-shown form (it holds for this text only).
    meant: str | None = None
    MAX_LENGTH = 60

    def process(self, formdata, data=None, **kwargs):
        self._meant = formdata.get(meant_field(self.name)) if formdata is not None else None
        super().process(formdata, data, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return editable_number(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        self.ambiguous = None
        self.meant = None
        if valuelist and len(valuelist[0]) > self.MAX_LENGTH:
            raise ValueError(_("At most %(max)d characters, please.", max=self.MAX_LENGTH))
        if valuelist:
            posted = getattr(self, "_meant", None)
            text = resolve_choice(valuelist[0], posted)
            if text != valuelist[0]:
                self.meant = posted
            try:
                self.data = parse_number(text)
            except AmbiguousNumber as exc:
                self.ambiguous = exc
                raise ValueError(ambiguous_message(exc)) from None
            except NumberFormatError:
                raise ValueError(number_error_message()) from None
