"""The second factor: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

A secret is created when a user starts setting up, shown as a QR code drawn on
the server, and counts only once the user has typed a code it produced. Codes
are 6 digits for 30-second steps; the step before and after are accepted for
clocks that drift, and no step is accepted twice. Ten single-use recovery codes
stand in for the phone; only their Argon2 hashes are kept.

Users of the roles in ``WCC_MFA_REQUIRED_ROLES`` who have no second factor may,
once signed in with their password, open nothing but the set-up page
(``enforce_enrolment``). API tokens are not affected: a token is a credential
of its own, created by a signed-in user.
"""

from __future__ import annotations

import logging
import secrets
import time

import pyotp
import segno
from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select

from wcc.audit.services import record
from wcc.auth.models import RecoveryCode, User
from wcc.db import utcnow
from wcc.extensions import db

log = logging.getLogger(__name__)

ISSUER = "WCC Network"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread

#: Pages a user who must still set up a second factor may open.
ENROLMENT_ENDPOINTS = {"auth.two_factor", "auth.two_factor_confirm", "auth.logout", "static",
                       "home.healthz", "home.readyz"}


def readable_secret(user: User) -> str | None:
    """The user's TOTP secret, or None when there is none or no configured key opens it
    (logged: the secret key was changed; the user signs in with a recovery code or an admin
    resets the second factor)."""
    from wcc.auth.encryption import SecretUnreadable

    try:
        return user.totp_secret
    except SecretUnreadable:
        log.error("the TOTP secret of user %s cannot be decrypted with the configured secret keys", user.id)
        return None


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no external service, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2,
                                                 title=_("QR code for your authenticator app"))


def _step(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // STEP_SECONDS)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def matching_step(secret: str, code: str, last_step: int | None, now: float | None = None) -> int | None:
    """The time step whose code is ``code`` (this step or one either side), if not used already."""
    code = _normalise(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


# --- setting up -------------------------------------------------------------------

def begin_enrolment(user: User) -> str:
    """The secret being set up for ``user`` (a new one unless one is pending already)."""
    pending = None if user.has_second_factor else readable_secret(user)
    if pending is None:
        pending = user.totp_secret = new_secret()
        user.totp_enabled_at = None
        user.totp_last_step = None
        db.session.flush()
    return pending


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn the pending secret on when ``code`` matches it; returns the new recovery codes."""
    pending = None if user.has_second_factor else readable_secret(user)
    if pending is None:
        return None
    step = matching_step(pending, code, None)
    if step is None:
        return None
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = replace_recovery_codes(user)
    record("user.two_factor_enabled", user)
    return codes


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes (shown once); the old ones stop working."""
    from wcc.auth.services import hash_password

    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(_unused(user))


def _unused(user: User) -> list[RecoveryCode]:
    return list(db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).order_by(RecoveryCode.id)))


def remove_second_factor(user: User, *, by_admin: bool) -> None:
    """Forget the secret and the recovery codes (audited). Callers end the user's sessions."""
    had = user.has_second_factor
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("user.two_factor_reset" if by_admin else "user.two_factor_disabled", user,
           before={"two_factor": had}, after={"two_factor": False})
    db.session.flush()


# --- signing in -------------------------------------------------------------------

def verify_second_factor(user: User, code: str) -> bool:
    """Whether ``code`` is a fresh TOTP code or an unused recovery code of ``user``.

    A TOTP step, once accepted, is never accepted again; a recovery code is used up.
    """
    from wcc.auth.services import password_hasher

    if not user.has_second_factor:
        return False
    secret = readable_secret(user)
    step = matching_step(secret, code, user.totp_last_step) if secret is not None else None
    if step is not None:
        user.totp_last_step = step
        return True
    raw = _normalise(code)
    if len(raw) != 10 or not all(ch in _RECOVERY_ALPHABET for ch in raw):
        return False
    for row in _unused(user):
        try:
            password_hasher.verify(row.code_hash, raw)
        except Exception:  # noqa: BLE001 - a mismatch, whatever argon2 calls it
            continue
        row.used_at = utcnow()
        record("user.recovery_code_used", user, actor=user,
               after={"left": unused_recovery_codes(user) - 1})
        return True
    return False


# --- who must have one --------------------------------------------------------------

def must_enrol(user) -> bool:
    """A signed-in user whose role requires a second factor and who has none yet."""
    from wcc.permissions import can

    return bool(user.is_authenticated and not user.has_second_factor
                and not can(user, "account.without_second_factor"))


def enforce_enrolment():
    """Before each request: send a browser session that must set up a second factor there.

    Bearer-token requests are not affected. Returns a response to stop the request.
    """
    if g.get("auth_via_token") or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if not must_enrol(current_user):
        return None
    if request.path.startswith("/api/"):
        from wcc.errors import error_response

        return error_response(403, _("Set up two-factor sign-in first, on your account page."),
                              code="two_factor_required")
    return redirect(url_for("auth.two_factor"))
