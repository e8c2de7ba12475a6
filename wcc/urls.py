"""URL converters shared by every blueprint, and the links the app hands out.

The request's Host header is chosen by the client, so it never becomes part of a
link: with ``WCC_SERVER_NAME`` set links are absolute on that name, otherwise
they are paths on this site.
"""

from __future__ import annotations

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

#: The largest id a row can have: primary keys are INTEGER columns, 32-bit signed on PostgreSQL.
MAX_ID = 2**31 - 1


def at_most(bound: int) -> str:
    """A regular expression for the ASCII-digit numbers from 0 to ``bound``, leading zeros excluded."""
    digits = str(bound)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}|0" if len(digits) > 1 else ""
    same_length = []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    same_length.append(digits)
    return "(?:" + "|".join(filter(None, [shorter, *same_length])) + ")"


class IdConverter(IntegerConverter):
    """``<int:…>`` that only matches ids a row could have: 0 to 2^31 − 1 in ASCII digits.

    Anything else (Arabic-Indic digits, 25 digits) does not match the URL at all,
    so every method answers 404, instead of the database failing on the number.
    """

    regex = at_most(MAX_ID)

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_converters(app) -> None:
    """Before any blueprint: rules pick their converter class when they are added."""
    app.url_map.converters["int"] = IdConverter


def site_url(endpoint: str, **values) -> str:
    """An absolute URL on the configured server name, or a path when none is configured."""
    if current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    return url_for(endpoint, **values)
