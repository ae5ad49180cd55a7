"""The public pages of an agenda: the schedule, its sessions, the changelog of releases.

Its downloads (calendars, PDF, frab's XML and JSON) are in exports_views.py, on the same
blueprint.
"""

from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date

from wenevents import languages, pagecache
from wenevents.agenda import releases, services
from wenevents.agenda.releases import PublicItem, PublicSession
from wenevents.htmx import render
from wenevents.web import offset_label

bp = Blueprint("agenda", __name__)


def _clock():
    # Read at each request: the schedule's "now" is services.now_utc (tests replace it).
    return services.now_utc()


def _schedule_args():
    """What a schedule URL may ask for: ``?day=``, ``?network=``, ``?tz=`` (cut short)."""
    return {name: request.args.get(name, "")[:100] for name in ("day", "network", "tz")}


@bp.get("/<acronym:acronym>/schedule")
@pagecache.public(args=("day", "network", "tz"), live=_clock)
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


@bp.get("/<acronym:acronym>/schedule/text")
@pagecache.public
def schedule_text(acronym):
    """Every day of the released schedule as text, for a slow or costly connection: no
    styles, images or scripts; a few kilobytes."""
    found = services.released_agenda(acronym) or abort(404)
    meeting, release, sessions = found
    return render(
        "agenda/schedule_text.html",
        meeting=meeting,
        release=release,
        days=services.sessions_by_day(meeting, sessions),
    )


@bp.get("/<acronym:acronym>/schedule/now")
@pagecache.public(args=("day", "network", "tz"), live=_clock)
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


@bp.get("/<acronym:acronym>/sessions/<session_ref:ref>")
@pagecache.public(args=("tz",), live=_clock)
def session(acronym, ref):
    """One session, at its stable address; a closed one shows only its number, time and
    that it is closed.

    While it runs, its programme marks the item now and next and refreshes every minute.
    """
    tz = request.args.get("tz", "")[:100]
    page = services.session_page(acronym, ref, tz=tz) or abort(404)
    return render(
        "agenda/session.html",
        block="programme",
        target="session-programme",
        page=page,
        session=page.session,
        meeting=page.meeting,
        release=page.release,
    )


@bp.get("/<acronym:acronym>/sessions/<int:number>")
def session_by_number(acronym, number):
    """The old address by number: to the session's own address while the number has
    always named the same session; else a 404 that lists the sessions it named."""
    return redirect_by_number(acronym, number, "agenda.session")


def redirect_by_number(acronym, number, endpoint):
    """A 302 from an address by session number to ``endpoint`` at the session's ref (with
    the same query), or the 404 page that says which sessions the number named."""
    lookup = services.session_by_number(acronym, number) or abort(404)
    if lookup.session is None:
        html = render("agenda/session_number.html", lookup=lookup, meeting=lookup.meeting)
        return html, 404
    args = {name: request.args[name][:100] for name in ("tz",) if request.args.get(name)}
    return redirect(url_for(endpoint, acronym=acronym, ref=lookup.session.ref, **args), 302)


@bp.get("/<acronym:acronym>/changelog")
@pagecache.public
def changelog(acronym):
    """Every release of the agenda, newest first, with what each one changed."""
    meeting, _release, _sessions = services.public_agenda(acronym) or abort(404)
    return render("agenda/changelog.html", meeting=meeting, releases=releases.releases_of(meeting))


@bp.get("/<acronym:acronym>/changelog.atom")
@pagecache.public
def changelog_feed(acronym):
    """The changelog for feed readers: one entry per release."""
    meeting, _release, _sessions = services.public_agenda(acronym) or abort(404)
    body = render_template(
        "agenda/changelog.atom.xml", meeting=meeting, releases=releases.releases_of(meeting)
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    return response


@bp.app_template_filter("short_day")
def short_day(value):
    """``Wed 22 Nov``: a date beside a time, when a converted time falls on another day."""
    return format_date(value, "EEE d MMM")


# Zone and language pairs whose times a released entry keeps (times()).
KEPT_TIMES = 8


class Times(NamedTuple):
    """A session's or an item's start and end as the schedule shows them."""

    start_iso: str  # the moment, with the meeting's offset (<time datetime>)
    start: str  # 09:00, in the zone shown
    end_iso: str
    end: str
    other_day: str  # "Wed 22 Nov" when the zone shown puts the start on another day
    offset: str  # "UTC−05:00": the zone shown, on the day shown


@bp.app_template_global()
def times(entry, tz, view=None, language=None):
    """``entry``'s times in ``view`` (default: the meeting's zone ``tz``), for the
    clock_range macro. In Python: the schedule shows them for every item, and computing
    them in the macro was a third of the render at ten times the demo. ``language``, the
    page's (the one in force), given by the template saves looking up the locale for each
    item.

    A released entry never changes and each process keeps its objects (releases.py), so
    its times are kept with it, for a few zones and languages (any zone may be asked
    for: memory must not grow with what strangers ask)."""
    if not isinstance(entry, PublicItem | PublicSession):
        return _times(entry, tz, view)
    key = (tz, view, language or languages.current())
    shown = entry.__dict__.setdefault("_shown_times", {})
    found = shown.get(key)
    if found is None:
        found = _times(entry, tz, view)
        if len(shown) < KEPT_TIMES:
            shown[key] = found
    return found


def _times(entry, tz, view):
    start, end = entry.start(tz), entry.end(tz)
    shown_start, shown_end = (
        (start, end) if view is None else (start.astimezone(view), end.astimezone(view))
    )
    day = shown_start.date()
    return Times(
        start.isoformat(),
        f"{shown_start:%H:%M}",
        end.isoformat(),
        f"{shown_end:%H:%M}",
        short_day(day) if day != entry.day else "",
        offset_label(shown_start.utcoffset()),
    )


@bp.app_template_global()
def network_url(network):
    """A network's page, built once per request and network (the schedule links each
    presentation to its network)."""
    urls = g.setdefault("network_urls", {})
    if network.slug not in urls:
        urls[network.slug] = url_for("networks.network", slug=network.slug)
    return urls[network.slug]
