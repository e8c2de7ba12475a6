"""What a password must be (OWASP ASVS 5.0, V6.2).

At least ``MIN_LENGTH`` characters and up to ``MAX_LENGTH`` (any characters,
spaces included, no rules about character classes); not one of the 100,000
most common passwords (``data/common-passwords.txt.gz``, see its licence file),
also with digits and punctuation stripped from both ends; not built from the
user's e-mail address, name or organisation; not one character or a handful
repeated.
"""

from __future__ import annotations

import gzip
import re
import string
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 128
#: Parts of the e-mail, name and organisation shorter than this are too common to refuse.
MIN_CONTEXT_WORD = 4
MIN_DISTINCT_CHARACTERS = 5

COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt.gz"
_EDGES = string.digits + string.punctuation + " "


class PasswordRejected(ValueError):
    """The password breaks a rule; the message (translated) says which."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8", errors="ignore") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _context_words(*texts: str | None) -> set[str]:
    words: set[str] = set()
    for text in texts:
        if not text:
            continue
        text = text.lower()
        words.update(w for w in re.split(r"[\W_]+", text) if len(w) >= MIN_CONTEXT_WORD)
        compact = re.sub(r"[\W_]+", "", text)
        if len(compact) >= MIN_CONTEXT_WORD:
            words.add(compact)
    return words


def check_password(password: str, *, email: str | None = None, name: str | None = None,
                   org_names: tuple[str | None, ...] = ()) -> None:
    """Raise PasswordRejected with the reason unless ``password`` may be used by this person."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(_("The password must have at least %(n)s characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_("The password may have at most %(n)s characters.", n=MAX_LENGTH))
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise PasswordRejected(_("The password repeats too few characters; choose a less predictable one."))
    lowered = password.lower()
    core = lowered.strip(_EDGES)
    common = common_passwords()
    if lowered in common or (len(core) >= MIN_DISTINCT_CHARACTERS and core in common):
        raise PasswordRejected(_("This password is one of the most common passwords; choose another."))
    local_part = (email or "").split("@")[0]
    compact = re.sub(r"[\W_]+", "", lowered)
    for word in _context_words(local_part, email, name, *org_names):
        if word in lowered or word in compact:
            raise PasswordRejected(_(
                "The password must not contain your e-mail address, your name or your organisation."))
