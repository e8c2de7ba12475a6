"""Keeping the rollup tables in step with the reports, and the data version dashboards cache under.

``refresh_report`` recomputes, inside the caller's transaction, the few rollup
rows one report touches: its member's series for the goal (at most one row
per period of the goal), its province's and the network's row for the
period, and its member's compliance for the period. It runs on every
``report_changed`` that can change a figure: submit, review, return, approve,
reopen and a correction of a value. ``rebuild`` recomputes every rollup from
the reports, in a few INSERT ... SELECT statements (``flask rebuild-dashboards``).

The provinces' targets as a whole (``AreaTarget``) are recomputed, in the
flush that changes them, for the goals whose targets changed, or for every
goal when an organisation comes, goes, or changes kind, province or whether
it is active (``_after_flush``); the provinces' report rollups (and the
network's) when a member moves to another province or changes kind. Targets
written with Core statements (the demo and the bench load them in bulk) are
followed by ``rebuild``.

The data version is bumped in the same transaction whenever targets, goals,
organisations or initiatives change (and by ``rebuild``); a report change moves,
in its transaction, only the versions of its goal and year (``report_cells``,
``bump_scopes``). Both are part of every cache key (``wcc.dashboards.cache``),
so cached dashboard data is never served for numbers that have moved. With
Redis configured, the versions are also published in the shared cache, so a
request that finds its answer cached asks the database nothing but who its
token belongs to; the database's rows stay the authority (see ``data_version``).
"""

from __future__ import annotations

import secrets

from flask import current_app, g, has_request_context
from sqlalchemy import and_, case, delete, event, func, insert, inspect, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from wcc.dashboards.models import AreaPeriod, AreaTarget, DataVersion, MemberPeriod, MemberSeries, ScopeVersion
from wcc.extensions import db
from wcc.goals.models import Goal, Target
from wcc.goals.queries import AREA_TARGET_COLUMNS, area_column, area_target_select
from wcc.orgs.models import Organisation, OrgKind
from wcc.periods import seq_column
from wcc.reporting.models import ProgressReport, Status

#: Report actions after which the rollups are recomputed (evidence and comments change no figure).
AFFECTING = {"report.submit", "report.review", "report.return", "report.approve", "report.reopen",
             "report.update"}

APPROVED = ProgressReport.status == Status.APPROVED
#: Sent at least once and not yet approved: it counts as reported, not as a value.
PENDING = and_(ProgressReport.status.in_((Status.SUBMITTED, Status.REVIEWED, Status.RETURNED)),
               ProgressReport.submitted_at.is_not(None))
REPORTED = or_(APPROVED, PENDING)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- the data version -------------------------------------------------------------------

#: The version's copy in the shared cache. It lives briefly: should a worker die between its
#: commit and withdrawing the old copy, cached answers are stale for at most this long.
VERSION_KEY = "dash:data-version"
VERSION_SECONDS = 30


def _shared_cache():
    """The cache when every worker shares it (Redis); None for a per-process cache."""
    from wcc.extensions import cache

    return cache if current_app.config.get("REDIS_URL") else None


def data_version() -> int:
    """The current data version; read once per request (every cache key of the request uses it).

    From the shared cache when there is one, else from the database. A copy is
    only ever *added* by readers (never overwritten) and is withdrawn after
    every commit that bumped the version, so a reader that read the database
    just before such a commit cannot put the old number back over the new one.
    """
    if has_request_context() and "dashboard_data_version" in g:
        return g.dashboard_data_version
    shared = _shared_cache()
    if shared is None and has_request_context() and "dashboard_scope_table" not in g:
        # Read along with the scope versions every answer reads next: one query for both.
        scope_versions([ANY_CELL])
        if "dashboard_data_version" in g:
            return g.dashboard_data_version
    version = None
    if shared is not None:
        # Along in the same read: the cell every answer without a scope of its own reads, kept only when
        # present (``scope_versions`` would read a missing one from the database, which an answer that
        # does not read that cell must not pay for).
        values = shared.get_many(VERSION_KEY, _scope_key(ANY_CELL))
        if len(values) == 2:
            version = values[0]
            if values[1] is not None and has_request_context():
                g.setdefault("dashboard_scopes", {}).setdefault(ANY_CELL, values[1])
    if version is None:
        version = db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0
        if shared is not None:
            shared.add(VERSION_KEY, version, timeout=VERSION_SECONDS)
    if has_request_context():
        g.dashboard_data_version = version
    return version


