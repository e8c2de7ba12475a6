"""Rules for notifications, failed deliveries and World Craft City obligations.

- Everyone signed in reads and manages their own notifications and mail preferences.
- Only admins see failed deliveries and send them again.
- A World Craft City's obligations are seen by the secretariat, the ministry,
  the member itself and its province; only admins record dates and reports.
- Who was told about a report or a World Craft City report (recipients, when,
  how the e-mail fared) is audit: admins and the ministry see it, and the
  province that reviews the member's reports; not the member, not others.
- Reminders about a report that may not exist yet go to those who may read the
  organisation's reports (``report.obligation``, the organisation as object).
"""

from __future__ import annotations

from wcc.permissions import rule
from wcc.permissions.helpers import is_admin, is_province_of, reads_everything, sees_org_data


@rule("notification.list", "notification.preferences")
def _own_notifications(user, obj) -> bool:
    return True


@rule("notification.read")
def _read_notification(user, notification) -> bool:
    return notification is not None and notification.user_id == user.id


@rule("delivery.admin")
def _deliveries(user, obj) -> bool:
    return is_admin(user)


@rule("designation.list")
def _list_designations(user, obj) -> bool:
    return True


@rule("designation.view")
def _view_designation(user, designation) -> bool:
    return reads_everything(user) or sees_org_data(user, designation.org)


@rule("designation.manage")
def _manage_designations(user, obj) -> bool:
    return is_admin(user)


@rule("report.obligation")
def _report_obligation(user, org) -> bool:
    return org is not None and sees_org_data(user, org)


@rule("report.notices")
def _report_notices(user, report) -> bool:
    return report is not None and (reads_everything(user) or is_province_of(user, report.org))


@rule("designation.notices")
def _designation_notices(user, designation) -> bool:
    return designation is not None and (reads_everything(user) or is_province_of(user, designation.org))
