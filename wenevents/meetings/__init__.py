"""Meeting series and their editions: the public home, meeting and editions pages."""


def init_app(app):
    """Its pages (one blueprint per audience), and its answers to the lower domains'
    signals (wenevents/signals.py)."""
    from wenevents import signals
    from wenevents.meetings import manage, manage_translations, receivers, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(manage_translations.bp)
    signals.network_delete_blockers.connect(receivers.network_delete_blockers)
    signals.network_history.connect(receivers.network_history)
    signals.site_name.connect(receivers.site_name)
    signals.untranslated_content.connect(receivers.untranslated_content)
