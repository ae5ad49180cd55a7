"""/api/v1/: the public data as JSON, read only.

Each answer is rendered once per public version and stored like the public pages
(``pagecache.public``), carries an ETag (If-None-Match gets a 304) and may be read from any
origin: nothing here is personal, and no cookie is ever read for it.
"""

from flask import Blueprint, abort, make_response, request, url_for
from flask_babel import force_locale

from wenevents import pagecache
from wenevents.api import models, openapi, services
from wenevents.api.openapi import PAGE, PER_PAGE, operation
from wenevents.languages import ENGLISH_LOCALE

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
PAGED = (PAGE.name, PER_PAGE.name)


@bp.after_request
def _cors(response):
    """Any origin may read; a conditional request from another origin needs its preflight
    answered too (If-None-Match is not a simple header)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _answer(model):
    """``model`` as JSON, revalidated by its ETag."""
    response = make_response(model.model_dump_json())
    response.mimetype = "application/json"
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


def _found(model, what):
    if model is None:
        abort(404, description=f"No such {what}, or it is not public.")
    return model


def _paging():
    """``(page, per_page)`` from the query, within the bounds the description gives;
    400 for anything else."""
    values = []
    for parameter in (PAGE, PER_PAGE):
        bounds = parameter.schema
        raw = request.args.get(parameter.name)
        if raw is None:
            values.append(bounds["default"])
            continue
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or not (
            bounds["minimum"] <= int(raw) <= bounds["maximum"]
        ):
            abort(
                400,
                description=f"{parameter.name} must be a whole number from "
                f"{bounds['minimum']} to {bounds['maximum']}.",
            )
        values.append(int(raw))
    return tuple(values)


def _paged(model, page, per_page):
    """``model`` with a Link header to its previous and next pages."""
    response = _answer(model)
    links = []
    args = {**(request.view_args or {}), "per_page": per_page}
    if page > 1:
        links.append(f'<{url_for(request.endpoint, page=page - 1, **args)}>; rel="prev"')
    if page < model.pagination.pages:
        links.append(f'<{url_for(request.endpoint, page=page + 1, **args)}>; rel="next"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


# The routes --------------------------------------------------------------------------------


@bp.get("/")
@pagecache.public
@operation("/", "What the API offers", models.Index)
def index():
    return _answer(
        models.Index(
            openapi=url_for("api.description"),
            series=url_for("api.series_list"),
            meetings=url_for("api.meeting_list"),
            networks=url_for("api.network_list"),
        )
    )


@bp.get("/openapi.json")
@pagecache.public
def description():
    """This API's OpenAPI 3.1 description, from the routes and models themselves."""
    response = make_response(openapi.document(request.script_root + PREFIX, "1"))
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/series")
@pagecache.public(args=PAGED)
@operation(
    "/series", "Meeting series with a published edition", models.SeriesList, [PAGE, PER_PAGE]
)
def series_list():
    page, per_page = _paging()
    return _paged(services.series_list(page, per_page), page, per_page)


@bp.get("/series/<slug>")
@pagecache.public
@operation("/series/<slug>", "A series and its published editions", models.Series)
def series(slug):
    return _answer(_found(services.series(slug), "series"))


@bp.get("/meetings")
@pagecache.public(args=PAGED)
@operation("/meetings", "Published meetings, latest first", models.MeetingList, [PAGE, PER_PAGE])
def meeting_list():
    page, per_page = _paging()
    return _paged(services.meeting_list(page, per_page), page, per_page)


@bp.get("/meetings/<acronym>")
@pagecache.public
@operation("/meetings/<acronym>", "A published meeting", models.Meeting)
def meeting(acronym):
    return _answer(_found(services.meeting(acronym), "meeting"))


@bp.get("/meetings/<acronym>/sessions")
@pagecache.public(args=PAGED)
@operation(
    "/meetings/<acronym>/sessions",
    "The sessions of the agenda's latest release, with their items (404 before the first)",
    models.SessionList,
    [PAGE, PER_PAGE],
)
def session_list(acronym):
    page, per_page = _paging()
    return _paged(_found(services.sessions(acronym, page, per_page), "agenda"), page, per_page)


@bp.get("/meetings/<acronym>/sessions/<ref>")
@pagecache.public
@operation("/meetings/<acronym>/sessions/<ref>", "One released session", models.Session)
def session(acronym, ref):
    return _answer(_found(services.session(acronym, ref), "session"))


@bp.get("/meetings/<acronym>/documents")
# Live: embargoed slides become public when their session starts.
@pagecache.public(live=True)
@operation(
    "/meetings/<acronym>/documents",
    "The meeting's public documents, each with its file in every language",
    models.DocumentList,
)
def document_list(acronym):
    # Labels of documents without a title of their own, in the original language.
    with force_locale(ENGLISH_LOCALE):
        return _answer(_found(services.documents(acronym), "meeting"))


@bp.get("/networks")
@pagecache.public(args=PAGED)
@operation("/networks", "Every network, active ones first", models.NetworkList, [PAGE, PER_PAGE])
def network_list():
    page, per_page = _paging()
    return _paged(services.network_list(page, per_page), page, per_page)


@bp.get("/networks/<slug>")
@pagecache.public
@operation("/networks/<slug>", "A network and the meetings it took part in", models.Network)
def network(slug):
    return _answer(_found(services.network(slug), "network"))


def error_answer(code, description):
    """A 4xx under /api/ as JSON (web.py's error pages call it there)."""
    body = models.Error(status=code, error=description or "Error").model_dump_json()
    response = make_response(body, code)
    response.mimetype = "application/json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
