"""Search over folded text: every word must match, in any order, best matches first.

Each searchable row keeps a folded ``search_text`` (see ``wcc.i18n.text.fold``):
its fields folded one by one and joined with "|", the most important field
(title, name) first. A query is split into words and each word folded the same
way, so «نمدمالي مسكو», «مسکو نمدمالی» and "Felt MOSCOW" find a row holding both
words anywhere. On PostgreSQL a trigram index serves these ``LIKE '%word%'``
tests; ranking counts the words found in the first field.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, and_, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from wcc.i18n.text import fold

FIELD_SEPARATOR = "|"
MAX_WORDS = 10
_WORD_BREAKS = re.compile(r"[\s,،;؛]+")


def search_words(q: str | None) -> list[str]:
    """The folded words of a query, each once, at most ``MAX_WORDS``."""
    words: list[str] = []
    for part in _WORD_BREAKS.split(q or ""):
        word = fold(part).replace(FIELD_SEPARATOR, "")
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def search_key(*fields: str | None) -> str:
    """What ``search_text`` holds for these fields, the first ranked highest."""
    return FIELD_SEPARATOR.join(fold(f).replace(FIELD_SEPARATOR, "") for f in fields if f)


def _pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_all(column, words: list[str]):
    """Every word is somewhere in ``column``."""
    return and_(*(column.like(_pattern(word), escape="\\") for word in words))


class _position(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """Where ``needle`` first occurs in ``haystack`` (1-based; 0 when it does not)."""

    type = Integer()
    inherit_cache = True


@compiles(_position)
def _position_sqlite(element, compiler, **kw):
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_position, "postgresql")
def _position_postgresql(element, compiler, **kw):
    return f"strpos({compiler.process(element.clauses, **kw)})"


def rank(column, words: list[str]):
    """How many of the words occur in the first field of ``column``: sort by it descending."""
    first_field_end = _position(column + literal(FIELD_SEPARATOR), literal(FIELD_SEPARATOR))
    score = literal(0)
    for word in words:
        found = _position(column, literal(word))
        score = score + case((and_(found > 0, found < first_field_end), 1), else_=0)
    return score
