"""The fonts the app ships cover every character its PDFs print in Persian, English and Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
FONTS = {
    "fa": ["vazirmatn/Vazirmatn-WCC[wght].woff2"],
    "en": ["roboto/roboto-latin-400-normal.woff2", "roboto/roboto-latin-700-normal.woff2"],
    "ru": ["roboto/roboto-latin-400-normal.woff2", "roboto/roboto-cyrillic-400-normal.woff2",
           "roboto/roboto-latin-700-normal.woff2", "roboto/roboto-cyrillic-700-normal.woff2",
           # print-document.css falls back to Vazirmatn (Persian examples quoted in Russian text).
           "vazirmatn/Vazirmatn-WCC[wght].woff2"],
}
# Printed by the templates themselves, or by the number and date helpers.
EXTRA = {"fa": "۰۱۲۳۴۵۶۷۸۹٬٫٪،«»–—…", "en": "0123456789,.%–—…“”", "ru": "0123456789,.%–—…«»№"}
# Layout characters a renderer handles without a glyph.
IGNORED = set("\u200c\u200d\u200e\u200f\n\t ")


def _covered(files: list[str]) -> set[int]:
    covered: set[int] = set()
    for name in files:
        covered |= set(TTFont(VENDOR / name).getBestCmap())
    return covered


@pytest.mark.parametrize("lang", ["fa", "ru"])
def test_every_translated_message_can_be_printed(lang):
    covered = _covered(FONTS[lang] + (FONTS["en"] if lang == "fa" else []))
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale=lang)
    text = "".join(m.string for m in catalogue if isinstance(m.string, str)) + EXTRA[lang]
    missing = sorted({c for c in text if ord(c) not in covered and c not in IGNORED})
    assert missing == []


def test_english_and_latin_text():
    covered = _covered(FONTS["en"])
    text = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + EXTRA["en"]
    assert [c for c in text if ord(c) not in covered] == []
