"""wenevents: runs the Global Meeting of Wildlife Enforcement Networks series."""

import os
from pathlib import Path

from flask import Flask

from wenevents import config, health, languages, metrics, observability, pagecache, security, web
from wenevents.extensions import babel, compress, csrf, db, limiter, migrate
from wenevents.uploads.streaming import Request as UploadRequest

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(test_config=None):
    """Build the app: configuration, extensions, every domain's blueprint."""
    # Templates and static files live at the repository root, beside the package; the
    # instance folder too, unless a deployment (or a test) puts it elsewhere.
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "WENEVENTS_INSTANCE_PATH", str(ROOT / "instance")
    )
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, test_config)
    observability.configure_logging(app.config)
    # Upload views stream file parts into the upload folder (see uploads/streaming.py).
    app.request_class = UploadRequest

    from wenevents import models  # noqa: F401  (every table known before first use)

    # First: after-request functions run last-registered first, so compression comes
    # after every other one has settled the body, its ETag and its headers.
    compress.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=languages.select_locale)
    languages.init_app(app)
    limiter.init_app(app)
    web.init_app(app)
    security.init_app(app)  # after web: its headers decide what web's caching may cache
    pagecache.init_app(app)
    app.register_blueprint(health.bp)

    # Lowest first (docs/architecture.md): a domain's receivers are connected before the
    # domains above it start sending.
    from wenevents import (
        accounts,
        agenda,
        api,
        audit,
        letters,
        mail,
        meetings,
        mymeeting,
        networks,
        registration,
        uploads,
    )

    for domain in (
        audit,
        mail,
        accounts,
        networks,
        meetings,
        agenda,
        registration,
        uploads,
        letters,
        mymeeting,
        api,
    ):
        domain.init_app(app)

    from wenevents import cli

    cli.init_app(app)
    # Last: the outermost middleware, around the page cache's front too, so every answer
    # carries its request id, is timed and counted, and has its access line.
    observability.init_app(app)
    metrics.init_app(app)
    return app
