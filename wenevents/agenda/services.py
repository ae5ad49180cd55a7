"""Reads of the public agenda: always the latest release, never the draft.

The schedule's rules live here as plain functions: which day a page opens on, what runs
now and next, the network filter and the viewer's time zone. Every public page reads one
release in one query (two before the first release), whatever the size of the agenda.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from wenevents import timezones
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


def public_session(acronym, ref):
    """``(meeting, release, session)`` for one released session, by its ref, or None."""
    found = released_agenda(acronym)
    if found is None:
        return None
    meeting, release, sessions = found
    for session in sessions:
        if session.ref == ref:
            return meeting, release, session
    return None


@dataclass
class NumberLookup:
    """What an address by session number (the old form) names.

    ``session``: the one released session the number has always named, to redirect to;
    None when the number named different sessions over the releases (``named``: those of
    them still on the agenda, each with its number now) or names none.
    """

    meeting: Meeting
    number: int
    session: releases.PublicSession | None = None
    named: list = field(default_factory=list)


def session_by_number(acronym, number):
    """Which session ``/<acronym>/sessions/<number>`` names, over every release; None
    (404) for an unknown meeting or before the first release. One query."""
    history = releases.releases_by_acronym(acronym)
    if not history:
        return None
    latest = releases.sessions_of(history[0])
    now = {session.uid: session for session in latest}
    uids = list(
        dict.fromkeys(
            entry["uid"]
            for release in history
            for entry in release.snapshot["sessions"]
            if entry["number"] == number
        )
    )
    lookup = NumberLookup(meeting=history[0].meeting, number=number)
    if len(uids) == 1 and uids[0] in now:
        lookup.session = now[uids[0]]
    else:
        lookup.named = [now[uid] for uid in uids if uid in now]
    return lookup


# -- Time zones ---------------------------------------------------------------------


def viewer_zone(name, meeting):
    """``(zone, notice)`` for a ``?tz=`` value: the zone to show times in, or None for the
    meeting's own; a notice when the text names no zone, or several (then it is ignored)."""
    zone, notice, candidates = viewer_zone_choice(name, meeting)
    if candidates:  # no field to list them at: name them in the notice
        notice += " " + ", ".join(f"{c.city} ({c.key})" for c in candidates)
    return zone, notice


def viewer_zone_choice(name, meeting):
    """``(zone, notice, candidates)`` for a ``?tz=`` value: an IANA name or a city in the
    reader's language (``timezones.resolve``); the candidates when it names several."""
    name = (name or "").strip()
    if not name:
        return None, None, []
    found = timezones.resolve(name, str(get_locale() or "en"))
    if found.candidates:
        return (
            None,
            _(
                "“%(name)s” could be several time zones, so times are shown in the meeting’s "
                "own (%(zone)s). Choose one:",
                name=name[:64],
                zone=meeting.timezone,
            ),
            found.candidates,
        )
    if found.key is None:
        return (
            None,
            _(
                "“%(name)s” is not a time zone we know, so times are shown in the meeting’s "
                "own (%(zone)s). Type a city, such as Paris or Bangkok, or a zone name such "
                "as Europe/Paris.",
                name=name[:64],
                zone=meeting.timezone,
            ),
            [],
        )
    if found.key == meeting.timezone:
        return None, None, []
    return ZoneInfo(found.key), None, []


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
    tz_text: str = ""  # what the viewer typed for a zone, shown again when it names none
    tz_error: str | None = None  # said at the zone field
    tz_candidates: list = field(default_factory=list)  # [timezones.Zone] it may have meant

    @property
    def zones(self):
        """The zones the zone field offers, with their cities in the reader's language."""
        return timezones.zone_list(str(get_locale() or "en"))

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
    page.view_tz, page.tz_error, page.tz_candidates = viewer_zone_choice(tz, meeting)
    page.tz_text = (tz or "").strip()[:64] if page.tz_error else ""
    if release is None:
        # No zone field on a schedule not published: the notice says it instead.
        page.notices += [page.tz_error] if page.tz_error else []
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


def session_page(acronym, ref, tz="", now=None):
    """One released session with what runs in it now, or None (404)."""
    found = public_session(acronym, ref)
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
