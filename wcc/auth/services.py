"""Rules about accounts: passwords, sign-in, sessions, tokens. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from wcc.audit.services import diff, record, snapshot
from wcc.auth import token_cache
from wcc.auth.models import ROLE_ORG_KIND, ApiToken, Role, SignInThrottle, User, UserSession, normalise_email
from wcc.db import utcnow
from wcc.errors import ServiceError, conflict
from wcc.extensions import db
from wcc.orgs.models import Organisation
from wcc.transaction import unique

# OWASP's recommended Argon2id setting: 19 MiB of memory, 2 passes, 1 lane.
password_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

# Delay after repeated failures on one address: nothing for the first few, then
# doubling, capped so an account is slowed down but never locked for good.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 15 * 60

MIN_PASSWORD_LENGTH = 10
USER_FIELDS = ("email", "name", "role", "org_id", "preferred_language", "active")


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant work whether or not the user exists."""
    if user is None:
        # Spend the same time as a real check so timing does not reveal accounts.
        try:
            password_hasher.verify(_dummy_hash(), password)
        except VerificationError:
            pass
        return False
    try:
        password_hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_normalised == normalise_email(email)))


# --- sign-in throttling -------------------------------------------------------

def _throttle_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def delay_for(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures (grows, never forever)."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY_SECONDS)


def seconds_until_allowed(email: str, now: datetime | None = None) -> int:
    throttle = db.session.get(SignInThrottle, _throttle_key(email))
    if throttle is None:
        return 0
    wait_until = throttle.last_failure_at + timedelta(seconds=delay_for(throttle.failures))
    remaining = (wait_until - (now or utcnow())).total_seconds()
    return max(0, int(remaining + 0.999))


def note_failed_sign_in(email: str) -> None:
    key = _throttle_key(email)
    throttle = db.session.get(SignInThrottle, key)
    if throttle is None:
        throttle = SignInThrottle(key=key, failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = utcnow()
    user = find_user_by_email(email)
    record("auth.sign_in_failed", object_type="users", object_id=user.id if user else None,
           after={"email": email[:254], "failures": throttle.failures})
    db.session.flush()


def clear_failed_sign_ins(email: str) -> None:
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == _throttle_key(email)))


@dataclass
class SignInResult:
    user: User | None
    retry_after: int = 0
    checked: bool = True  # False when the password was not even looked at (waiting)


def authenticate(email: str, password: str) -> SignInResult:
    """Check credentials, honouring the per-address delay.

    Returns the user on success. On failure ``user`` is None and ``retry_after``
    says how long the address must wait before its next try; while it waits the
    password is not checked at all (``checked`` is False). An unknown address and
    a wrong password get the same answer.
    """
    wait = seconds_until_allowed(email)
    if wait:
        return SignInResult(None, wait, checked=False)
    user = find_user_by_email(email)
    ok = verify_password(user, password) and user is not None and user.active and user.org.active
    if not ok:
        note_failed_sign_in(email)
        return SignInResult(None, seconds_until_allowed(email))
    clear_failed_sign_ins(email)
    user.last_login_at = utcnow()
    record("auth.sign_in", user, actor=user)
    return SignInResult(user)


# --- sessions -----------------------------------------------------------------

def start_session(user: User, ip: str | None, user_agent: str | None) -> UserSession:
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id, ip=ip,
                      user_agent=(user_agent or "")[:300])
    db.session.add(row)
    db.session.flush()
    return row


def end_session(session_id: str | None) -> None:
    if session_id:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def load_session_user(user_id: str, session_id: str | None) -> User | None:
    """The user named by a session cookie, if that browser session still exists."""
    if not session_id or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.id == session_id, User.id == int(user_id))
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    # Touch at most once every few minutes so reads do not turn into writes.
    if now - user_session.last_seen_at > timedelta(minutes=5):
        user_session.last_seen_at = now
    return user


# --- tokens -------------------------------------------------------------------

TOKEN_PREFIX = "wcc_"


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; the secret is returned once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name or "token", token_hash=_token_hash(secret),
                     prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    record("token.create", token, after={"name": token.name, "user_id": user.id})
    return token, secret


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("token.revoke", token, before={"active": True}, after={"active": False})


def load_token_user(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None.

    With Redis configured the answer comes from the shared cache when it can
    (``wcc.auth.token_cache``), so most API requests ask the database nothing here.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token_hash = _token_hash(secret)
    token, user = token_cache.lookup(token_hash)
    if token is None:
        # The token, its user and the user's organisation in one query.
        token = db.session.scalar(
            select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.org))
            .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        )
        if token is None:
            return None
        user = token.user
        token_cache.remember(token_hash, token, user)
    if token.revoked_at is not None or not user.active or not user.org.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return user


# --- users --------------------------------------------------------------------

def check_role_fits_org(role: str, org: Organisation) -> None:
    from flask_babel import gettext as _

    try:
        expected = ROLE_ORG_KIND[Role(role)]
    except ValueError as exc:
        raise ServiceError(_("Unknown role.")) from exc
    if org.kind != expected:
        raise ServiceError(_("A user with this role must belong to an organisation of another kind."))


def check_password_strength(password: str) -> None:
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(_("The password must have at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > 200:
        raise ServiceError(_("The password is too long."))


def create_user(*, email: str, name: str, password: str, role: str, org: Organisation,
                preferred_language: str | None = None, password_hash: str | None = None) -> User:
    """Add a user. Raises ServiceError when the e-mail is taken or the role and org do not fit."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    check_role_fits_org(role, org)
    if find_user_by_email(email) is not None:
        raise conflict(_("A user with this e-mail address already exists."), field="email")
    if password_hash is None:
        check_password_strength(password)
        password_hash = hash_password(password)
    user = User(email=email.strip(), email_normalised=normalise_email(email), name=name.strip(),
                password_hash=password_hash, role=role, org_id=org.id,
                preferred_language=preferred_language, active=True)
    with unique(_l("A user with this e-mail address already exists."), "email"):
        db.session.add(user)
        user.org = org
    record("user.create", user, after=snapshot(user, USER_FIELDS))
    return user


def update_user(user: User, **changes) -> User:
    """Change fields of a user; deactivating one ends all their sessions."""
    from flask_babel import gettext as _

    before = snapshot(user, USER_FIELDS)
    if "email" in changes:
        other = find_user_by_email(changes["email"])
        if other is not None and other.id != user.id:
            raise conflict(_("A user with this e-mail address already exists."), field="email")
        user.email_normalised = normalise_email(changes["email"])
    org = changes.pop("org", None)
    if org is not None:
        changes["org_id"] = org.id
        user.org = org
    for name, value in changes.items():
        setattr(user, name, value)
    check_role_fits_org(user.role, db.session.get(Organisation, user.org_id))
    if not user.active:
        end_all_sessions(user)
        for token in user_tokens(user):
            revoke_token(token)
    db.session.flush()
    old, new = diff(before, snapshot(user, USER_FIELDS))
    if new:
        record("user.update", user, before=old, after=new)
    return user


def set_password(user: User, password: str, *, reset_by_admin: bool) -> None:
    """Set a new password and sign the user out everywhere else."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record("user.reset_password" if reset_by_admin else "user.change_password", user)


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))
