"""Rules for organisations, users, tokens and the audit trail."""

from __future__ import annotations

from flask import current_app

from wcc.permissions import rule
from wcc.permissions.helpers import is_admin, reads_everything, sees_org_data


@rule("admin.access", "org.create", "org.edit", "org.deactivate",
      "user.create", "user.edit", "user.deactivate", "user.reset_password", "user.reset_two_factor",
      "security.view")
def _admin_only(user, obj) -> bool:
    return is_admin(user)


@rule("org.view", "org.list")
def _any_member(user, obj) -> bool:
    # The member directory is the point of a network: every member sees it.
    return True


@rule("org.view_users")
def _view_org_users(user, org) -> bool:
    return sees_org_data(user, org)


@rule("user.view")
def _view_user(user, other) -> bool:
    return other.id == user.id or sees_org_data(user, other.org)


@rule("audit.view")
def _view_audit(user, obj) -> bool:
    return reads_everything(user)


@rule("token.create", "profile.edit")
def _self_service(user, obj) -> bool:
    return True


@rule("token.revoke")
def _revoke_token(user, token) -> bool:
    return token.user_id == user.id or is_admin(user)


@rule("account.without_second_factor")
def _second_factor_optional(user, obj) -> bool:
    """Roles listed in WCC_MFA_REQUIRED_ROLES must sign in with a second factor."""
    return user.role not in current_app.config["MFA_REQUIRED_ROLES"]
