"""Search over folded text: every word must match, in any order, best matches first.

Each searchable row keeps a folded ``search_text`` (see ``wcc.i18n.text.fold``):
its fields folded one by one and joined with "|", the most important field
(title, name) first. A query is split into words and each word folded the same
way, so «نمدمالي مسكو», «مسکو نمدمالی» and "Felt MOSCOW" find a row holding both
words anywhere. Ranking counts the words found in the first field.

The same ``LIKE '%word%'`` tests decide on both databases, so both find and
order the same rows; an index narrows the rows they run on. On PostgreSQL it
is a trigram GIN index on ``search_text``. On SQLite it is an FTS5 table
``<table>_search`` with the ``trigram`` tokenizer (case-sensitive, like
PostgreSQL's LIKE), holding the same folded text: its word-splitting
tokenizers would not do, since folding removes the spaces and ZWNJ between
words («نمایشگاه‌ها» and «نمایشگاه ها» both become «نمایشگاهها») and a query
word may be any part of that text, which only a substring (trigram) index
answers. A word of three characters or more is looked up in it as a phrase
(``MATCH '"word"'`` is a substring test there); shorter words, which no
trigram index can serve, are only tested with LIKE. Triggers on the table
(migration ``b5d1f3a9c2e7``) keep the index in step with every write of
``search_text`` in the same statement, whichever code writes it.
"""

from __future__ import annotations

import re

from sqlalchemy import Boolean, Integer, and_, case, literal, literal_column, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from wcc.i18n.text import fold

FIELD_SEPARATOR = "|"
MAX_WORDS = 10
# Tables whose folded ``search_text`` has an FTS5 trigram index on SQLite (named ``<table>_search``).
SEARCHABLE_TABLES = ("initiatives", "organisations", "users")
TRIGRAM = 3
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


def search_index_table(name: str) -> str:
    return f"{name}_search"


def is_search_index_table(name: str) -> bool:
    """An FTS5 search index or one of its shadow tables (made by a migration, not by the models)."""
    return any(name == search_index_table(t) or name.startswith(search_index_table(t) + "_")
               for t in SEARCHABLE_TABLES)


def _like_all(column, words: list[str]):
    return and_(*(column.like(_pattern(word), escape="\\") for word in words))


class _matches_all(ColumnElement):  # noqa: N801 - reads like the SQL it stands for
    type = Boolean()
    inherit_cache = False

    def __init__(self, column, words: list[str]):
        self.column = column
        self.words = list(words)


@compiles(_matches_all)
def _matches_all_default(element, compiler, **kw):
    return compiler.process(_like_all(element.column, element.words), **kw)


@compiles(_matches_all, "sqlite")
def _matches_all_sqlite(element, compiler, **kw):
    indexed = [w for w in element.words if len(w) >= TRIGRAM]
    condition = _like_all(element.column, element.words)
    if indexed:
        index = table(search_index_table(element.column.table.name))
        phrases = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        rowids = select(literal_column("rowid")).select_from(index).where(
            text(f"{index.name} MATCH :search_phrases").bindparams(search_phrases=phrases))
        condition = and_(element.column.table.c.id.in_(rowids), condition)
    return compiler.process(condition, **kw)


def matches_all(column, words: list[str]):
    """Every word is somewhere in ``column`` (a ``search_text`` column of a ``SEARCHABLE_TABLES`` table)."""
    if hasattr(column, "__clause_element__"):
        column = column.__clause_element__()
    return _matches_all(column, words)


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