def bump_version(connection=None, session: Session | None = None) -> None:
    """Give the data version a new value (in the current transaction); creates the row the first time.

    The value is random rather than counted up, so a number is never used twice,
    not even after the database is restored from a backup or emptied (as between
    tests): no cached answer can pass for one computed from other data.

    The shared cache's copy is withdrawn once the transaction commits (see
    ``_after_commit``); ``session`` is the one whose commit that waits for, by default
    the app's.
    """
    if has_request_context():
        g.pop("dashboard_data_version", None)
    run = connection.execute if connection is not None else db.session.execute
    new = secrets.randbelow(2**31 - 2) + 1
    result = run(update(DataVersion).where(DataVersion.id == 1).values(version=new))
    if result.rowcount == 0:
        run(insert(DataVersion).values(id=1, version=new))
    (session or db.session).info["dashboard_version_bumped"] = True


def forget_shared_version() -> None:
    shared = _shared_cache()
    if shared is not None:
        shared.delete(VERSION_KEY)


# --- versions per goal and year ---------------------------------------------------------

#: ``goal_id`` or ``year`` of a scope cell that stands for any goal or any year.
ANY = 0
#: The cell of any goal's any year, which every report change moves.
ANY_CELL = (ANY, ANY)
#: ``goal_id`` of the cells moved by reports of level goals (rates, stocks), per year: a level is
#: judged from a base that may lie before the range, so pages over every goal read these cells of
#: every year before their range. The cell (LEVELS, ANY) reads all of them at once.
LEVELS = -1


def report_cells(goal_id: int, year: int, level: bool = False) -> set[tuple[int, int]]:
    """The scope cells a change to a report of ``goal_id`` in ``year`` moves: the goal's year (goal
    answers), any goal's year (pages over every goal: overview, provinces, members), any goal's
    any year (answers that declare no scope) and, for a level goal, the levels' year."""
    cells = {(goal_id, year), (ANY, year), (ANY, ANY)}
    if level:
        cells.add((LEVELS, year))
    return cells


def _scope_key(cell: tuple[int, int]) -> str:
    if cell[0] == LEVELS:
        return "dash:scope:levels"  # one copy holds every year's
    return f"dash:scope:{cell[0]}:{cell[1]}"


def scope_versions(cells) -> dict[tuple[int, int], object]:
    """The current version of each scope cell (0 for a cell never moved), read once per request;
    (LEVELS, ANY) gets every levels' cell as a tuple of (year, version).

    With a shared cache, like ``data_version``: one read for all the cells, the missing ones from
    the database in one query; readers only add copies, and every commit that moved a cell
    withdraws its copy. Without one, the whole table (a row per goal and year with reports, a few
    hundred) is read once per request, in the same query as the data version.
    """
    cells = set(cells)
    shared = _shared_cache()
    if shared is None:
        table = g.get("dashboard_scope_table") if has_request_context() else None
        if table is None:
            table = _read_scope_table(global_too=has_request_context() and "dashboard_data_version" not in g)
            if has_request_context():
                g.dashboard_scope_table = table
        return {c: table["levels"] if c[0] == LEVELS else table["cells"].get(c, 0) for c in cells}
    known = g.setdefault("dashboard_scopes", {}) if has_request_context() else {}
    wanted = [c for c in cells if c not in known]
    if wanted:
        keys = [_scope_key(c) for c in wanted]
        # The data version's copy comes along in the same read when the request has none yet.
        with_version = has_request_context() and "dashboard_data_version" not in g
        if with_version:
            keys.append(VERSION_KEY)
        values = shared.get_many(*keys)
        if len(values) != len(keys):  # Redis not answering: the database alone
            values = [None] * len(keys)
        if with_version:
            version = values.pop()
            if version is not None:
                g.dashboard_data_version = version
        found = {c: value for c, value in zip(wanted, values, strict=True) if value is not None}
        missing = [c for c in wanted if c not in found]
        if missing:
            table = _read_scope_table()
            for cell in missing:
                found[cell] = table["levels"] if cell[0] == LEVELS else table["cells"].get(cell, 0)
                shared.add(_scope_key(cell), found[cell], timeout=VERSION_SECONDS)
        known.update(found)
    return {c: known[c] for c in cells}


