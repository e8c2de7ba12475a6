"""The JSON API under ``/api/v1``: flask-smorest, bearer tokens, one error format.

Each area keeps its endpoints in its own ``api.py`` as a flask-smorest
``Blueprint``; ``init_api`` registers them, so the OpenAPI document at
``/api/v1/openapi.json`` is generated from the code.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

API_PREFIX = "/api/v1"


def api_blueprints():
    from wcc.auth.api import blp as auth_blp
    from wcc.dashboards.api import blp as dashboard_blp
    from wcc.designations.api import blp as designations_blp
    from wcc.goals.api import blp as goals_blp
    from wcc.initiatives.api import blp as initiatives_blp
    from wcc.notifications.api import blp as notifications_blp
    from wcc.orgs.api import blp as orgs_blp
    from wcc.reporting.api import blp as reports_blp

    return [auth_blp, orgs_blp, initiatives_blp, goals_blp, reports_blp, dashboard_blp, notifications_blp,
            designations_blp]


class WccApi(Api):
    """flask-smorest's Api without its error handler: ``wcc.errors`` answers every
    error, in one JSON shape under /api/ and as a translated page elsewhere."""

    def _register_error_handlers(self) -> None:
        pass

    @property
    def ERROR_SCHEMA(self):  # noqa: N802 - flask-smorest's name
        from wcc.api.common import ErrorSchema

        return ErrorSchema


def init_api(app: Flask) -> Api:
    api = WccApi()
    api.init_app(app)
    for blueprint in api_blueprints():
        api.register_blueprint(blueprint)
    app.extensions["wcc_api"] = api
    return api
