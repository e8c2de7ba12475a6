"""Demo sign-ins, one or more for every role."""

from __future__ import annotations

from collections.abc import Iterator

from wcc.auth import services
from wcc.orgs.queries import get_by_code

DEMO_PASSWORD = "wcc-demo-1404"
#: The second factor of the demo admin and province officers (public, like the password):
#: add it to an authenticator app, or print the current code with ``flask two-factor-code``.
DEMO_TOTP_SECRET = "WCCDEMOTWOFACTORWCCDEMOTWOFACTOR"

DEMO_USERS = [
    # email, name, role, org code, language
    ("admin@wcc.example.org", "سارا رحیمی", "admin", "WCC", "fa"),
    ("ministry@wcc.example.org", "علی محمدی", "ministry", "WCC", "fa"),
    ("isfahan.province@wcc.example.org", "مریم احمدی", "province", "IR-10", "fa"),
    ("fars.province@wcc.example.org", "حسین کریمی", "province", "IR-07", "fa"),
    ("eastazerbaijan.province@wcc.example.org", "رضا نوری", "province", "IR-03", "fa"),
    ("isfahan.city@wcc.example.org", "زهرا حسینی", "municipality", "IR-10-ISFAHAN", "fa"),
    ("kashan.city@wcc.example.org", "فاطمه صادقی", "municipality", "IR-10-KASHAN", "fa"),
    ("shiraz.city@wcc.example.org", "محمد جعفری", "municipality", "IR-07-SHIRAZ", "fa"),
    ("tabriz.city@wcc.example.org", "Elena Volkova", "municipality", "IR-03-TABRIZ", "en"),
]


def seed_users() -> Iterator[str]:
    from wcc.db import utcnow
    from wcc.permissions import can

    for email, name, role, org_code, _lang in DEMO_USERS:
        if services.find_user_by_email(email) is not None:
            continue
        user = services.create_user(email=email, name=name, password=DEMO_PASSWORD, role=role,
                                    org=get_by_code(org_code), preferred_language=None)
        if not can(user, "account.without_second_factor"):
            # Roles that must use a second factor get the documented demo one.
            user.totp_secret = DEMO_TOTP_SECRET
            user.totp_enabled_at = utcnow()
        yield email
