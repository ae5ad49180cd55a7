"""The released agenda as files: calendars (ICS), the PDF to print, and frab's
schedule.xml and schedule.json. On the public blueprint (views.py).

Each reads the latest release in one query (two for a network without presentations) and
answers 404 before the first release. The exports' rate limit counts renders only (it sits
inside ``pagecache.public``): a stored export costs what a stored page costs, and is served
like one, by the page cache's front. Responses carry an ETag, so a calendar app polling a
subscription gets a 304 while nothing changed.
"""

import re

from flask import abort, make_response, request

from wenevents import pagecache
from wenevents.agenda import frab, ics, pdf, releases, services
from wenevents.agenda.views import bp, redirect_by_number
from wenevents.security import export_limit

CALENDAR = "text/calendar; charset=utf-8"


def _download(body, content_type, filename=None, disposition="attachment"):
    """A public file, revalidated by its ETag: an unchanged release costs a 304."""
    response = make_response(body)
    response.headers["Content-Type"] = content_type
    if filename:
        safe = re.sub(r"[^A-Za-z0-9._-]", "", filename)
        response.headers["Content-Disposition"] = f'{disposition}; filename="{safe}"'
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/<acronym:acronym>/schedule.ics")
@pagecache.public
@export_limit
def schedule_ics(acronym):
    """Every session of the meeting (closed ones by number and time only)."""
    meeting, release, sessions = services.released_agenda(acronym) or abort(404)
    body = ics.schedule_calendar(meeting, release, sessions)
    return _download(body, CALENDAR, f"{acronym}-schedule.ics")


@bp.get("/<acronym:acronym>/sessions/<session_ref:ref>.ics")
@pagecache.public
@export_limit
def session_ics(acronym, ref):
    """One session, at its stable address: a subscription keeps following that session."""
    meeting, release, session = services.public_session(acronym, ref) or abort(404)
    body = ics.session_calendar(meeting, release, session)
    return _download(body, CALENDAR, f"{acronym}-session-{session.number}.ics")


@bp.get("/<acronym:acronym>/sessions/<int:number>.ics")
@export_limit
def session_ics_by_number(acronym, number):
    """The old address by number: redirected while unambiguous (agenda/views.py)."""
    return redirect_by_number(acronym, number, "agenda.session_ics")


@bp.get("/<acronym:acronym>/networks/<slug>.ics")
@pagecache.public
@export_limit
def network_ics(acronym, slug):
    """One network's presentations, each at its own time."""
    found = services.network_presentations(acronym, slug) or abort(404)
    meeting, release, network, items = found
    body = ics.network_calendar(meeting, release, network.acronym, items)
    return _download(body, CALENDAR, f"{acronym}-{slug}.ics")


@bp.get("/<acronym:acronym>/schedule.pdf")
@pagecache.public
@export_limit
def schedule_pdf(acronym):
    """The schedule to print: one page a day."""
    meeting, release, sessions = services.released_agenda(acronym) or abort(404)
    body = pdf.schedule_pdf(meeting, release, services.sessions_by_day(meeting, sessions))
    return _download(body, "application/pdf", f"{acronym}-schedule.pdf", "inline")


@bp.get("/<acronym:acronym>/schedule.xml")
@pagecache.public
@export_limit
def schedule_xml(acronym):
    """The latest release as frab's schedule.xml (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_xml(release), "application/xml; charset=utf-8")


@bp.get("/<acronym:acronym>/schedule.json")
@pagecache.public
@export_limit
def schedule_json(acronym):
    """The latest release as frab's schedule.json (one query)."""
    release = releases.latest_release(acronym) or abort(404)
    return _download(frab.schedule_json(release), "application/json")


@bp.app_template_filter("webcal")
def webcal(url):
    """``webcal://host/…`` from an external ``http(s)://`` URL: calendar apps subscribe."""
    return re.sub(r"^https?://", "webcal://", url)
