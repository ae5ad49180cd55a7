"""Wildlife enforcement networks and their focal points."""


def init_app(app):
    """Its pages (one blueprint per audience), and its answers to the lower domains'
    signals (wenevents/signals.py)."""
    from wenevents import signals
    from wenevents.networks import directory, focal_points, manage, services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(focal_points.bp)
    app.register_blueprint(directory.bp)
    signals.account_networks.connect(services.networks_for_accounts)
