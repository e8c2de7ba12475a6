"""Who was told about a report or a World Craft City report: a small audit table for those who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wcc.extensions import db
from wcc.permissions import can


@pytest.fixture
def returned(client, network, make_goal, make_report, bearer):
    """A municipality's report returned by its province: both of the municipality's officers are told."""
    report = make_report(network.orgs["IR-10-ISFAHAN"], make_goal(), status="submitted",
                         author=network.users["isfahan_city"])
    answer = client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["isfahan"]),
                         json={"comment": "Please attach the invoice."})
    assert answer.status_code == 200
    return report


# Who sees the table of a municipality's report: admins, the ministry and the reviewing province; not the
# member itself (it is the one told), not another member or province.
SEES = {"admin": True, "ministry": True, "isfahan": True, "fars": False, "isfahan_city": False,
        "kashan_city": False, "shiraz_city": False}


@pytest.mark.parametrize("who", sorted(SEES))
def test_the_rule_by_role_and_owner(returned, network, who):
    assert can(network.users[who], "report.notices", returned) is SEES[who]


@pytest.mark.parametrize("who", ["admin", "isfahan"])
def test_the_report_page_lists_recipients_kind_time_and_mail(returned, client, login_as, network, who):
    login_as(network.users[who])
    html = client.get(f"/reports/{returned.id}?lang=en").get_data(as_text=True)
    assert "Who was told" in html
    table = html[html.index("Who was told"):]
    table = table[:table.index("</table>")]
    assert network.users["isfahan_city"].name in table
    assert "Report returned" in table and "sent" in table
    assert "<time datetime=" in table
    assert "Please attach the invoice." not in table  # the mail's text is not kept, nor shown here


def test_persian_table_uses_persian_digits(returned, client, login_as, network):
    login_as(network.users["admin"])
    html = client.get(f"/reports/{returned.id}?lang=fa").get_data(as_text=True)
    table = html[html.index("<table", html.index('id="told-h"')):]
    table = table[:table.index("</table>")]
    when = table[table.index("<time"):]
    when = when[when.index(">") + 1:when.index("</time>")]
    assert any(d in when for d in "۰۱۲۳۴۵۶۷۸۹") and not any(d in when for d in "0123456789")


@pytest.mark.parametrize("who", ["isfahan_city", "fars"])
def test_others_do_not_see_who_was_told(returned, client, login_as, network, who):
    login_as(network.users[who])
    answer = client.get(f"/reports/{returned.id}?lang=en")
    assert "Who was told" not in answer.get_data(as_text=True)
    if who == "isfahan_city":
        assert answer.status_code == 200  # the member reads its report, without the audit


def test_the_table_costs_one_query_whatever_the_recipients(client, login_as, network, make_goal, make_report,
                                                           bearer, create_user, count_queries):
    login_as(network.users["admin"])
    goal = make_goal()
    city = network.orgs["IR-10-ISFAHAN"]
    counts = []
    for extra in (0, 4):
        for n in range(extra):
            create_user("municipality", city, email=f"officer{n}@test.example.org")
        report = make_report(city, goal, period="1404-Q1" if extra else "1403-Q4", status="submitted",
                             author=network.users["isfahan_city"])
        assert client.post(f"/api/v1/reports/{report.id}/return", headers=bearer(network.users["isfahan"]),
                           json={"comment": "Check."}).status_code == 200
        db.session.expire_all()
        with count_queries() as queries:
            html = client.get(f"/reports/{report.id}?lang=en").get_data(as_text=True)
        assert html.count("Report returned</td>") == 1 + extra
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_a_world_craft_citys_report_shows_who_was_reminded(app, client, login_as, runner, create_user):
    from wcc.designations.models import Designation
    from wcc.designations.services import ensure_designations
    from wcc.orgs.demo import seed_orgs
    from wcc.orgs.queries import get_by_code

    list(seed_orgs())
    ensure_designations()
    db.session.commit()
    admin = create_user("admin", get_by_code("WCC"), email="admin@test.example.org")
    city = create_user("municipality", get_by_code("IR-10-ISFAHAN"), email="isfahan.city@test.example.org")
    province = create_user("province", get_by_code("IR-10"), email="isfahan@test.example.org")
    other_province = create_user("province", get_by_code("IR-07"), email="fars@test.example.org")
    designation = db.session.scalar(select(Designation).where(Designation.org_id == get_by_code("IR-10-ISFAHAN").id))
    designation.designated_on = date(2024, 10, 15)
    db.session.commit()
    ensure_designations()
    db.session.commit()
    first_due = min(r.due_on for r in designation.reports)
    result = runner.invoke(args=["send-reminders", "--date", (first_due - timedelta(days=90)).isoformat()])
    assert result.exit_code == 0, result.output

    assert can(admin, "designation.notices", designation) and can(province, "designation.notices", designation)
    assert not can(city, "designation.notices", designation)
    assert not can(other_province, "designation.notices", designation)
    login_as(admin)
    html = client.get("/designations?lang=en").get_data(as_text=True)
    row = html[html.index('id="org-IR-10-ISFAHAN"'):]
    row = row[:row.index("</tr>\n")]
    assert "Who was told (1)" in row and city.name in row and "World Craft City activity report due" in row
    login_as(city)
    html = client.get("/designations?lang=en").get_data(as_text=True)
    assert "Who was told" not in html and 'id="org-IR-10-ISFAHAN"' in html
