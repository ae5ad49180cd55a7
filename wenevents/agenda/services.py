"""Reads of the public agenda: always the latest release, never the draft.

The schedule's rules live here as plain functions: which day a page opens on, what runs
now and next, the network filter and the viewer's time zone. Every public page reads one
release in one query (two before the first release), whatever the size of the agenda.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import groupby
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import gettext as _
from sqlalchemy import select

from wenevents.agenda import releases
from wenevents.agenda.models import PRESENTATION
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting
from wenevents.networks.services import network_by_slug

ALL_DAYS = "all"


def now_utc():
    """The current moment (aware, UTC): the one clock the public agenda reads.

    Tests replace this function to put the schedule at any moment of a meeting.
    """
    return datetime.now(UTC)


def public_agenda(acronym):
    """``(meeting, release, sessions)`` of a published meeting, or None.

    ``release`` is None (and ``sessions`` empty) until the agenda is first published.
    One query when released, two before.
    """
    release = releases.latest_release(acronym)
    if release is not None:
        return release.meeting, release, releases.sessions_of(release)
    query = select(Meeting).where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
    meeting = db.session.scalars(query).first()
    return (meeting, None, []) if meeting else None


def released_agenda(acronym):
    """``(meeting, release, sessions)`` once the agenda is published; None before (or for
    an unknown meeting). What the exports read: there is nothing to export before."""
    release = releases.latest_release(acronym)
    if release is None:
        return None
    return release.meeting, release, releases.sessions_of(release)


def sessions_by_day(meeting, sessions):
    """``[(day, [sessions…]), …]`` for every day of the meeting, empty days included."""
    by_day = {day: list(group) for day, group in groupby(sessions, key=lambda s: s.day)}
    return [(day, by_day.pop(day, [])) for day in meeting.days] + sorted(by_day.items())


def public_session(acronym, number):
    """``(meeting, release, session)`` for one released session, or None."""
    found = released_agenda(acronym)
    if found is None:
        return None
    meeting, release, sessions = found
    for session in sessions:
        if session.number == number:
            return meeting, release, session
    return None


# -- Time zones ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _zones():
    """``{lower-case name: name}`` of every IANA zone the system knows (read once)."""
    return {name.lower(): name for name in available_timezones()}


def viewer_zone(name, meeting):
    """``(zone, notice)`` for a ``?tz=`` value: the zone to show times in, or None for the
    meeting's own; a notice when the name is not a known IANA zone (then it is ignored)."""
    name = (name or "").strip()
    if not name:
        return None, None
    known = _zones().get(name[:64].lower())
    if known is None:
        return None, _(
            "“%(name)s” is not a time zone we know, so times are shown in the meeting’s own "
            "(%(zone)s). Use a name such as Europe/Paris or Asia/Bangkok.",
            name=name[:64],
            zone=meeting.timezone,
        )
    if known == meeting.timezone:
        return None, None
    return ZoneInfo(known), None


# -- Now and next ---------------------------------------------------------------------


@dataclass
class Clock:
    """What runs now and what comes next, at one moment; all None outside the meeting."""

    live: bool = False
    now_session: releases.PublicSession | None = None
    now_item: releases.PublicItem | None = None
    next_session: releases.PublicSession | None = None
    next_item: releases.PublicItem | None = None

    def mark(self, entry):
        """``"now"``, ``"next"`` or ``""`` for a session or an item."""
        if entry is None:
            return ""
        if entry is self.now_session or entry is self.now_item:
            return "now"
        if entry is self.next_session or entry is self.next_item:
            return "next"
        return ""


def meeting_today(meeting, now):
    """The date in the meeting's zone at ``now``."""
    return now.astimezone(meeting.tz).date()


def is_live(meeting, now):
    """True while the meeting runs: today, in its own zone, is one of its days."""
    return meeting.start_date <= meeting_today(meeting, now) <= meeting.end_date


def clock(meeting, sessions, now):
    """The session and item running at ``now`` and the ones after them.

    ``next_item`` is the next item of the running session; ``next_session`` the first
    session that has not started. Only while the meeting runs: before and after, nothing.
    """
    if not is_live(meeting, now):
        return Clock()
    tz = meeting.tz
    result = Clock(live=True)
    for session in sessions:
        if session.start(tz) <= now < session.end(tz):
            result.now_session = session
            for item in session.items:
                if item.start(tz) <= now < item.end(tz):
                    result.now_item = item
                elif item.start(tz) > now and result.next_item is None:
                    result.next_item = item
        elif session.start(tz) > now and result.next_session is None:
            # Sessions come in order of time: the first not yet started is the next.
            result.next_session = session
    return result


def network_presentations(acronym, slug):
    """``(meeting, release, network, [presentations])`` of one network, or None.

    A known network without presentations in the release gets an empty list (a calendar
    one may subscribe to before the network is on the agenda); an unknown one, None.
    """
    found = released_agenda(acronym)
    if found is None:
        return None
    meeting, release, sessions = found
    items = network_items(sessions, slug)
    if items:
        return meeting, release, items[0].network, items
    network = network_by_slug(slug)
    if network is None:
        return None
    return meeting, release, network, []


