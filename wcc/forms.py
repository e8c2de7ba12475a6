"""Validators and fields shared by every area's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

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
