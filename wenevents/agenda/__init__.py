"""The agenda of a meeting: sessions, their items, and the public schedule."""


def init_app(app):
    """Its pages, one blueprint per audience: the public's (views.py, and its files in
    exports_views.py) and the organisers' (manage.py, manage_releases.py and
    manage_import.py); and its answers to the lower domains' signals (wenevents/signals.py).
    """
    from wenevents import signals
    from wenevents.agenda import (
        cloning,
        exports_views,
        manage,
        manage_import,
        manage_releases,
        receivers,
        views,
    )

    del exports_views, manage_import, manage_releases  # they add views to the blueprints
    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    signals.meeting_cloned.connect(cloning.copy_agenda)
    signals.meeting_delete_blockers.connect(receivers.meeting_delete_blockers)
    signals.network_delete_blockers.connect(receivers.network_delete_blockers)
    signals.network_history.connect(receivers.network_history)
    signals.meeting_page.connect(receivers.meeting_page)
    signals.untranslated_content.connect(receivers.untranslated_content)
