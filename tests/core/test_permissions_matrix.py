"""The foundation's permission truth table: role × action × whose object."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from wcc.permissions import can, registered_actions

ROLES = ("admin", "ministry", "province", "municipality")
# user fixture name per role; their organisation, a child and another member's organisation
ACTOR = {"admin": "admin", "ministry": "ministry", "province": "isfahan", "municipality": "isfahan_city"}
TARGETS = {
    # role → {relation: org code}
    "admin": {"own": "WCC", "child": "IR-10", "other": "IR-07-SHIRAZ"},
    "ministry": {"own": "WCC", "child": "IR-10", "other": "IR-07-SHIRAZ"},
    "province": {"own": "IR-10", "child": "IR-10-ISFAHAN", "other": "IR-07"},
    "municipality": {"own": "IR-10-ISFAHAN", "child": None, "other": "IR-10-KASHAN"},
}

# Expected answers. Organisation-level actions take an organisation.
ORG_ACTIONS = {
    #                   admin                ministry            province             municipality
    "org.view":       ({"own", "child", "other"}, {"own", "child", "other"}, {"own", "child", "other"}, {"own", "other"}),
    "org.view_users": ({"own", "child", "other"}, {"own", "child", "other"}, {"own", "child"}, {"own"}),
    "org.edit":       ({"own", "child", "other"}, set(), set(), set()),
    "org.deactivate": ({"own", "child", "other"}, set(), set(), set()),
}
GLOBAL_ACTIONS = {
    "admin.access": {"admin"},
    "org.create": {"admin"},
    "org.list": set(ROLES),
    "user.create": {"admin"},
    "audit.view": {"admin", "ministry"},
    "token.create": set(ROLES),
    "profile.edit": set(ROLES),
    "org.list_inactive": {"admin"},
    "dashboard.home": {"admin", "ministry"},
    "dashboard.every_member": {"admin", "ministry"},
    "dashboard.missing": {"admin", "ministry", "province"},
    "initiative.create_for_any": {"admin"},
    "target.change_closed": {"admin"},
    "report.create_for_any": {"admin"},
    "report.approval_queue": {"admin"},
    "report.review_queue": {"admin", "province"},
    "report.my_reporting": {"province", "municipality"},
}


def _cases():
    for action, answers in ORG_ACTIONS.items():
        for role, allowed in zip(ROLES, answers, strict=True):
            for relation, code in TARGETS[role].items():
                if code is not None:
                    yield pytest.param(role, action, code, relation in allowed, id=f"{role}-{action}-{relation}")


@pytest.mark.parametrize("role, action, code, expected", list(_cases()))
def test_organisation_actions(network, role, action, code, expected):
    user = network.users[ACTOR[role]]
    assert can(user, action, network.orgs[code]) is expected


@pytest.mark.parametrize("action", sorted(GLOBAL_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_global_actions(network, role, action):
    assert can(network.users[ACTOR[role]], action) is (role in GLOBAL_ACTIONS[action])


USER_CASES = [(role, whose) for role in ROLES for whose in ("self", "same org", "child org", "other org")
              if not (role == "municipality" and whose == "child org")]  # municipalities have no children


@pytest.mark.parametrize("role, whose", USER_CASES)
def test_user_records(network, create_user, role, whose):
    actor = network.users[ACTOR[role]]
    other_org = {"admin": "IR-07", "ministry": "IR-07", "province": "IR-07",
                 "municipality": "IR-10-KASHAN"}[role]
    child_org = {"admin": "IR-10", "ministry": "IR-10", "province": "IR-10-ISFAHAN",
                 "municipality": None}[role]
    target = {
        "self": lambda: actor,
        "same org": lambda: create_user(actor.role, actor.org),
        "child org": lambda: create_user("province" if role in ("admin", "ministry") else "municipality",
                                         network.orgs[child_org]),
        "other org": lambda: create_user("province" if other_org == "IR-07" else "municipality",
                                         network.orgs[other_org]),
    }[whose]()
    sees = whose in ("self", "same org") or role in ("admin", "ministry") or \
        (role == "province" and whose == "child org")
    assert can(actor, "user.view", target) is sees
    for action in ("user.edit", "user.deactivate", "user.reset_password"):
        assert can(actor, action, target) is (role == "admin")


def test_tokens_are_revoked_only_by_their_owner_or_an_admin(network, api_token):
    from sqlalchemy import select

    from wcc.auth.models import ApiToken
    from wcc.extensions import db

    api_token(network.users["isfahan_city"])
    token = db.session.scalar(select(ApiToken))
    assert can(network.users["isfahan_city"], "token.revoke", token)
    assert can(network.users["admin"], "token.revoke", token)
    for other in ("ministry", "isfahan", "kashan_city"):
        assert not can(network.users[other], "token.revoke", token)


def test_anonymous_and_deactivated_users_may_do_nothing(network):
    from wcc.extensions import db

    ghost = network.users["admin"]
    ghost.active = False
    db.session.commit()
    for action in registered_actions():
        assert not can(AnonymousUserMixin(), action, network.orgs["WCC"])
        assert not can(ghost, action, network.orgs["WCC"])


def test_unknown_actions_are_programming_errors(network):
    with pytest.raises(KeyError):
        can(network.users["admin"], "org.destroy", network.orgs["WCC"])
