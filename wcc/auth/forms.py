from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField
from wtforms.validators import Email, EqualTo, Length

from wcc.auth.models import Role
from wcc.auth.passwords import MAX_LENGTH, MIN_LENGTH
from wcc.forms import CleanStringField, NoControlCharacters, choices, required

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator (union secretariat)"),
    Role.MINISTRY: _l("Ministry (read only)"),
    Role.PROVINCE: _l("Province officer"),
    Role.MUNICIPALITY: _l("Municipality officer"),
}

LANGUAGES = [("fa", "فارسی"), ("en", "English"), ("ru", "Русский")]


def password_field(label, *, new: bool = False) -> PasswordField:
    """A password input; ``new`` ones get the strength meter and the length rules' hint."""
    render_kw = {"autocomplete": "new-password", "data-password-meter": "",
                 "maxlength": MAX_LENGTH} if new else {"autocomplete": "current-password"}
    description = _l("At least %(n)s characters. A few unrelated words make a good password.",
                     n=MIN_LENGTH) if new else None
    return PasswordField(label, description=description, render_kw=render_kw, validators=[
        required(), NoControlCharacters(),
        Length(max=MAX_LENGTH, message=_l("At most %(max)d characters, please.")),
    ])


class LoginForm(FlaskForm):
    email = CleanStringField(_l("E-mail address"), [required()], max_length=254)
    password = password_field(_l("Password"))
    # The language picked on the sign-in page (empty when none was): signing in saves it.
    lang = HiddenField()


class ProfileForm(FlaskForm):
    name = CleanStringField(_l("Full name"), [required()])
    preferred_language = SelectField(_l("Language"), choices=choices(LANGUAGES))


class ChangePasswordForm(FlaskForm):
    current_password = password_field(_l("Current password"))
    new_password = password_field(_l("New password"), new=True)
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new_password", message=_l("The two passwords do not match."))])


class TokenForm(FlaskForm):
    name = CleanStringField(_l("What the token is for"), [required()], max_length=100)


class UserForm(FlaskForm):
    email = CleanStringField(_l("E-mail address"), [
        required(), Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)],
        max_length=254)
    name = CleanStringField(_l("Full name"), [required()])
    role = SelectField(_l("Role"), choices=choices((r.value, label) for r, label in ROLE_LABELS.items()))
    org = SelectField(_l("Organisation"), coerce=int, validate_choice=True)
    preferred_language = SelectField(_l("Language"), choices=choices(LANGUAGES))
    active = BooleanField(_l("Active (may sign in)"), default=True)


class NewUserForm(UserForm):
    password = password_field(_l("Initial password"), new=True)


class ResetPasswordForm(FlaskForm):
    new_password = password_field(_l("New password"), new=True)


class TwoFactorCodeForm(FlaskForm):
    code = CleanStringField(_l("Code"), [required()], max_length=20,
                            render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                       "dir": "ltr", "autofocus": True})


class ConfirmTwoFactorForm(FlaskForm):
    code = CleanStringField(_l("The 6-digit code your app shows"), [required()], max_length=20,
                            render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                       "dir": "ltr"})
