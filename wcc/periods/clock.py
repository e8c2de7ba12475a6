"""The network's clock: its time zone and what day it is there.

Every "today" in the app (what is due, what is overdue, which year a page opens
on, when a value was valued) is ``today()``: the date in the network's time zone
(``TIMEZONE``, Tehran by default), never the server's own date. Functions that
judge time take ``today`` as an argument, so tests pass a fixed date rather than
moving this clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Tehran"


def network_timezone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def to_network_time(value: datetime) -> datetime:
    """``value`` in the network's time zone (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(network_timezone())


def network_date(value: datetime) -> date:
    """The day ``value`` falls on in the network's time zone."""
    return to_network_time(value).date()


def today() -> date:
    """Today in the network's time zone."""
    return network_date(datetime.now(UTC))
