"""Credentials at rest: API tokens only as hashes, passwords as Argon2id at OWASP's cost or more.

Both read what the database really holds (raw SQL), after the secret went through the pages
or the command line a person uses."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import text

from tests.conftest import TEST_PASSWORD
from wcc.extensions import db

#: OWASP Password Storage Cheat Sheet, Argon2id (the minimum ASVS 11.4.2 points to): 19 MiB, 2 passes, 1 lane.
OWASP_MIN_MEMORY_KIB = 19 * 1024
OWASP_MIN_PASSES = 2
OWASP_MIN_LANES = 1
MIN_SALT_BYTES = 16
ARGON2_HASH = re.compile(r"\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)")


def every_stored_value() -> list[str]:
    """Every value of every row of every table, as text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
            values.extend(str(value) for value in row if value is not None)
    return values


def test_a_token_made_on_the_profile_page_is_stored_only_as_its_hash(client, app, network, login_as):
    login_as(network.users["isfahan_city"])
    page = client.post("/profile/tokens", data={"name": "reporting script"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    # It is the real token: a program can use it.
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    row = db.session.execute(text("SELECT token_hash, prefix FROM api_tokens")).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.prefix) and len(secret) - len(row.prefix) >= 32  # the prefix names it, no more
    hidden = secret[len(row.prefix):]
    # Not in the tokens table, the audit trail, or anywhere else, whole or in part.
    assert not [value for value in every_stored_value() if secret in value or hidden[:16] in value]


def password_hash_of(email: str) -> str:
    return db.session.execute(text("SELECT password_hash FROM users WHERE email = :email"),
                              {"email": email}).scalar_one()


def set_on_the_profile_page(client, runner, network, login_as) -> tuple[str, str]:
    user = login_as(network.users["kashan_city"])
    password = "a new and long passphrase 7"
    answer = client.post("/profile/password", data={"current_password": TEST_PASSWORD, "new_password": password,
                                                    "confirm": password})
    assert answer.status_code == 302
    return user.email, password


def set_by_create_user(client, runner, network, login_as) -> tuple[str, str]:
    password = "another long passphrase 8"
    result = runner.invoke(args=["create-user", "new.officer@test.example.org", "--password", password,
                                 "--role", "municipality", "--org", "IR-10-KASHAN"])
    assert result.exit_code == 0, result.output
    return "new.officer@test.example.org", password


@pytest.mark.parametrize("set_password", [set_on_the_profile_page, set_by_create_user],
                         ids=["profile page", "create-user"])
def test_passwords_are_stored_as_argon2id_at_owasp_cost_or_more(client, runner, network, login_as, set_password):
    email, password = set_password(client, runner, network, login_as)
    stored = password_hash_of(email)
    match = ARGON2_HASH.fullmatch(stored)
    assert match, f"not an Argon2id hash: {stored[:20]}…"
    version, memory, passes, lanes = (int(match.group(i)) for i in range(1, 5))
    assert version == 19  # Argon2 1.3
    assert memory >= OWASP_MIN_MEMORY_KIB and passes >= OWASP_MIN_PASSES and lanes >= OWASP_MIN_LANES
    salt = base64.b64decode(match.group(5) + "=" * (-len(match.group(5)) % 4))
    assert len(salt) >= MIN_SALT_BYTES
    assert password not in stored
    # The stored hash is what an independent Argon2 verifier accepts for this password, and only for it.
    assert PasswordHasher().verify(stored, password)
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, password + "x")

