"""Public pages of the meeting series: home, editions, a series, one meeting."""

from flask import Blueprint, abort

from wenevents.agenda import releases
from wenevents.htmx import render
from wenevents.meetings import services

bp = Blueprint("meetings", __name__)


@bp.get("/")
def home():
    """The series, newest edition first."""
    return render("meetings/home.html", editions=services.published_editions())


@bp.get("/editions")
def editions():
    """Every edition of the series with its place, dates and the event it was held alongside."""
    return render("meetings/editions.html", editions=services.published_editions())


@bp.get("/series/<slug>")
def series(slug):
    """Every published edition of a series: place, dates, the event alongside, documents
    and networks."""
    series, editions = services.series_page(slug)
    if series is None:
        abort(404)
    return render("meetings/series.html", series=series, editions=editions)


@bp.get("/<acronym:acronym>/", strict_slashes=False)
def meeting(acronym):
    """What, when, where, documents, networks and sessions of one edition."""
    meeting = services.published_meeting(acronym) or abort(404)
    editions, previous, following = services.series_neighbours(meeting)
    release = releases.latest_release(acronym)
    return render(
        "meetings/meeting.html",
        meeting=meeting,
        sessions=releases.sessions_of(release) if release else [],
        earlier_editions=[m for m in editions if m.number < meeting.number],
        previous=previous,
        following=following,
    )
