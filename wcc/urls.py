"""Links the app hands out in API answers and exports.

The request's Host header is chosen by the client, so it never becomes part of a
link: with ``WCC_SERVER_NAME`` set links are absolute on that name, otherwise
they are paths on this site.
"""

from __future__ import annotations

from flask import current_app, url_for


def site_url(endpoint: str, **values) -> str:
    """An absolute URL on the configured server name, or a path when none is configured."""
    if current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    return url_for(endpoint, **values)