def _read_scope_table(global_too: bool = False) -> dict:
    """Every scope cell's version: {"cells": {(goal id, year): version}, "levels": ((year, version), ...)};
    with ``global_too``, the data version in the same query (kept for the request)."""
    v = ScopeVersion
    stmt = select(v.goal_id, v.year, v.version)
    if global_too:
        stmt = stmt.union_all(select(literal(-9), literal(-9), DataVersion.version).where(DataVersion.id == 1))
    rows = db.session.execute(stmt).all()
    cells = {(r[0], r[1]): r[2] for r in rows if r[0] != LEVELS}
    if global_too:
        g.dashboard_data_version = cells.pop((-9, -9), 0)
    return {"cells": cells, "levels": tuple(sorted((r[1], r[2]) for r in rows if r[0] == LEVELS))}


def bump_scopes(cells, session: Session | None = None) -> None:
    """Give each scope cell a new random value (in the current transaction); rows are made on first use.
    Their shared copies are withdrawn once the transaction commits (``_after_commit``)."""
    session = session or db.session
    if has_request_context():
        g.pop("dashboard_scope_table", None)
        known = g.get("dashboard_scopes") or {}
        for cell in cells:
            known.pop((LEVELS, ANY) if cell[0] == LEVELS else cell, None)
    for goal_id, year in sorted(cells):
        new = secrets.randbelow(2**31 - 2) + 1
        result = session.execute(update(ScopeVersion).where(ScopeVersion.goal_id == goal_id,
                                                            ScopeVersion.year == year).values(version=new))
        if result.rowcount == 0:
            session.execute(_upsert(session, goal_id, year, new))
    session.info.setdefault("dashboard_scopes_bumped", set()).update(cells)


def _upsert(session: Session, goal_id: int, year: int, version: int):
    """INSERT of a new cell that another transaction may have made meanwhile (then its value is replaced)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(ScopeVersion).values(goal_id=goal_id, year=year, version=version)
    return stmt.on_conflict_do_update(index_elements=["goal_id", "year"], set_={"version": version})


def forget_shared_scopes(cells) -> None:
    shared = _shared_cache()
    if shared is not None and cells:
        shared.delete_many(*[_scope_key(c) for c in cells])


# --- the three grains, as SELECTs over the reports ----------------------------------------

def _member_series_select(where=None):
    seq = seq_column(ProgressReport)
    window = {"partition_by": (ProgressReport.goal_id, ProgressReport.org_id), "order_by": seq}
    stmt = select(ProgressReport.goal_id, ProgressReport.org_id, seq.label("seq"), ProgressReport.period_key,
                  ProgressReport.value, func.sum(ProgressReport.value).over(**window),
                  func.count(ProgressReport.value).over(**window)) \
        .where(APPROVED, ProgressReport.value.is_not(None))
    return stmt.where(where) if where is not None else stmt


MEMBER_SERIES_COLUMNS = ["goal_id", "org_id", "seq", "period_key", "value", "cum_value", "cum_count"]


def _area_select(where=None):
    """Per goal, province as a whole, kind of member and period, from the reports."""
    area = area_column()
    seq = seq_column(ProgressReport)
    approved_value = and_(APPROVED, ProgressReport.value.is_not(None))
    stmt = (select(ProgressReport.goal_id, area.label("area_id"), Organisation.kind, seq.label("seq"),
                   ProgressReport.period_key,
                   func.coalesce(func.sum(case((approved_value, ProgressReport.value))), 0),
                   _count(approved_value),
                   _count(and_(APPROVED, ProgressReport.is_late.is_(False))),
                   _count(and_(APPROVED, ProgressReport.is_late.is_(True))),
                   _count(PENDING))
            .join(Organisation, ProgressReport.org_id == Organisation.id)
            .where(REPORTED, Organisation.kind.in_((OrgKind.PROVINCE, OrgKind.MUNICIPALITY)))
            .group_by(ProgressReport.goal_id, area, Organisation.kind, seq, ProgressReport.period_key))
    return stmt.where(where) if where is not None else stmt


AREA_COLUMNS = ["goal_id", "area_id", "kind", "seq", "period_key", "value_sum", "value_count", "on_time",
                "late", "pending"]


def _network_select(network_id: int, where=None):
    """The network's rows: the provinces' rows added up."""
    a = AreaPeriod
    stmt = (select(a.goal_id, literal(network_id).label("area_id"), a.kind, a.seq, a.period_key,
                   func.sum(a.value_sum), func.sum(a.value_count), func.sum(a.on_time), func.sum(a.late),
                   func.sum(a.pending))
            .where(a.area_id != network_id)
            .group_by(a.goal_id, a.kind, a.seq, a.period_key))
    return stmt.where(where) if where is not None else stmt


def _member_period_select(where=None):
    stmt = (select(ProgressReport.org_id, ProgressReport.period_key,
                   _count(and_(APPROVED, ProgressReport.is_late.is_(False))),
                   _count(and_(APPROVED, ProgressReport.is_late.is_(True))), _count(PENDING))
            .where(REPORTED).group_by(ProgressReport.org_id, ProgressReport.period_key))
    return stmt.where(where) if where is not None else stmt


MEMBER_PERIOD_COLUMNS = ["org_id", "period_key", "on_time", "late", "pending"]


def network_id(run=None) -> int | None:
    """The network organisation's id, read with ``run`` (a connection's ``execute`` inside a flush),
    by default the app's session."""
    return (run or db.session.execute)(select(Organisation.id).where(Organisation.kind == OrgKind.NETWORK)
                                       .order_by(Organisation.id).limit(1)).scalar()


