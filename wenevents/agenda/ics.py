"""Calendar files (RFC 5545) with the icalendar library.

The schedule's files read a release (never the draft). Every event keeps the UID of its
session or item (``<uid>@wenevents``) from release to release, with the release's
``SEQUENCE`` and ``LAST-MODIFIED`` of that entry, so a subscribed calendar updates an event
instead of adding a copy. Times carry the meeting's ``TZID``, defined by a ``VTIMEZONE``.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from wenevents.agenda.releases import PublicItem
from wenevents.languages import localized
from wenevents.urls import public_url

PRODID = "-//wenevents//Global Meeting of Wildlife Enforcement Networks//EN"


def meeting_calendar(meeting):
    """The whole meeting as one all-day event (its days), with a stable UID."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.acronym}@wenevents")
    event.add("summary", localized(meeting, "title"))
    event.add("dtstart", meeting.start_date)
    # All-day events end on the day after the last (DTEND is exclusive).
    event.add("dtend", meeting.end_date + timedelta(days=1))
    event.add("dtstamp", datetime.now(UTC))
    where = ", ".join(p for p in (meeting.venue, meeting.city) if p)
    if where:
        event.add("location", where)
    event.add("url", public_url("meetings.meeting", acronym=meeting.acronym))
    calendar.add_component(event)
    return calendar.to_ical()


# -- The released schedule ------------------------------------------------------------


def _utc(naive):
    """A stored (naive UTC) timestamp as an aware one."""
    return naive.replace(tzinfo=UTC)


def _calendar(meeting, name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Names most calendar apps show for a subscription.
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", meeting.timezone)
    return calendar


def _finish(calendar, meeting, entries):
    """Add the VTIMEZONE of every zone used, covering the meeting's days and the entries'
    (a short definition: only the offsets in force then)."""
    days = [meeting.start_date, meeting.end_date, *(entry.day for entry in entries)]
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=2)
    calendar.add_component(_vtimezone(meeting.timezone, first, last))
    # Any other zone (none today: every time is in the meeting's).
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


@lru_cache(maxsize=64)
def _vtimezone(key, first, last):
    """The VTIMEZONE of zone ``key`` between two dates, built once per process: building
    it walks the zone's transitions, most of a calendar's time before. Shared, so read
    only (to_ical() does not change it)."""
    return Timezone.from_tzid(key, first_date=first, last_date=last)


def _location(meeting, room):
    return ", ".join(part for part in (room, meeting.venue, meeting.city) if part)


def session_title(session):
    """``Session 3 – Exploring…``, or ``Session 4 – Closed session``."""
    title = localized(session, "title") if session.is_public else _("Closed session")
    return _("Session %(number)s – %(title)s", number=session.number, title=title)


def _item_text(item):
    line = f"{item.starts_at:%H:%M}–{item.ends_at:%H:%M} {localized(item, 'title')}"
    if item.network:
        line += f" ({item.network.acronym})"
    if item.presenters:
        line += f" – {item.presenters}"
    return line


def _session_description(meeting, session):
    parts = []
    if session.chair:
        parts.append(_("Chair: %(names)s", names=session.chair))
    if session.description:
        parts.append(localized(session, "description"))
    if session.items:
        parts.append("\n".join(_item_text(item) for item in session.items))
    if meeting.disclaimer and session.items:
        parts.append(meeting.disclaimer)
    return "\n\n".join(parts)


def _stamp(event, release, entry, tz):
    event.add("uid", f"{entry.uid}@wenevents")
    event.add("dtstamp", _utc(release.created_at))
    event.add("last-modified", _utc(entry.modified))
    event.add("sequence", entry.sequence)
    event.add("dtstart", entry.start(tz))
    event.add("dtend", entry.end(tz))


def session_event(meeting, release, session):
    """One session as a VEVENT; a closed one gives its number, time and room only."""
    event = Event()
    _stamp(event, release, session, meeting.tz)
    event.add("summary", session_title(session))
    location = _location(meeting, session.room)
    if location:
        event.add("location", location)
    if session.is_public:
        description = _session_description(meeting, session)
        if description:
            event.add("description", description)
        event.add(
            "url",
            public_url("agenda.session", acronym=meeting.acronym, ref=session.ref),
        )
    return event


def presentation_event(meeting, release, item):
    """One presentation, at its own times, as a VEVENT."""
    session = item.session
    event = Event()
    _stamp(event, release, item, meeting.tz)
    who = f"{item.network.acronym}: " if item.network else ""
    event.add("summary", f"{who}{localized(item, 'title')}")
    location = _location(meeting, session.room)
    if location:
        event.add("location", location)
    parts = [session_title(session)]
    if item.presenters:
        parts.append(_("Presenters: %(names)s", names=item.presenters))
    if meeting.disclaimer:
        parts.append(meeting.disclaimer)
    event.add("description", "\n\n".join(parts))
    event.add(
        "url",
        public_url("agenda.session", acronym=meeting.acronym, ref=session.ref),
    )
    return event


def schedule_calendar(meeting, release, sessions):
    """Every session of a release, public or closed, as one calendar."""
    calendar = _calendar(meeting, localized(meeting, "title"))
    for session in sessions:
        calendar.add_component(session_event(meeting, release, session))
    return _finish(calendar, meeting, sessions)


def session_calendar(meeting, release, session):
    """One session as a calendar (the same event, same UID, as in the whole schedule)."""
    calendar = _calendar(meeting, f"{localized(meeting, 'title')}: {session_title(session)}")
    calendar.add_component(session_event(meeting, release, session))
    return _finish(calendar, meeting, [session])


def network_calendar(meeting, release, network_name, items):
    """One network's presentations, each at its own times."""
    calendar = _calendar(meeting, f"{localized(meeting, 'title')}: {network_name}")
    for item in items:
        calendar.add_component(presentation_event(meeting, release, item))
    return _finish(calendar, meeting, items)


def changes_calendar(meeting, release, sessions, items, cancelled=()):
    """The calendar a release notice attaches: each changed session and presentation as
    the release has it (its SEQUENCE risen, so a calendar that has the event updates it),
    and each cancelled one (from the release before) with STATUS:CANCELLED."""
    calendar = _calendar(meeting, localized(meeting, "title"))
    entries = [*sessions, *items]
    for session in sessions:
        calendar.add_component(session_event(meeting, release, session))
    for item in items:
        calendar.add_component(presentation_event(meeting, release, item))
    for entry in cancelled:
        event = (
            presentation_event(meeting, release, entry)
            if isinstance(entry, PublicItem)
            else session_event(meeting, release, entry)
        )
        # Later than any version the calendar saw: the entry is not in this release.
        event.pop("sequence")
        event.add("sequence", entry.sequence + 1)
        event.add("status", "CANCELLED")
        calendar.add_component(event)
        entries.append(entry)
    return _finish(calendar, meeting, entries)


def personal_calendar(meeting, release, sessions, items):
    """A person's own part in a release (the sessions they chair or follow, the
    presentations they give, of their network or of one they follow), for their private
    feed: the same UIDs as the public calendars, so each updates in place."""
    calendar = _calendar(meeting, f"{localized(meeting, 'title')}: {_('My meeting')}")
    for session in sessions:
        calendar.add_component(session_event(meeting, release, session))
    for item in items:
        calendar.add_component(presentation_event(meeting, release, item))
    return _finish(calendar, meeting, [*sessions, *items])
