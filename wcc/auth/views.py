"""Sign-in and sign-out, the profile page with tokens, and user management for admins."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from wcc.audit.services import record
from wcc.auth import services, two_factor
from wcc.auth.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    ConfirmTwoFactorForm,
    LoginForm,
    NewUserForm,
    ProfileForm,
    ResetPasswordForm,
    TokenForm,
    TwoFactorCodeForm,
    UserForm,
)
from wcc.auth.models import ApiToken, User, UserSession
from wcc.auth.sessions import SESSION_KEY
from wcc.errors import ServiceError, show_on_form
from wcc.extensions import db
from wcc.forms import choices
from wcc.i18n.search import matches_all, rank, search_words
from wcc.orgs.models import Organisation
from wcc.orgs.queries import org_choices
from wcc.pagination import paginate, requested_page
from wcc.permissions import can, require
from wcc.transaction import keep_changes

bp = Blueprint("auth", __name__)

PER_PAGE = 50


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (never //host or a scheme) may be a redirect target."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


#: Seconds between the password and the second factor before the password must be typed again.
SECOND_STEP_SECONDS = 300
PENDING_KEY = "pending_2fa"


def _too_many(form, seconds: int):
    form.form_errors.append(_("Too many failed attempts. Try again in %(seconds)s seconds.", seconds=seconds))


def _picked_language(value: str | None) -> str | None:
    """A language the user picked, or None (nothing picked, or not a language of the app)."""
    return value if value in current_app.config["LANGUAGES"] else None


def _finish_sign_in(user: User, next_url: str | None, picked_language: str | None):
    """Start the browser session of a user who has passed every factor.

    The language picked on the sign-in page wins and becomes the user's saved preference
    (a POST of the sign-in form, audited with the sign-in's transaction); without one, the
    saved preference applies."""
    lang = session.get("lang")
    session.clear()
    services.signed_in(user)
    row = services.start_session(user, request.remote_addr, request.user_agent.string)
    session[SESSION_KEY] = row.id
    session.permanent = True
    login_user(user)
    if picked_language and picked_language != user.preferred_language:
        services.update_user(user, preferred_language=picked_language)
    if user.preferred_language or lang:
        session["lang"] = user.preferred_language or lang
    return redirect(safe_next(next_url) or url_for("home.index"))


def _answer(template: str, status: int, retry_after: int = 0, **context):
    response = current_app.make_response((render_template(template, **context), status))
    if retry_after:
        # The same number as on the page.
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if not form.is_submitted():
        # A language link on this page (?lang=, kept in the session) is the user's pick.
        form.lang.data = _picked_language(request.args.get("lang") or session.get("lang")) or ""
    status, retry_after = 200, 0
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        picked = _picked_language(form.lang.data)
        if result.user is not None and result.user.has_second_factor:
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            session[PENDING_KEY] = {"user": result.user.id, "at": int(time.time()),
                                    "next": safe_next(request.args.get("next")), "lang": picked}
            return redirect(url_for("auth.second_factor"))
        if result.user is not None:
            return _finish_sign_in(result.user, request.args.get("next"), picked)
        keep_changes()  # the failed attempt counts, although the answer is 401 or 429
        status, retry_after = (401 if result.checked else 429), result.retry_after
        if result.checked:
            form.form_errors.append(_("The e-mail address or password is not correct."))
        if retry_after:
            _too_many(form, retry_after)
    elif request.method == "POST":
        status = 400
    return _answer("auth/login.html", status, retry_after, form=form)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > SECOND_STEP_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or not user.org.active or not user.has_second_factor:
        return None, {}
    return user, pending


@bp.route("/login/two-factor", methods=["GET", "POST"])
def second_factor():
    """The second step of signing in, for users with a second factor."""
    user, pending = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = TwoFactorCodeForm()
    status, retry_after = 200, 0
    if form.validate_on_submit():
        result = services.check_second_factor(user, form.code.data)
        if result.user is not None:
            return _finish_sign_in(user, pending.get("next"), _picked_language(pending.get("lang")))
        keep_changes()
        status, retry_after = (401 if result.checked else 429), result.retry_after
        if result.checked:
            form.code.errors.append(_("This code is not correct, or it has been used already."))
        if retry_after:
            _too_many(form, retry_after)
    elif request.method == "POST":
        status = 400
    return _answer("auth/second_factor.html", status, retry_after, form=form)


@bp.post("/logout")
@login_required
def logout():
    record("auth.sign_out", current_user, actor=current_user)
    services.end_session(session.get(SESSION_KEY))
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


# --- profile ------------------------------------------------------------------

def _profile_page(*, profile_form=None, password_form=None, token_form=None, new_token=None,
                  status: int = 200):
    user = current_user
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.last_seen_at.desc())
    ).all()
    return render_template(
        "auth/profile.html",
        profile_form=profile_form or ProfileForm(obj=user, formdata=None),
        password_form=password_form or ChangePasswordForm(formdata=None),
        token_form=token_form or TokenForm(formdata=None),
        tokens=services.user_tokens(user),
        sessions=sessions,
        current_sid=session.get(SESSION_KEY),
        new_token=new_token,
    ), status


@bp.get("/profile")
@login_required
def profile():
    require(current_user, "profile.edit")
    return _profile_page()


@bp.post("/profile")
@login_required
def update_profile():
    require(current_user, "profile.edit")
    form = ProfileForm()
    if not form.validate():
        return _profile_page(profile_form=form, status=400)
    services.update_user(current_user, name=form.name.data,
                         preferred_language=form.preferred_language.data)
    session["lang"] = form.preferred_language.data
    flash(_("Your profile has been saved."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/password")
@login_required
def change_password():
    require(current_user, "profile.edit")
    form = ChangePasswordForm()
    if not form.validate():
        return _profile_page(password_form=form, status=400)
    if not services.verify_password(current_user, form.current_password.data):
        form.current_password.errors.append(_("The current password is not correct."))
        return _profile_page(password_form=form, status=400)
    try:
        services.set_password(current_user, form.new_password.data, reset_by_admin=False)
    except ServiceError as exc:
        form.new_password.errors.append(exc.message)
        return _profile_page(password_form=form, status=400)
    # Keep this browser signed in; every other session has just ended.
    row = services.start_session(current_user, request.remote_addr, request.user_agent.string)
    session[SESSION_KEY] = row.id
    flash(_("Your password has been changed. Your other sessions have been signed out and your API "
            "tokens revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/sessions/end-others")
@login_required
def end_other_sessions():
    require(current_user, "profile.edit")
    mine = session.get(SESSION_KEY)
    for row in db.session.scalars(select(UserSession).where(UserSession.user_id == current_user.id)):
        if row.id != mine:
            db.session.delete(row)
    record("auth.end_other_sessions", current_user)
    flash(_("All your other sessions have been signed out."), "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/tokens")
@login_required
def create_token():
    require(current_user, "token.create")
    form = TokenForm()
    if not form.validate():
        return _profile_page(token_form=form, status=400)
    token, secret = services.create_token(current_user, form.name.data)
    return _profile_page(new_token=secret)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    require(current_user, "token.revoke", token, hide=True)
    services.revoke_token(token)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.profile"))


# --- user management (admins) -------------------------------------------------

@bp.get("/admin/users")
@login_required
def users():
    require(current_user, "admin.access")
    q = request.args.get("q", "").strip()[:200]
    role = request.args.get("role", "")
    org_code = request.args.get("org", "").strip()[:40]
    page = requested_page()
    stmt = select(User).join(User.org).options(contains_eager(User.org))
    words = search_words(q)
    if words:
        stmt = stmt.where(matches_all(User.search_text, words)).order_by(rank(User.search_text, words).desc())
    stmt = stmt.order_by(Organisation.code, User.name)
    if role in ROLE_LABELS:
        stmt = stmt.where(User.role == role)
    if org_code:
        stmt = stmt.where(Organisation.code == org_code)
    pagination = paginate(stmt, page, PER_PAGE, scalars=True)
    return render_template("auth/users.html", pagination=pagination, q=q, role=role, org_code=org_code,
                           role_labels=ROLE_LABELS)


def _user_form(form_class, obj=None):
    form = form_class(obj=obj)
    form.org.choices = choices(org_choices())
    return form


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    require(current_user, "user.create")
    form = _user_form(NewUserForm)
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.org.data)
        try:
            user = services.create_user(email=form.email.data, name=form.name.data,
                                        password=form.password.data, role=form.role.data, org=org,
                                        preferred_language=form.preferred_language.data)
            if not form.active.data:
                services.update_user(user, active=False)
        except ServiceError as exc:
            show_on_form(form, exc)
        else:
            flash(_("The user %(email)s has been created.", email=user.email), "success")
            return redirect(url_for("auth.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/user_form.html", form=form, user=None), status


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    require(current_user, "user.edit", user)
    form = _user_form(UserForm, obj=user)
    if request.method == "GET":
        form.org.data = user.org_id
    reset_form = ResetPasswordForm(formdata=None)
    if form.validate_on_submit():
        if user.id == current_user.id and not form.active.data:
            form.active.errors.append(_("You cannot deactivate your own account."))
        else:
            try:
                services.update_user(user, email=form.email.data, name=form.name.data,
                                     role=form.role.data, org=db.session.get(Organisation, form.org.data),
                                     preferred_language=form.preferred_language.data,
                                     active=form.active.data)
            except ServiceError as exc:
                show_on_form(form, exc)
            else:
                flash(_("The user has been saved."), "success")
                return redirect(url_for("auth.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/user_form.html", form=form, user=user, reset_form=reset_form), status


@bp.post("/admin/users/<int:user_id>/reset-password")
@login_required
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    require(current_user, "user.reset_password", user)
    reset_form = ResetPasswordForm()
    if reset_form.validate():
        try:
            services.set_password(user, reset_form.new_password.data, reset_by_admin=True)
        except ServiceError as exc:
            reset_form.new_password.errors.append(exc.message)
        else:
            flash(_("The password has been reset, the user signed out everywhere and their API tokens "
                    "revoked."), "success")
            return redirect(url_for("auth.edit_user", user_id=user.id))
    form = _user_form(UserForm, obj=user)
    form.org.data = user.org_id
    return render_template("auth/user_form.html", form=form, user=user, reset_form=reset_form), 400



@bp.post("/admin/users/<int:user_id>/reset-two-factor")
@login_required
def reset_two_factor(user_id: int):
    user = db.get_or_404(User, user_id)
    require(current_user, "user.reset_two_factor", user)
    two_factor.remove_second_factor(user, by_admin=True)
    services.end_all_sessions(user)
    flash(_("Two-factor sign-in has been reset: the user sets it up again at the next sign-in."), "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))


# --- two-factor sign-in: setting it up ------------------------------------------------

def _two_factor_page(*, form=None, recovery_codes=None, status: int = 200):
    user = current_user
    secret = uri = qr = None
    if not user.has_second_factor:
        secret = two_factor.begin_enrolment(user)
        keep_changes()
        uri = two_factor.provisioning_uri(user, secret)
        qr = two_factor.qr_svg(uri)
    return render_template(
        "auth/two_factor.html", form=form or ConfirmTwoFactorForm(formdata=None), secret=secret, uri=uri,
        qr=qr, recovery_codes=recovery_codes, required=not can(user, "account.without_second_factor"),
        codes_left=two_factor.unused_recovery_codes(user) if user.has_second_factor else 0,
    ), status


@bp.get("/account/two-factor", endpoint="two_factor")
@login_required
def two_factor_page():
    return _two_factor_page()


@bp.post("/account/two-factor")
@login_required
def two_factor_confirm():
    """Confirm the pending secret with a code; turn it off; or replace the recovery codes."""
    form = ConfirmTwoFactorForm()
    action = request.form.get("action", "confirm")
    if not form.validate():
        return _two_factor_page(form=form, status=400)
    user = current_user
    if action == "confirm" and not user.has_second_factor:
        codes = two_factor.confirm_enrolment(user, form.code.data)
        if codes is None:
            form.code.errors.append(_("This code is not correct. Check the time on your phone and try again."))
            return _two_factor_page(form=form, status=400)
        flash(_("Two-factor sign-in is on."), "success")
        return _two_factor_page(recovery_codes=codes)
    if not user.has_second_factor or not services.check_second_factor(user, form.code.data).user:
        keep_changes()
        form.code.errors.append(_("This code is not correct, or it has been used already."))
        return _two_factor_page(form=form, status=400)
    if action == "recovery-codes":
        codes = two_factor.replace_recovery_codes(user)
        record("user.recovery_codes_replaced", user)
        return _two_factor_page(recovery_codes=codes)
    if action == "disable":
        if not can(user, "account.without_second_factor"):
            abort(403)
        two_factor.remove_second_factor(user, by_admin=False)
        flash(_("Two-factor sign-in is off."), "info")
        return redirect(url_for("auth.profile"))
    abort(400)
