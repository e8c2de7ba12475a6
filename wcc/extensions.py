"""Extension objects, created unbound here and initialised in ``create_app``."""

import click
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from wcc.db import Base
from wcc.i18n.search import is_search_index_table


def include_name(name, type_, parent_names) -> bool:
    """What autogenerate compares: not the SQLite search indexes a migration made by hand."""
    return not (type_ == "table" and name and is_search_index_table(name))


class MigrateOnDemand:
    """Flask-Migrate, bound to an app the first time it is used: by a ``flask db`` command or by
    ``flask_migrate.upgrade()`` (tests, tools). Importing it imports Alembic and Mako, 12 MB and half
    a second that a web or job worker never needs. ``init_app`` leaves a stand-in under
    ``app.extensions["migrate"]`` and a ``db`` command group that import the real ones when used."""

    options = {"compare_type": True, "render_as_batch": True, "include_name": include_name}

    def init_app(self, app, db, directory: str) -> None:
        app.extensions["migrate"] = _UnboundMigrate(app, db, directory)
        app.cli.add_command(_DbCommands())


class _UnboundMigrate:
    def __init__(self, app, db, directory: str):
        self._args = (app, db, directory)

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        app, db, directory = self._args
        Migrate(**MigrateOnDemand.options).init_app(app, db, directory=directory)  # replaces this stand-in
        return getattr(app.extensions["migrate"], name)


class _DbCommands(click.Group):
    """``flask db``: Flask-Migrate's command group, imported when a ``db`` command runs."""

    def __init__(self):
        super().__init__("db", help="Perform database migrations.")

    @staticmethod
    def _real() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra):
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._real().get_command(ctx, name)


db = SQLAlchemy(model_class=Base)
migrate = MigrateOnDemand()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cache = Cache()
compress = Compress()
