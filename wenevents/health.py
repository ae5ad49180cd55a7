"""Whether this instance can serve: what ``wenevents health``, ``/healthz`` and ``/readyz``
report.

``/healthz`` says the process answers (a load balancer restarts it when it does not);
``/readyz`` also says it can do its work: the database answers at the current schema, and
Redis answers when rate limits are counted there. Neither says more than a problem's kind
(never an address or a message from a driver), and neither is ever cached.
"""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from wenevents.extensions import db, limiter

bp = Blueprint("health", __name__)


def problems():
    """What keeps this instance from serving, each as one line; empty when nothing does."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # any driver error means "not ready": reported, not raised
        return [f"database: unreachable ({error.__class__.__name__})"]
    found = []
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    if current != heads:
        found.append(f"database: schema {sorted(current)} is not at {sorted(heads)}")
    if _limits_shared() and not _storage_answers():
        found.append("rate limits: their storage does not answer")
    return found


def _limits_shared():
    storage = str(current_app.config["RATELIMIT_STORAGE_URI"])
    return current_app.config.get("RATELIMIT_ENABLED", True) and not storage.startswith("memory://")


def _storage_answers():
    try:
        return bool(limiter.storage.check())
    except Exception:  # a storage that cannot even be asked does not answer
        return False


@bp.get("/healthz")
@limiter.exempt
def alive():
    """The process answers: nothing else is checked."""
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
@limiter.exempt
def ready():
    """Ready to serve: 200, or 503 with what is wrong."""
    found = problems()
    if found:
        return _answer({"status": "unavailable", "problems": found}, 503)
    return _answer({"status": "ok"}, 200)


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.cache_control.no_store = True
    return response
