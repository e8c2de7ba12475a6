"""The rollups follow every change of a report through the workflow, and the cache with them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from wcc.dashboards.models import AreaPeriod, AreaTarget, MemberPeriod, MemberSeries
from wcc.dashboards.rollups import rebuild
from wcc.extensions import db


def snapshot() -> dict[str, set]:
    """Every rollup row, as plain tuples."""
    out = {}
    for model in (MemberSeries, AreaPeriod, MemberPeriod, AreaTarget):
        columns = [c for c in model.__table__.columns]
        rows = db.session.execute(select(*columns)).all()
        out[model.__tablename__] = {tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows}
    return out


def assert_same_as_rebuilt() -> None:
    db.session.commit()
    kept = snapshot()
    rebuild()
    db.session.commit()
    rebuilt = snapshot()
    for table, rows in rebuilt.items():
        assert rows == kept[table], f"{table}: {sorted(rows - kept[table])} {sorted(kept[table] - rows)}"


def network_actual(client, headers, code="EXPORT-RU", period="1404") -> float | None:
    body = client.get(f"/api/v1/dashboard/goals/{code}?period_from={period}&period_to={period}",
                      headers=headers).get_json()
    return body["network"]["actual"]


@pytest.fixture
def workflow(figures_data, make_report):
    """A fresh report of Kashan for 1404-Q1 of EXPORT-RU, written and submitted by its officer."""
    from wcc.reporting.models import ProgressReport

    goal = figures_data.goals["EXPORT-RU"]
    kashan = figures_data.orgs["IR-10-KASHAN"]
    existing = db.session.scalar(select(ProgressReport).where(
        ProgressReport.goal_id == goal.id, ProgressReport.org_id == kashan.id,
        ProgressReport.period_key == "1404-Q1"))
    if existing is not None:
        db.session.delete(existing)
        db.session.commit()
    report = make_report(kashan, goal, "1404-Q1", status="submitted", value=Decimal("5000"),
                         author=figures_data.users["kashan_city"])
    rebuild()  # the factory writes the row directly, past the workflow's hooks
    db.session.commit()
    return report


def test_approve_reopen_correct_and_late_approval_keep_the_rollups_exact(client, bearer, figures_data, workflow):
    from wcc.reporting import services

    users = figures_data.users
    headers = bearer(users["ministry"])
    report = workflow
    before = network_actual(client, headers)
    assert_same_as_rebuilt()

    services.review(report, users["isfahan"])
    db.session.commit()
    assert network_actual(client, headers) == before  # reviewed is not approved
    services.approve(report, users["admin"])
    db.session.commit()
    assert network_actual(client, headers) == pytest.approx((before or 0) + 5000)
    assert_same_as_rebuilt()

    services.reopen(report, users["admin"], "The invoice says 4,200.")
    db.session.commit()
    assert network_actual(client, headers) == pytest.approx(before or 0) if before else \
        network_actual(client, headers) is None
    assert_same_as_rebuilt()

    services.update_report(report, version=report.version, user=users["kashan_city"], value="4200")
    services.submit(report, users["kashan_city"])
    services.review(report, users["isfahan"])
    services.approve(report, users["admin"])
    db.session.commit()
    assert network_actual(client, headers) == pytest.approx((before or 0) + 4200)
    assert_same_as_rebuilt()


def test_a_late_approval_of_an_old_period_moves_every_later_running_sum(client, bearer, figures_data, make_report):
    from wcc.reporting import services

    users = figures_data.users
    goal = figures_data.goals["SATISFACTION"]
    shiraz = figures_data.orgs["IR-07-SHIRAZ"]
    from wcc.reporting.models import ProgressReport

    old = db.session.scalar(select(ProgressReport).where(
        ProgressReport.goal_id == goal.id, ProgressReport.org_id == shiraz.id, ProgressReport.period_key == "1403-Q1"))
    if old is not None:
        db.session.delete(old)
        db.session.commit()
    report = make_report(shiraz, goal, "1403-Q1", status="reviewed", value=Decimal("40"), is_late=True,
                         author=users["shiraz_city"])
    rebuild()
    db.session.commit()
    services.approve(report, users["admin"])
    db.session.commit()
    assert_same_as_rebuilt()
    body = client.get("/api/v1/dashboard/goals/SATISFACTION?period_from=1403&period_to=1404&include=periods",
                      headers=bearer(users["ministry"])).get_json()
    member = next(m for m in body["members"] if m["org"] == "IR-07-SHIRAZ")
    assert member["periods"][0] == {"period": "1403-Q1", "actual": 40.0, "target": member["periods"][0]["target"]}


def test_a_target_change_reaches_a_cached_dashboard(client, bearer, figures_data):
    from wcc.goals import services

    users = figures_data.users
    headers = bearer(users["ministry"])
    goal = figures_data.goals["EXPORT-RU"]
    first = client.get("/api/v1/dashboard/goals/EXPORT-RU?period_from=1404&period_to=1404", headers=headers)
    services.set_target(goal, figures_data.orgs["WCC"], "1404", "999000", users["admin"],
                        reason="The ministry raised the network's target.")
    db.session.commit()
    second = client.get("/api/v1/dashboard/goals/EXPORT-RU?period_from=1404&period_to=1404", headers=headers)
    assert first.get_json()["network"]["target"] != 999000
    assert second.get_json()["network"]["target"] == pytest.approx(999000)


def test_the_provinces_targets_as_a_whole_follow_targets_members_and_goals(client, bearer, figures_data):
    """Every change that moves what a province is judged against as a whole keeps the targets' rollup
    exact: a target set, changed and removed, a municipality that stops, moves to another province
    or comes, a goal no longer reported by municipalities. The page's figure follows it."""
    from wcc.goals import services as goals
    from wcc.orgs import services as orgs
    from wcc.orgs.models import OrgKind, Settlement

    users, data = figures_data.users, figures_data
    goal, isfahan, fars = data.goals["EXPORT-RU"], data.orgs["IR-10"], data.orgs["IR-07"]
    kashan = data.orgs["IR-10-KASHAN"]
    headers = bearer(users["ministry"])

    def set_target(org, value: str) -> None:  # 1404 is a closed year: an admin gives a reason
        goals.set_target(goal, org, "1404", value, users["admin"], reason="The plan was revised.")

    def rollup(province) -> tuple[float, int] | None:
        row = db.session.execute(select(AreaTarget.target_sum, AreaTarget.target_count).where(
            AreaTarget.goal_id == goal.id, AreaTarget.area_id == province.id,
            AreaTarget.period_key == "1404")).first()
        return (float(row[0]), row[1]) if row else None

    def province_target(province) -> float | None:
        body = client.get("/api/v1/dashboard/goals/EXPORT-RU?period_from=1404&period_to=1404",
                          headers=headers).get_json()
        return next((p["target"] for p in body["provinces"] if p["org"] == province.code), None)

    incomplete = rollup(isfahan)  # the province itself has set no target of its own yet
    assert incomplete is not None and province_target(isfahan) is None
    set_target(isfahan, "5000")
    assert_same_as_rebuilt()
    before = rollup(isfahan)
    assert before == (incomplete[0] + 5000, incomplete[1] + 1)
    assert province_target(isfahan) == pytest.approx(before[0])
    set_target(kashan, "7000")
    assert_same_as_rebuilt()
    changed = rollup(isfahan)
    assert changed != before and province_target(isfahan) == pytest.approx(changed[0])

    set_target(kashan, "")  # removed: Isfahan's is no longer whole
    assert_same_as_rebuilt()
    assert rollup(isfahan)[1] == changed[1] - 1 and province_target(isfahan) is None
    set_target(kashan, "7000")
    assert_same_as_rebuilt()

    orgs.update_org(kashan, active=False)
    assert_same_as_rebuilt()
    assert rollup(isfahan)[1] == changed[1] - 1
    orgs.update_org(kashan, active=True, parent=fars, code="IR-07-KASHAN")
    assert_same_as_rebuilt()
    assert rollup(isfahan)[1] == changed[1] - 1 and rollup(fars)[1] >= 1
    orgs.update_org(kashan, parent=isfahan, code="IR-10-KASHAN")
    assert_same_as_rebuilt()
    assert rollup(isfahan) == changed

    newcomer = orgs.create_org(code="IR-10-NEWCITY", kind=OrgKind.MUNICIPALITY, name_fa="شهر تازه",
                               name_en="New City", name_ru="Новый город", settlement=Settlement.CITY,
                               parent=isfahan)
    assert_same_as_rebuilt()
    set_target(newcomer, "1000")
    assert_same_as_rebuilt()
    assert rollup(isfahan) == (changed[0] + 1000, changed[1] + 1)

    goals.update_goal(goal, reported_by_municipality=False)
    assert_same_as_rebuilt()
    assert rollup(isfahan)[1] < changed[1]


