"""Extension objects, created unbound here and initialised in ``create_app``."""

from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from wcc.db import Base
from wcc.i18n.search import is_search_index_table


def include_name(name, type_, parent_names) -> bool:
    """What autogenerate compares: not the SQLite search indexes a migration made by hand."""
    return not (type_ == "table" and name and is_search_index_table(name))


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True, include_name=include_name)
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cache = Cache()
compress = Compress()
