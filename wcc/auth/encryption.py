"""Secrets the app must read back (a user's TOTP secret), encrypted at rest.

The key is derived from ``WCC_SECRET_KEY`` with HKDF-SHA256 under a purpose of its own, so a
copy of the database alone (a backup, a dump) does not give anyone a user's second factor.
Values are Fernet tokens (AES-128-CBC with HMAC-SHA256, from ``cryptography``). Keys in
``SECRET_KEY_FALLBACKS`` still decrypt, so the secret key can be rotated: encrypt with the new
one, keep the old one there until every value has been written again.

A value that no key opens raises ``SecretUnreadable``; callers treat it as a code that does
not match (never as "no second factor"), and an admin can reset the user's second factor.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PURPOSE = b"wcc-network/totp-secret/v1"


class SecretUnreadable(Exception):
    """No configured key decrypts the stored value (the secret key was changed)."""


def _fernet_key(secret_key: str | bytes) -> bytes:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(material)
    return base64.urlsafe_b64encode(derived)


def _box() -> MultiFernet:
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def encrypt(value: str) -> str:
    return _box().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretUnreadable from exc


def is_encrypted(value: str) -> bool:
    """Whether ``value`` looks like a Fernet token (a base32 TOTP secret never does)."""
    return value.startswith("gAAAAA")
