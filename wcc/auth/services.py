"""Rules about accounts: passwords, sign-in, sessions, tokens. Services flush; the request commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

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

# Delays after repeated failures, each doubling and capped so nothing is ever locked for good.
# Keys: an account at one address (few free tries), an address whatever the account (more),
# and an account whatever the address (softer still, and only for addresses that have been
# failing: the owner at an address of their own is never kept out by someone else's guesses).
FREE_FAILURES = 3
FREE_FAILURES_PER_ACCOUNT = 20
MAX_DELAY_SECONDS = 15 * 60
#: Failures older than this are forgotten at the next failure.
FAILURE_MEMORY = timedelta(hours=1)
FREE_TWO_FACTOR_FAILURES = 5

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

def _throttle_key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\x00".join((kind, *parts)).encode()).hexdigest()


def delay_for(failures: int, free: int = FREE_FAILURES) -> int:
    """Seconds to wait after ``failures`` consecutive failures (grows, never forever)."""
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), MAX_DELAY_SECONDS)


@dataclass
class ThrottleKey:
    key: str
    free: int
    only_if_failing: bool = False  # counts only against addresses with failures of their own


def _sign_in_keys(email: str, ip: str | None) -> list[ThrottleKey]:
    from flask import current_app

    account = normalise_email(email)
    address = ip or "-"
    return [
        ThrottleKey(_throttle_key("account+address", account, address), FREE_FAILURES),
        ThrottleKey(_throttle_key("address", address), current_app.config["LOGIN_FAILURES_PER_MINUTE"]),
        ThrottleKey(_throttle_key("account", account), FREE_FAILURES_PER_ACCOUNT, only_if_failing=True),
    ]


def _wait(keys: list[ThrottleKey], now: datetime) -> int:
    rows = {row.key: row for row in db.session.scalars(
        select(SignInThrottle).where(SignInThrottle.key.in_([k.key for k in keys])))}
    address_failing = any(rows.get(k.key) is not None and not k.only_if_failing
                          and now - rows[k.key].last_failure_at < FAILURE_MEMORY for k in keys)
    wait = 0.0
    for k in keys:
        row = rows.get(k.key)
        if row is None or (k.only_if_failing and not address_failing):
            continue
        until = row.last_failure_at + timedelta(seconds=delay_for(row.failures, k.free))
        wait = max(wait, (until - now).total_seconds())
    return max(0, int(wait + 0.999))


def _note_failure(keys: list[ThrottleKey], now: datetime) -> None:
    for k in keys:
        row = db.session.get(SignInThrottle, k.key)
        if row is None:
            row = SignInThrottle(key=k.key, failures=0)
            db.session.add(row)
        elif now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
    db.session.flush()


def _clear(keys: list[ThrottleKey]) -> None:
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_([k.key for k in keys])))


def seconds_until_allowed(email: str, ip: str | None, now: datetime | None = None) -> int:
    return _wait(_sign_in_keys(email, ip), now or utcnow())


def note_failed_sign_in(email: str, ip: str | None) -> int:
    """Count a failure; returns the wait it causes. The first failure that makes an address
    or account wait is audited once (one row per burst, never one per refused attempt)."""
    keys = _sign_in_keys(email, ip)
    now = utcnow()
    _note_failure(keys, now)
    user = find_user_by_email(email)
    record("auth.sign_in_failed", object_type="users", object_id=user.id if user else None,
           after={"email": email[:254]})
    wait = _wait(keys, now)
    if wait:
        record("auth.rate_limited", object_type="users", object_id=user.id if user else None,
               after={"email": email[:254], "seconds": wait})
    db.session.flush()
    return wait


@dataclass
class SignInResult:
    user: User | None
    retry_after: int = 0
    checked: bool = True  # False when the password was not even looked at (waiting)


def authenticate(email: str, password: str, ip: str | None = None) -> SignInResult:
    """Check credentials, honouring the delays of this account at this address, of this
    address, and (for addresses that have been failing) of this account.

    Returns the user on success. On failure ``user`` is None and ``retry_after``
    says how long to wait before the next try; while waiting the password is not
    checked at all (``checked`` is False) and nothing is written. An unknown
    address and a wrong password get the same answer. A second factor, if the
    user has one, is asked for afterwards (``check_second_factor``).
    """
    keys = _sign_in_keys(email, ip)
    wait = _wait(keys, utcnow())
    if wait:
        return SignInResult(None, wait, checked=False)
    user = find_user_by_email(email)
    ok = verify_password(user, password) and user is not None and user.active and user.org.active
    if not ok:
        return SignInResult(None, note_failed_sign_in(email, ip))
    _clear(keys[:1] + keys[2:])  # the address keeps its own count: it may be shared with others
    return SignInResult(user)


def check_second_factor(user: User, code: str) -> SignInResult:
    """The second step of signing in: a fresh TOTP code or an unused recovery code."""
    from wcc.auth.two_factor import verify_second_factor

    keys = [ThrottleKey(_throttle_key("second-factor", str(user.id)), FREE_TWO_FACTOR_FAILURES)]
    now = utcnow()
    wait = _wait(keys, now)
    if wait:
        return SignInResult(None, wait, checked=False)
    if not verify_second_factor(user, code):
        _note_failure(keys, now)
        record("auth.second_factor_failed", user, actor=user)
        wait = _wait(keys, now)
        if wait:
            record("auth.rate_limited", user, actor=user, after={"seconds": wait, "second_factor": True})
        return SignInResult(None, wait)
    _clear(keys)
    return SignInResult(user)


def signed_in(user: User) -> None:
    """Both factors (or the only one) are done: note it."""
    user.last_login_at = utcnow()
    record("auth.sign_in", user, actor=user)


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


def end_all_sessions(user: User, *, keep: str | None = None) -> None:
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    db.session.execute(stmt)


def sign_out_everywhere(user: User, *, keep_session: str | None = None) -> None:
    """End every browser session of ``user`` (but ``keep_session``) and revoke every token."""
    end_all_sessions(user, keep=keep_session)
    for token in user_tokens(user):
        revoke_token(token)


#: How often a session's last activity is written: reads should not all turn into writes.
TOUCH_EVERY = timedelta(minutes=1)


def load_session_user(user_id: str, session_id: str | None) -> User | None:
    """The user named by a session cookie, if that browser session still exists, is younger
    than ``WCC_SESSION_HOURS``, was used within ``WCC_SESSION_IDLE_MINUTES``, and the user and
    their organisation are active. A session past its time is deleted."""
    from flask import current_app

    if not session_id or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .options(joinedload(User.org))
        .where(UserSession.id == session_id, User.id == int(user_id))
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = utcnow()
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now - user_session.created_at > lifetime or now - user_session.last_seen_at > idle \
            or not user.active or not user.org.active:
        db.session.delete(user_session)
        return None
    if now - user_session.last_seen_at > min(TOUCH_EVERY, idle / 2):
        user_session.last_seen_at = now
    return user


# --- tokens -------------------------------------------------------------------

TOKEN_PREFIX = "wcc_"


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_key(secret: str) -> str:
    """A short name for a token in rate-limit counters (never the secret itself)."""
    return _token_hash(secret)[:16]


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


@lru_cache(maxsize=1)
def _user_with_org():
    """A user and their organisation by the user's id: built once (API clients ask for it on every
    request), on first use (an option on a relationship needs every model mapped)."""
    return select(User).options(joinedload(User.org)).where(User.id == bindparam("user_id"))


def _detached_user(user_id: int) -> User | None:
    """A user and their organisation read in a session of their own and left loaded when it closes,
    to be kept beyond this request (the request's own commit would expire them)."""
    with Session(db.engine, expire_on_commit=False) as session:
        return session.scalar(_user_with_org(), {"user_id": user_id})


def load_token_user(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None.

    With Redis configured the token's owner comes from the shared cache when it can
    (``wcc.auth.token_cache``: ids only), and the user and their organisation from what this
    process read of them under the same generation, else by primary key: most API requests read
    nothing from the database to find their user.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token_hash = _token_hash(secret)
    remembered, cache_key = token_cache.lookup(token_hash)
    if remembered is not None:
        kept = token_cache.kept_user(cache_key)
        if kept is None or kept.id != remembered[0]:
            kept = _detached_user(remembered[0])
            if kept is None:
                return None
            token_cache.keep_user(cache_key, kept)
        user = db.session.merge(kept, load=False)
    else:
        # The token, its user and the user's organisation in one query.
        token = db.session.scalar(
            select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.org))
            .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
        )
        if token is None:
            return None
        user = token.user
        # The last use is written when the token is read from the database: at least once a
        # cache lifetime (a minute), so it is at most a few minutes behind.
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            token.last_used_at = now
        token_cache.remember(cache_key, token, user)
    if not user.active or not user.org.active:
        return None
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


