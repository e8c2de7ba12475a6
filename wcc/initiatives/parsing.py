"""Reading values the way officers type them: yes/no, lists (dates: ``wcc.i18n.dates``).

Each parser returns the value or raises ``ValueError`` with a translated message.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from wcc.i18n.text import fold

_YES = {"1", "true", "yes", "y", "بله", "آری", "اری", "بلی", "да", "published", "منتشرشده", "опубликовано"}
_NO = {"0", "false", "no", "n", "خیر", "نه", "нет", "draft", "پیشنویس", "черновик", ""}
LIST_SEPARATORS = re.compile(r"[;؛،\n]+")


def parse_bool(text: str | bool | int | None) -> bool:
    """Yes/no in Persian, English or Russian, or 1/0, true/false."""
    if isinstance(text, bool):
        return text
    if text is None:
        return False
    key = fold(str(text))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError(_("Write yes or no."))


def parse_list(text: str | None) -> list[str]:
    """Items separated by semicolons, Persian commas or line breaks; blanks dropped."""
    if not text:
        return []
    return [item.strip() for item in LIST_SEPARATORS.split(str(text)) if item.strip()]
