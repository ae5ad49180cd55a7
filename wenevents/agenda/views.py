"""The public schedule of a meeting and its session pages."""

from flask import Blueprint, abort

from wenevents.agenda import services
from wenevents.htmx import render

bp = Blueprint("agenda", __name__)


@bp.get("/<acronym:acronym>/schedule")
def schedule(acronym):
    """Sessions by day, in order, with their presentations; closed sessions without details."""
    meeting = services.published_schedule(acronym) or abort(404)
    return render("agenda/schedule.html", meeting=meeting, days=services.sessions_by_day(meeting))


@bp.get("/<acronym:acronym>/sessions/<int:number>")
def session(acronym, number):
    """One session; a closed one shows only its number, time and that it is closed."""
    session = services.published_session(acronym, number) or abort(404)
    return render("agenda/session.html", session=session, meeting=session.meeting)