# --- rebuilding and refreshing ----------------------------------------------------------

def rebuild() -> dict[str, int]:
    """Recompute every rollup from the reports (flushes; the caller commits). Returns row counts."""
    session = db.session
    for model in (MemberSeries, AreaPeriod, MemberPeriod):
        session.execute(delete(model))
    session.execute(insert(MemberSeries).from_select(MEMBER_SERIES_COLUMNS, _member_series_select()))
    session.execute(insert(AreaPeriod).from_select(AREA_COLUMNS, _area_select()))
    net = network_id()
    if net is not None:
        session.execute(insert(AreaPeriod).from_select(AREA_COLUMNS, _network_select(net)))
    session.execute(insert(MemberPeriod).from_select(MEMBER_PERIOD_COLUMNS, _member_period_select()))
    refresh_area_targets(session.execute)
    bump_version()
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (MemberSeries, AreaPeriod, MemberPeriod, AreaTarget)}


def refresh_area_targets(run, goal_ids=None) -> None:
    """Recompute the provinces' targets as a whole (of ``goal_ids``, else of every goal) with ``run``
    (a session's or a connection's ``execute``), from the targets as they are in the transaction.

    The goals' rows are locked first (PostgreSQL), so two transactions that change targets of the
    same goal recompute its rows one after the other, the second from what the first committed."""
    goals = select(Goal.id).order_by(Goal.id).with_for_update()
    run(goals.where(Goal.id.in_(goal_ids)) if goal_ids is not None else goals).all()
    stale = delete(AreaTarget)
    if goal_ids is not None:
        stale = stale.where(AreaTarget.goal_id.in_(goal_ids))
    run(stale)
    run(insert(AreaTarget).from_select(AREA_TARGET_COLUMNS, area_target_select(goal_ids)))


def refresh_report(report: ProgressReport) -> None:
    """Recompute the rollup rows ``report`` contributes to, and move the versions of its goal and year."""
    session = db.session
    goal_id, org_id, key = report.goal_id, report.org_id, report.period_key
    org = session.get(Organisation, org_id)
    # The member's series for this goal: every later running sum may have moved.
    session.execute(delete(MemberSeries).where(MemberSeries.goal_id == goal_id, MemberSeries.org_id == org_id))
    session.execute(insert(MemberSeries).from_select(MEMBER_SERIES_COLUMNS, _member_series_select(
        and_(ProgressReport.goal_id == goal_id, ProgressReport.org_id == org_id))))
    # Its province's row for this period (every member of the province, this kind of member).
    area_id = org.id if org.kind == OrgKind.PROVINCE else org.parent_id
    a = AreaPeriod
    seq = report.period_year * 4 + (report.period_quarter or 4) - 1
    session.execute(delete(a).where(a.goal_id == goal_id, a.area_id == area_id, a.kind == org.kind, a.seq == seq))
    member = aliased(Organisation)
    in_area = ProgressReport.org_id.in_(select(member.id).where(
        or_(member.id == area_id, member.parent_id == area_id), member.kind == org.kind))
    session.execute(insert(a).from_select(AREA_COLUMNS, _area_select(
        and_(ProgressReport.goal_id == goal_id, ProgressReport.period_key == key, in_area))))
    net = network_id()
    if net is not None:
        session.execute(delete(a).where(a.goal_id == goal_id, a.area_id == net, a.kind == org.kind, a.seq == seq))
        session.execute(insert(a).from_select(AREA_COLUMNS, _network_select(
            net, and_(a.goal_id == goal_id, a.kind == org.kind, a.seq == seq))))
    # The member's compliance for this period.
    session.execute(delete(MemberPeriod).where(MemberPeriod.org_id == org_id, MemberPeriod.period_key == key))
    session.execute(insert(MemberPeriod).from_select(MEMBER_PERIOD_COLUMNS, _member_period_select(
        and_(ProgressReport.org_id == org_id, ProgressReport.period_key == key))))
    # Only the answers that read this goal's or every goal's figures of this year are moved; those
    # read lately are computed again once this commits, for the next reader.
    bump_scopes(report_cells(goal_id, report.period_year, level=not report.goal.is_additive))
    from wcc.dashboards.warm import request_warm

    request_warm()


