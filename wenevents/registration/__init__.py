"""Registration: delegates register, their network endorses, organisers decide."""


def init_app(app):
    """Its pages (one blueprint per audience), and its answers to the lower domains'
    signals (wenevents/signals.py)."""
    from wenevents import signals
    from wenevents.mail.worker import every_day
    from wenevents.registration import (
        checkin_views,
        cloning,
        manage,
        manage_badges,  # noqa: F401 (its routes are on manage's blueprint)
        receivers,
        retention,
        settings,
        views,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(checkin_views.bp)
    signals.meeting_cloned.connect(cloning.copy_registration)
    signals.meeting_delete_blockers.connect(receivers.meeting_delete_blockers)
    signals.network_delete_blockers.connect(receivers.network_delete_blockers)
    signals.participant_asked.connect(receivers.participant_asked)
    signals.participant_refused.connect(receivers.participant_refused)
    signals.untranslated_content.connect(receivers.untranslated_content)
    signals.personal_data.connect(receivers.personal_data_of)
    signals.account_close_blockers.connect(receivers.account_close_blockers)
    signals.account_closing.connect(receivers.account_closing)
    # The worker purges personal data past each meeting's retention once a day.
    every_day(app, "registration.purge_personal_data", retention.purge_due)
