"""Rules for goals and targets.

Every member sees the goal catalogue and everyone's targets: commitments are
what the network compares. Admins manage goals and the network's own targets;
members set their own targets (admins may too, for any member). Targets of a
closed year are locked for members; admins change them with a recorded reason
(``target.change_closed``; the year's closing is ``wcc.goals.services.year_closed``).
"""

from __future__ import annotations

from wcc.permissions import rule
from wcc.permissions.helpers import is_admin, manages_org_data


@rule("goal.list", "goal.view", "target.view")
def _any_member(user, obj) -> bool:
    return True


@rule("goal.create", "goal.edit", "target.change_closed")
def _admin_only(user, obj) -> bool:
    return is_admin(user)


@rule("target.set")
def _set_target(user, org) -> bool:
    """``org`` is the organisation whose target it is; the network's is the admins' alone."""
    if org is None:
        return False
    if org.kind == "network":
        return is_admin(user)
    return manages_org_data(user, org)
