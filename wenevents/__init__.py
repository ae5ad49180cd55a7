"""wenevents: runs the Global Meeting of Wildlife Enforcement Networks series."""

import os
from pathlib import Path

from flask import Flask

from wenevents import config, security, web
from wenevents.extensions import babel, csrf, db, limiter, migrate
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
    # Upload views stream file parts into the upload folder (see uploads/streaming.py).
    app.request_class = UploadRequest

    from wenevents import models  # noqa: F401  (every table known before first use)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: app.config["BABEL_DEFAULT_LOCALE"])
    limiter.init_app(app)
    web.init_app(app)
    security.init_app(app)  # after web: its headers decide what web's caching may cache

    from wenevents.accounts.views import bp as accounts_bp
    from wenevents.agenda.calendar_views import bp as agenda_calendar_bp
    from wenevents.agenda.editor import bp as agenda_editor_bp
    from wenevents.agenda.frab_views import bp as agenda_frab_bp
    from wenevents.agenda.release_views import bp as agenda_releases_bp
    from wenevents.agenda.views import bp as agenda_bp
    from wenevents.audit.views import bp as audit_bp
    from wenevents.meetings.manage import bp as meetings_manage_bp
    from wenevents.meetings.views import bp as meetings_bp
    from wenevents.networks.directory import bp as directory_bp
    from wenevents.networks.focal_points import bp as focal_points_bp
    from wenevents.networks.manage import bp as networks_manage_bp
    from wenevents.networks.views import bp as networks_bp
    from wenevents.registration.manage import bp as registration_manage_bp
    from wenevents.registration.settings import bp as registration_settings_bp
    from wenevents.registration.views import bp as registration_bp
    from wenevents.uploads.manage import bp as uploads_manage_bp
    from wenevents.uploads.views import bp as uploads_bp

    app.register_blueprint(meetings_bp)
    app.register_blueprint(networks_bp)
    app.register_blueprint(meetings_manage_bp)
    app.register_blueprint(networks_manage_bp)
    app.register_blueprint(focal_points_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(agenda_calendar_bp)
    app.register_blueprint(agenda_frab_bp)
    app.register_blueprint(agenda_releases_bp)
    app.register_blueprint(agenda_editor_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(registration_settings_bp)
    app.register_blueprint(registration_manage_bp)
    app.register_blueprint(uploads_bp)
    app.register_blueprint(uploads_manage_bp)

    from wenevents import cli

    cli.init_app(app)
    return app
