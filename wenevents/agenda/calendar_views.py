"""Calendar (ICS) and PDF downloads of the released agenda.

Each reads the latest release in one query (two for a network without presentations) and
answers 404 before the first release. Responses carry an ETag, so a calendar app polling a
subscription gets a 304 while nothing changed.
"""

import re

from flask import Blueprint, abort, make_response, request

from wenevents.agenda import services
from wenevents.exports import ics, pdf

bp = Blueprint("agenda_calendar", __name__)


def _download(body, mimetype, filename, disposition="attachment"):
    response = make_response(body)
    response.mimetype = mimetype
    if mimetype.startswith("text/"):
        response.charset = "utf-8"
    safe = re.sub(r"[^A-Za-z0-9._-]", "", filename)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe}"'
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<acronym:acronym>/schedule.ics")
def schedule_ics(acronym):
    """Every session of the meeting (closed ones by number and time only)."""
    meeting, release, sessions = services.released_agenda(acronym) or abort(404)
    body = ics.schedule_calendar(meeting, release, sessions)
    return _download(body, "text/calendar", f"{acronym}-schedule.ics")


@bp.get("/<acronym:acronym>/sessions/<int:number>.ics")
def session_ics(acronym, number):
    meeting, release, session = services.public_session(acronym, number) or abort(404)
    body = ics.session_calendar(meeting, release, session)
    return _download(body, "text/calendar", f"{acronym}-session-{number}.ics")


@bp.get("/<acronym:acronym>/networks/<slug>.ics")
def network_ics(acronym, slug):
    """One network's presentations, each at its own time."""
    found = services.network_presentations(acronym, slug) or abort(404)
    meeting, release, network, items = found
    body = ics.network_calendar(meeting, release, network.acronym, items)
    return _download(body, "text/calendar", f"{acronym}-{slug}.ics")


@bp.get("/<acronym:acronym>/schedule.pdf")
def schedule_pdf(acronym):
    """The schedule to print: one page a day."""
    meeting, release, sessions = services.released_agenda(acronym) or abort(404)
    body = pdf.schedule_pdf(meeting, release, services.sessions_by_day(meeting, sessions))
    return _download(body, "application/pdf", f"{acronym}-schedule.pdf", "inline")


@bp.app_template_filter("webcal")
def webcal(url):
    """``webcal://host/…`` from an external ``http(s)://`` URL: calendar apps subscribe."""
    return re.sub(r"^https?://", "webcal://", url)
