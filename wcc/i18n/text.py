"""Persian-aware text handling: digits, look-alike letters, ZWNJ, bidi controls.

Users type Arabic ي/ك as often as Persian ی/ک, Persian and Arabic-Indic digits
with their own separators, and ZWNJ inside words. What they typed is stored as
typed; these helpers fold it for comparison and parse numbers out of it.
"""

from __future__ import annotations

import re
import unicodedata

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ZWNJ = "\u200c"

_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789", PERSIAN_DIGITS)
_FOLD_LETTERS = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "آ": "ا",
    "ٱ": "ا", "ؤ": "و",
})
# Bidi embedding/override/isolate controls can reorder a page around user text.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670]")
_SPACES = re.compile(r"[\s\u200c\u200d\u200e\u200f\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_ascii_digits(text: str) -> str:
    return text.translate(_TO_ASCII_DIGITS)


def to_persian_digits(text: str) -> str:
    return text.translate(_TO_PERSIAN_DIGITS)


def fold(text: str | None) -> str:
    """A search key: letters unified, diacritics, ZWNJ and spacing variants dropped.

    «كيفيت» and «کیفیت» fold alike, as do «نمایشگاه‌ها», «نمایشگاه ها» and
    «نمایشگاهها»; digits become ASCII; Latin letters lower case.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_DIACRITICS.sub("", text).replace("ـ", "")  # tatweel
    text = text.translate(_FOLD_LETTERS)
    text = to_ascii_digits(text).casefold()
    return _SPACES.sub("", text)


def clean_line(text: str | None) -> str:
    """Strip, drop NUL and other control characters from a one-line input."""
    if text is None:
        return ""
    return _CONTROL.sub("", text.replace("\r", " ").replace("\n", " ")).strip()


def clean_text(text: str | None) -> str:
    """Like ``clean_line`` but keeps line breaks, normalised to ``\\n``."""
    if text is None:
        return ""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text.replace("\r", "").replace("\n", "").replace("\t", "")))
