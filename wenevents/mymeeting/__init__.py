"""*My meeting*: what of a meeting concerns a person, shown on their page and in their
private calendar feed, and told to them by mail when a release changes it."""


def init_app(app):
    """Its page and feed, and its answers to the agenda's signals (wenevents/signals.py)."""
    from wenevents import signals
    from wenevents.mymeeting import notices, receivers, views

    app.register_blueprint(views.bp)
    signals.release_published.connect(notices.release_published)
    signals.release_audience.connect(notices.preview)
    signals.personal_data.connect(receivers.personal_data)
    signals.account_closing.connect(receivers.account_closing)