# --- hooks ------------------------------------------------------------------------------

def _on_report_changed(report, action: str, **_kwargs) -> None:
    if action in AFFECTING:
        refresh_report(report)


#: Objects whose change moves dashboard figures without a report changing (targets, goals, members).
_VERSIONED_TABLES = {"targets", "goals", "organisations", "initiatives", "initiative_crafts"}


#: An organisation's place: which province it counts towards as a whole, as what kind of member.
_ORG_PLACE = ("kind", "parent_id")
#: What decides which organisations' targets count towards a province as a whole, and where.
_ORG_MEMBERSHIP = ("active", *_ORG_PLACE)
_GOAL_MEMBERSHIP = ("reported_by_province", "reported_by_municipality")


def _moved(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _area_targets_moved(session: Session) -> set[int] | None:
    """The goals whose targets as a whole the flush may have moved (an empty set for none), or None
    for every goal (an organisation came, went or moved)."""
    goal_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Organisation) and (obj in session.new or obj in session.deleted
                                              or _moved(obj, _ORG_MEMBERSHIP)):
            return None
        if isinstance(obj, Target):
            goal_ids.add(obj.goal_id)
        elif isinstance(obj, Goal) and (obj in session.deleted or _moved(obj, _GOAL_MEMBERSHIP)):
            goal_ids.add(obj.id)
    return goal_ids


def _areas_moved(session: Session) -> set[int]:
    """The provinces whose members changed in the flush: an organisation's province before and after
    it moved, and the organisation itself when its kind changed (a province is its own area)."""
    areas: set[int] = set()
    for obj in session.dirty:
        if isinstance(obj, Organisation) and _moved(obj, _ORG_PLACE):
            history = inspect(obj).attrs.parent_id.history
            areas.update(a for a in (obj.id, obj.parent_id, *history.deleted) if a is not None)
    return areas


def refresh_areas(run, area_ids: set[int]) -> None:
    """Recompute the report rollups of the provinces ``area_ids`` as a whole, and the network's."""
    run(delete(AreaPeriod).where(AreaPeriod.area_id.in_(area_ids)))
    run(insert(AreaPeriod).from_select(AREA_COLUMNS, _area_select(area_column().in_(area_ids))))
    net = network_id(run)
    if net is not None:
        run(delete(AreaPeriod).where(AreaPeriod.area_id == net))
        run(insert(AreaPeriod).from_select(AREA_COLUMNS, _network_select(net)))


def _after_flush(session: Session, _context) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if any(getattr(obj, "__tablename__", None) in _VERSIONED_TABLES for obj in changed):
        run = session.connection().execute
        goal_ids = _area_targets_moved(session)
        if goal_ids is None or goal_ids:
            refresh_area_targets(run, goal_ids)
        areas = _areas_moved(session)
        if areas:
            refresh_areas(run, areas)
        bump_version(session.connection(), session)


def _after_commit(session: Session) -> None:
    if session.info.pop("dashboard_version_bumped", False):
        forget_shared_version()
    forget_shared_scopes(session.info.pop("dashboard_scopes_bumped", None))


def init_rollups() -> None:
    """Connect the hooks once per process (idempotent)."""
    from wcc.reporting.services import report_changed

    report_changed.connect(_on_report_changed, weak=False)
    # A flag left by a rolled-back bump only withdraws the shared copy once too often: harmless.
    for name, hook in (("after_flush", _after_flush), ("after_commit", _after_commit)):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