# -- The schedule page ----------------------------------------------------------------


def presenting_networks(sessions):
    """The networks with a presentation in the release, by acronym."""
    found = {
        item.network.slug: item.network
        for session in sessions
        for item in session.items
        if item.network is not None and item.kind == PRESENTATION
    }
    return sorted(found.values(), key=lambda n: n.acronym.lower())


def only_network(sessions, slug):
    """The sessions where the network presents, each with that network's items only."""
    kept = []
    for session in sessions:
        items = [i for i in session.items if i.network is not None and i.network.slug == slug]
        if items:
            kept.append(replace(session, items=items))
    return kept


def network_items(sessions, slug):
    """Every presentation of one network, in order."""
    return [
        item
        for session in sessions
        for item in session.items
        if item.kind == PRESENTATION and item.network is not None and item.network.slug == slug
    ]


def chosen_day(value, days, today):
    """``(day, notice)``: the day a ``?day=`` value asks for, ``None`` for all days.

    Without a value (or with one that is no day of the schedule), the page opens on today
    while the meeting runs, else on its first day.
    """
    value = (value or "").strip()
    if value == ALL_DAYS:
        return None, None
    default = today if today in days else (days[0] if days else None)
    if not value:
        return default, None
    try:
        day = date.fromisoformat(value[:10]) if len(value) == 10 else None
    except ValueError:
        day = None
    if day in days:
        return day, None
    return default, _("There is no day %(value)s in this schedule.", value=value[:20])


@dataclass
class SchedulePage:
    """Everything the schedule page shows, ready for its template."""

    meeting: Meeting
    release: object = None
    days: list = field(default_factory=list)  # [(day, [sessions])], every day
    day: date | None = None  # the day shown; None: every day
    today: date | None = None  # today in the meeting's zone
    networks: list = field(default_factory=list)
    network: releases.PublicNetwork | None = None
    view_tz: ZoneInfo | None = None  # the viewer's chosen zone; None: the meeting's
    clock: Clock = field(default_factory=Clock)
    notices: list = field(default_factory=list)
    status: int = 200

    @property
    def tz(self):
        return self.meeting.tz

    @property
    def shown(self):
        """The days on the page: one, or all of them."""
        return [(d, s) for d, s in self.days if self.day is None or d == self.day]

    def args(self, **changes):
        """Query arguments of this view, with ``changes``; empty ones left out."""
        values = {
            "day": ALL_DAYS if self.day is None else self.day.isoformat(),
            "network": self.network.slug if self.network else "",
            "tz": self.view_tz.key if self.view_tz else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def schedule_page(acronym, day="", network="", tz="", now=None):
    """The schedule of a published meeting as one ``SchedulePage``, or None (404).

    ``day`` is an ISO date or ``"all"``; ``network`` a presenting network's slug (another
    gives status 404 with a notice, and the whole schedule); ``tz`` an IANA zone name to
    show times in (an unknown one is ignored with a notice).
    """
    found = public_agenda(acronym)
    if found is None:
        return None
    meeting, release, sessions = found
    now = now or now_utc()
    page = SchedulePage(meeting=meeting, release=release)
    page.view_tz, notice = viewer_zone(tz, meeting)
    page.notices += [notice] if notice else []
    if release is None:
        return page
    page.networks = presenting_networks(sessions)
    slug = (network or "").strip()
    if slug:
        page.network = next((n for n in page.networks if n.slug == slug), None)
        if page.network is None:
            page.status = 404
            page.notices.append(
                _(
                    "No network “%(slug)s” presents at this meeting; the whole schedule is shown.",
                    slug=slug[:40],
                )
            )
        else:
            sessions = only_network(sessions, slug)
    page.days = sessions_by_day(meeting, sessions)
    page.today = meeting_today(meeting, now)
    page.day, notice = chosen_day(day, [d for d, _s in page.days], page.today)
    page.notices += [notice] if notice else []
    page.clock = clock(meeting, sessions, now)
    return page


@dataclass
class SessionPage:
    meeting: Meeting
    release: object
    session: releases.PublicSession
    view_tz: ZoneInfo | None = None
    clock: Clock = field(default_factory=Clock)
    notices: list = field(default_factory=list)
    today: date | None = None

    @property
    def tz(self):
        return self.meeting.tz

    @property
    def polls(self):
        """Refresh the programme every minute on the session's day, while the meeting runs."""
        return self.clock.live and self.session.day == self.today


def session_page(acronym, number, tz="", now=None):
    """One released session with what runs in it now, or None (404)."""
    found = public_session(acronym, number)
    if found is None:
        return None
    meeting, release, session = found
    page = SessionPage(meeting=meeting, release=release, session=session)
    page.view_tz, notice = viewer_zone(tz, meeting)
    page.notices += [notice] if notice else []
    now = now or now_utc()
    page.today = meeting_today(meeting, now)
    page.clock = clock(meeting, [session], now)
    return page
