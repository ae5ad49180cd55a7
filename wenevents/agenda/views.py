"""The public schedule of a meeting and its session pages."""

from flask import Blueprint, abort

from wenevents.agenda import services
from wenevents.htmx import render

bp = Blueprint("agenda", __name__)


@bp.get("/<acronym:acronym>/schedule")
def schedule(acronym):
    """Sessions by day, in order, with their presentations; closed sessions without details."""
    meeting, release, sessions = services.public_agenda(acronym) or abort(404)
    days = services.sessions_by_day(meeting, sessions)
    return render("agenda/schedule.html", meeting=meeting, release=release, days=days)


@bp.get("/<acronym:acronym>/sessions/<int:number>")
def session(acronym, number):
    """One session; a closed one shows only its number, time and that it is closed."""
    meeting, release, session = services.public_session(acronym, number) or abort(404)
    return render("agenda/session.html", session=session, meeting=meeting, release=release)
