"""The public schedule of a meeting and its session pages."""

from flask import Blueprint, abort, request
from flask_babel import format_date

from wenevents.agenda import services
from wenevents.htmx import render

bp = Blueprint("agenda", __name__)


def _schedule_args():
    """What a schedule URL may ask for: ``?day=``, ``?network=``, ``?tz=`` (cut short)."""
    return {name: request.args.get(name, "")[:100] for name in ("day", "network", "tz")}


@bp.get("/<acronym:acronym>/schedule")
def schedule(acronym):
    """Sessions of one day (or all days), with what runs now, for everyone or one network.

    Tabs, the network filter and the time zone switch swap ``#schedule`` for htmx; the same
    URL gives the whole page without JavaScript.
    """
    page = services.schedule_page(acronym, **_schedule_args()) or abort(404)
    html = render(
        "agenda/schedule.html", block="schedule", target="schedule", page=page, meeting=page.meeting
    )
    return html, page.status


@bp.get("/<acronym:acronym>/schedule/now")
def schedule_now(acronym):
    """The days of the schedule with the now and next markers, polled every minute while
    the meeting runs; a request without htmx gets the whole schedule page."""
    page = services.schedule_page(acronym, **_schedule_args()) or abort(404)
    html = render(
        "agenda/schedule.html",
        block="days",
        target="schedule-days",
        page=page,
        meeting=page.meeting,
    )
    return html, page.status


@bp.get("/<acronym:acronym>/sessions/<int:number>")
def session(acronym, number):
    """One session; a closed one shows only its number, time and that it is closed.

    While it runs, its programme marks the item now and next and refreshes every minute.
    """
    tz = request.args.get("tz", "")[:100]
    page = services.session_page(acronym, number, tz=tz) or abort(404)
    return render(
        "agenda/session.html",
        block="programme",
        target="session-programme",
        page=page,
        session=page.session,
        meeting=page.meeting,
        release=page.release,
    )


@bp.app_template_filter("short_day")
def short_day(value):
    """``Wed 22 Nov``: a date beside a time, when a converted time falls on another day."""
    return format_date(value, "EEE d MMM")
