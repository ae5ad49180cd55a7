"""The audit log: who did what, when and from where."""


def init_app(app):
    """Its organisers' page, and an entry for every refusal (see wenevents.signals)."""
    from wenevents import signals
    from wenevents.audit.services import record_denial
    from wenevents.audit.views import bp

    app.register_blueprint(bp)
    signals.access_denied.connect(record_denial)
