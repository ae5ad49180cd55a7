"""frab-compatible schedule.xml and schedule.json, and importing an agenda from one."""

from flask import Blueprint, abort, make_response, request

from wenevents.agenda import releases
from wenevents.exports import frab

bp = Blueprint("agenda_frab", __name__)


def _download(body, content_type):
    """A public file: revalidated by its ETag, so an unchanged release costs a 304."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<acronym:acronym>/schedule.xml")
def schedule_xml(acronym):
    """The latest release as frab's schedule.xml (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_xml(release), "application/xml; charset=utf-8")


@bp.get("/<acronym:acronym>/schedule.json")
def schedule_json(acronym):
    """The latest release as frab's schedule.json (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_json(release), "application/json")
