"""/api/v1/: the public data (series, meetings, the agenda as released, networks, public
documents) as JSON, with its OpenAPI description. Above every other domain: it reads
them, none reads it."""


def init_app(app):
    from wenevents import web
    from wenevents.api import views

    app.register_blueprint(views.bp)
    # Its errors as JSON, not as the site's error pages.
    web.json_errors(views.PREFIX, views.error_answer)
