from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wcc.db import TimestampMixin, UTCDateTime, utcnow
from wcc.extensions import db
from wcc.i18n.search import search_key
from wcc.orgs.models import Organisation, OrgKind


class Role(enum.StrEnum):
    ADMIN = "admin"
    MINISTRY = "ministry"
    PROVINCE = "province"
    MUNICIPALITY = "municipality"


#: The kind of organisation a user of each role belongs to.
ROLE_ORG_KIND = {
    Role.ADMIN: OrgKind.NETWORK,
    Role.MINISTRY: OrgKind.NETWORK,
    Role.PROVINCE: OrgKind.PROVINCE,
    Role.MUNICIPALITY: OrgKind.MUNICIPALITY,
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the user typed, and the folded form that uniqueness and sign-in use.
    email: Mapped[str] = mapped_column(String(254))
    email_normalised: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    preferred_language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Name and e-mail folded for search (wcc.i18n.search), kept current on every save.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Second factor (TOTP, RFC 6238): a secret being set up has no ``totp_enabled_at`` yet.
    # Stored encrypted (wcc.auth.encryption); ``totp_secret`` reads and writes the plain secret.
    totp_secret_encrypted: Mapped[str | None] = mapped_column("totp_secret", String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step of the last accepted code: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    org: Mapped[Organisation] = relationship(back_populates="users")

    @property
    def totp_secret(self) -> str | None:
        """The plain TOTP secret; raises ``SecretUnreadable`` when no configured key opens it."""
        from wcc.auth.encryption import decrypt

        return None if self.totp_secret_encrypted is None else decrypt(self.totp_secret_encrypted)

    @totp_secret.setter
    def totp_secret(self, value: str | None) -> None:
        from wcc.auth.encryption import encrypt

        self.totp_secret_encrypted = None if value is None else encrypt(value)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret_encrypted is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email_normalised} {self.role}>"


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_search_text(mapper, connection, user: User) -> None:
    user.search_text = search_key(user.name, user.email)


class UserSession(db.Model):
    """A signed-in browser. The cookie names one of these; deleting it signs out.

    Flask keeps sessions in a signed cookie, so without this row a copied cookie
    would stay valid after sign-out.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    """A personal bearer token. Only a SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class RecoveryCode(db.Model):
    """One of the single-use codes that stand in for the second factor; only a hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInThrottle(db.Model):
    """Failed sign-ins per key (an account at an address, an address, an account, a second
    factor), known accounts or not, for the growing delay. Keys are hashes."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
