"""Accounts and roles: sign-in, invitations, password reset, organisers' user management."""


def init_app(app):
    """Its pages, and who the session cookie names (Flask-Login asks accounts)."""
    from wenevents.accounts import manage  # noqa: F401  (its routes join the blueprint)
    from wenevents.accounts.services import user_for_session
    from wenevents.accounts.views import bp
    from wenevents.extensions import login_manager

    login_manager.user_loader(user_for_session)
    app.register_blueprint(bp)
