"""Invitation letters for visas, and their verification by embassies."""


def init_app(app):
    from wenevents.letters import manage, views

    app.register_blueprint(views.bp)
    app.register_blueprint(manage.bp)
