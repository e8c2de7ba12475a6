"""How a request finds its user: a browser session row, or a bearer token."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

from wcc.auth import services

SESSION_KEY = "sid"


def load_user_from_session(user_id: str):
    return services.load_session_user(user_id, session.get(SESSION_KEY))


def load_user_from_request(req):
    header = req.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    user = services.load_token_user(secret.strip())
    if user is not None:
        g.auth_via_token = True
        g.api_token_key = services.token_key(secret.strip())
    return user


class TokenAwareSessionInterface(SecureCookieSessionInterface):
    """Never sets a session cookie on a request authenticated by a bearer token, and sends an
    unchanged session back only to a navigation, never to a page's background request."""

    def should_set_cookie(self, app, session_obj) -> bool:
        if g.get("auth_via_token"):
            return False
        if request.headers.get("Sec-Fetch-Dest") == "empty":
            # A page's fetch (the value echo beside a report's value, say) that is still under way when
            # its form is sent would otherwise answer after the form, and put back the cookie from
            # before it: the form's flash message, or a new sign-in, lost.
            return session_obj.modified
        return super().should_set_cookie(app, session_obj)

    def save_session(self, app, session_obj, response) -> None:
        # Static files never carry a session: without this, Flask-Login's look at the session on
        # every response would add "Vary: Cookie", and browsers would ask for cached files again.
        if g.get("auth_via_token") or request.endpoint == "static":
            return
        super().save_session(app, session_obj, response)


def remember_requested_language() -> None:
    """A valid ``?lang=`` sticks for this browser session only.

    A link (a GET, which another site can make a browser follow) never changes what is
    stored: a signed-in user's preference changes only through the profile form (a POST).
    """
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"] and not g.get("auth_via_token"):
        session["lang"] = lang
