"""Truth table of the goal, target and report rules: role × action × how the organisation relates.

The rows are written out by hand on purpose: they are the product's rules as
DESIGN.md states them, not a copy of the code.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from wcc.permissions import can

WCC = SimpleNamespace(id=1, kind="network", parent_id=None, code="WCC")
P = SimpleNamespace(id=2, kind="province", parent_id=1, code="IR-10")          # the user's province
M = SimpleNamespace(id=3, kind="municipality", parent_id=2, code="IR-10-ISFAHAN")  # its municipality
Q = SimpleNamespace(id=4, kind="province", parent_id=1, code="IR-07")          # another province
N = SimpleNamespace(id=5, kind="municipality", parent_id=4, code="IR-07-SHIRAZ")  # another's municipality
ORGS = {"WCC": WCC, "P": P, "M": M, "Q": Q, "N": N}


def user(role: str, org) -> SimpleNamespace:
    return SimpleNamespace(id=100 + org.id, role=role, org=org, org_id=org.id, is_authenticated=True,
                           is_active=True)


USERS = {
    "admin": user("admin", WCC),
    "ministry": user("ministry", WCC),
    "province": user("province", P),          # P is own, M is a child, Q and N are other
    "municipality": user("municipality", M),  # M is own, P is the parent, Q and N are other
}


class Report(SimpleNamespace):
    def was_made_by(self, someone) -> bool:
        return someone.id in self.made_by


def report(org_key: str, made_by=()) -> Report:
    return Report(org=ORGS[org_key], made_by=set(made_by))


# For each action: the target organisations each role may act on (of P, M, Q, N).
REPORT_RULES = {
    "report.view":    {"admin": "PMQN", "ministry": "PMQN", "province": "PM", "municipality": "M"},
    "report.edit":    {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    "report.submit":  {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    "report.review":  {"admin": "MN", "ministry": "", "province": "M", "municipality": ""},
    "report.approve": {"admin": "PMQN", "ministry": "", "province": "", "municipality": ""},
    "report.return":  {"admin": "PMQN", "ministry": "", "province": "M", "municipality": ""},
    "report.reopen":  {"admin": "PMQN", "ministry": "", "province": "", "municipality": ""},
    "report.comment": {"admin": "PMQN", "ministry": "", "province": "PM", "municipality": "M"},
}
ORG_RULES = {
    "report.create": {"admin": "PMQN", "ministry": "", "province": "P", "municipality": "M"},
    "target.set":    {"admin": "WPMQN", "ministry": "", "province": "P", "municipality": "M"},
    "target.view":   {"admin": "WPMQN", "ministry": "WPMQN", "province": "WPMQN", "municipality": "WPMQN"},
}
GLOBAL_RULES = {
    "goal.list": "admin ministry province municipality",
    "goal.view": "admin ministry province municipality",
    "goal.create": "admin",
    "goal.edit": "admin",
    "report.list": "admin ministry province municipality",
    "report.review_queue": "admin province",
    "report.my_reporting": "province municipality",
}
KEYS = {"W": "WCC", "P": "P", "M": "M", "Q": "Q", "N": "N"}


@pytest.mark.parametrize("action", REPORT_RULES)
@pytest.mark.parametrize("role", USERS)
@pytest.mark.parametrize("target", "PMQN")
def test_report_rules(action, role, target):
    expected = target in REPORT_RULES[action][role]
    assert can(USERS[role], action, report(target)) is expected


@pytest.mark.parametrize("action", ORG_RULES)
@pytest.mark.parametrize("role", USERS)
@pytest.mark.parametrize("target", "WPMQN")
def test_rules_about_an_organisation(action, role, target):
    expected = target in ORG_RULES[action][role]
    assert can(USERS[role], action, ORGS[KEYS[target]]) is expected


@pytest.mark.parametrize("action", GLOBAL_RULES)
@pytest.mark.parametrize("role", USERS)
def test_rules_without_an_object(action, role):
    assert can(USERS[role], action, None) is (role in GLOBAL_RULES[action].split())


@pytest.mark.parametrize("action, role, target", [
    ("report.review", "province", "M"), ("report.review", "admin", "M"), ("report.approve", "admin", "P"),
    ("report.return", "province", "M"), ("report.return", "admin", "N"),
])
def test_nobody_decides_on_a_report_they_wrote_changed_or_submitted(action, role, target):
    someone = USERS[role]
    assert can(someone, action, report(target)) is True
    assert can(someone, action, report(target, made_by=[someone.id])) is False


def test_anonymous_users_may_do_nothing():
    anonymous = SimpleNamespace(is_authenticated=False, is_active=False)
    for action in [*REPORT_RULES, *GLOBAL_RULES]:
        assert can(anonymous, action, report("M")) is False