def test_rebuild_command_recomputes_and_reports_row_counts(runner, figures_data):
    db.session.execute(MemberSeries.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["rebuild-dashboards"])
    assert result.exit_code == 0, result.output
    assert "dashboard_member_series" in result.output
    assert db.session.scalar(select(MemberSeries.goal_id).limit(1)) is not None


def test_with_redis_an_approval_reaches_every_worker_at_once(redis_app, bearer, figures_data):
    """Two workers share Redis: the data version lives there too and moves with the commit."""
    from wcc.auth.models import User
    from wcc.orgs.models import Organisation
    from wcc.reporting import services
    from wcc.reporting.models import ProgressReport

    build, _store = redis_app
    first, second = build().test_client(), build().test_client()
    headers = bearer(figures_data.users["ministry"])
    # A municipality's reviewed report: only those are reviewed in the workflow (the fixture also
    # puts provinces' reports straight into "reviewed").
    waiting = db.session.scalar(select(ProgressReport).join(ProgressReport.org).where(
        ProgressReport.status == "reviewed", ProgressReport.value.is_not(None), Organisation.kind == "municipality",
        ProgressReport.period_key.like("1404%")).order_by(ProgressReport.id))
    url = f"/api/v1/dashboard/goals/{waiting.goal.code}?period_from=1404&period_to=1404&include=periods"
    member = waiting.org.code

    def figure(client):
        body = client.get(url, headers=headers).get_json()
        return next(m for m in body["members"] if m["org"] == member)["periods"]

    before = figure(first)
    assert figure(second) == before  # one cached answer, shared
    app = second.application
    with app.app_context():  # the approval, made by a worker as the app makes it
        admin = db.session.get(User, figures_data.users["admin"].id)
        services.approve(db.session.get(ProgressReport, waiting.id), admin)
        db.session.commit()
    after = figure(first)
    assert after != before
    assert {"period": waiting.period_key, "actual": float(waiting.value),
            "target": next(p["target"] for p in after if p["period"] == waiting.period_key)} in after