def check_password_strength(password: str, *, email: str, name: str | None,
                            org: Organisation | None) -> None:
    """Raise ServiceError with the reason unless the password follows ``wcc.auth.passwords``."""
    from wcc.auth.passwords import PasswordRejected, check_password

    org_names = (org.code, org.name_fa, org.name_en, org.name_ru) if org is not None else ()
    try:
        check_password(password, email=email, name=name, org_names=org_names)
    except PasswordRejected as exc:
        raise ServiceError(str(exc)) from exc


def create_user(*, email: str, name: str, password: str, role: str, org: Organisation,
                preferred_language: str | None = None, password_hash: str | None = None) -> User:
    """Add a user. Raises ServiceError when the e-mail is taken or the role and org do not fit."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    check_role_fits_org(role, org)
    if find_user_by_email(email) is not None:
        raise conflict(_("A user with this e-mail address already exists."), field="email")
    if password_hash is None:
        check_password_strength(password, email=email, name=name, org=org)
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
        sign_out_everywhere(user)
    db.session.flush()
    old, new = diff(before, snapshot(user, USER_FIELDS))
    if new:
        record("user.update", user, before=old, after=new)
    return user


def set_password(user: User, password: str, *, reset_by_admin: bool, keep_session: str | None = None) -> None:
    """Set a new password, end every other session (all of them after an admin's reset,
    ``keep_session`` after one's own change) and revoke every API token of the user."""
    check_password_strength(password, email=user.email, name=user.name, org=user.org)
    user.password_hash = hash_password(password)
    sign_out_everywhere(user, keep_session=None if reset_by_admin else keep_session)
    record("user.reset_password" if reset_by_admin else "user.change_password", user)


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    ))
