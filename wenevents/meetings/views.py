"""Public pages of the meeting series: home, editions, a series, one meeting."""

from flask import Blueprint, abort

from wenevents import pagecache, signals
from wenevents.htmx import render
from wenevents.meetings import services
from wenevents.web import acting_user

bp = Blueprint("meetings", __name__)


@bp.get("/")
@pagecache.public
def home():
    """The series, newest edition first."""
    return render("meetings/home.html", editions=services.published_editions())


@bp.get("/editions")
@pagecache.public
def editions():
    """Every edition of the series with its place, dates and the event it was held alongside."""
    return render("meetings/editions.html", editions=services.published_editions())


@bp.get("/series/<slug>")
@pagecache.public
def series(slug):
    """Every published edition of a series: place, dates, the event alongside, documents
    and networks."""
    series, editions = services.series_page(slug)
    if series is None:
        abort(404)
    return render("meetings/series.html", series=series, editions=editions)


@bp.get("/<acronym:acronym>/", strict_slashes=False)
@pagecache.public(live=True)
def meeting(acronym):
    """What, when, where, documents, networks and sessions of one edition."""
    meeting = services.published_meeting(acronym) or abort(404)
    editions, previous, following = services.series_neighbours(meeting)
    # The sessions as released and the link to the upload page are the higher domains'.
    shown = {"sessions": [], "released": False, "may_upload": False}
    for values in signals.answers(signals.meeting_page, meeting, user=acting_user()):
        shown.update(values)
    return render(
        "meetings/meeting.html",
        meeting=meeting,
        earlier_editions=[m for m in editions if m.number < meeting.number],
        previous=previous,
        following=following,
        **shown,
    )


@bp.get("/<acronym:acronym>/privacy")
@pagecache.public
def privacy(acronym):
    """The meeting's privacy notice (the organisers', else the site's standard one), and
    when its registrations' personal data is removed."""
    meeting = services.published_meeting(acronym) or abort(404)
    return render("meetings/privacy.html", meeting=meeting)
