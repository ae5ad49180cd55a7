"""The released agenda as frab-compatible ``schedule.xml`` and ``schedule.json``.

Conference apps (Giggity, EventFahrplan, pretalx and frab importers, video tracking) read
this format: conference > day > room > event. Both files are built from one list of
events, from the latest release only, so they never show the draft.

How the agenda maps onto frab, where frab has no place of its own for something:

- **Events.** One per item of a public session. A public session without items is one
  event itself (type ``Session``), so it still appears in apps. A closed session is one
  placeholder event, titled "Closed session" (type ``Closed session``), carrying only its
  number, time and room: apps show the slot as taken, and nothing else leaks.
- **GUID** is the item's (or, for the two kinds above, the session's) ``uid``: random,
  never reused, the same in every release. It is the identity apps should keep.
- **id** must be a positive integer. It is the first 31 bits of the GUID, so it too stays
  the same across releases whatever is inserted before the item (a position would not),
  and fits a signed 32-bit integer as some apps store it. Two GUIDs sharing those bits in
  one export (about one chance in 10,000 for 600 items) get the next free number.
- **track** is ``Session N: title``: apps group and colour events by track.
- **Network.** The presenting network's acronym is the event's ``subtitle``, which apps
  show under the title; our import maps a subtitle back to the meeting's network with that
  acronym.
- **Persons** are the item's presenters, then the session's chairs (chairs are persons
  too); breaks carry presenters only. A chair who also presents is listed in both roles.
  frab persons have no role, so who chairs is said once per session in
  ``conference.meta.wenevents`` (JSON only; the schema allows any content in ``meta``),
  together with what frab cannot carry: the session's number, exact start and end (its
  items need not fill it), room as entered, public flag, description and objectives. Our
  import reads it to give back the same agenda; other readers ignore it.
- **Room**: the session's room, or "Plenary" when none was entered.
"""

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from importlib import metadata

from flask_babel import gettext as _
from lxml import etree

from wenevents import languages
from wenevents.agenda import releases
from wenevents.agenda.models import BREAK, DISCUSSION, PRESENTATION
from wenevents.languages import localized
from wenevents.urls import public_url

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# Event types, never translated: our import maps them back to item kinds.
TYPES = {PRESENTATION: "Presentation", DISCUSSION: "Discussion", BREAK: "Break"}
SESSION_TYPE, CLOSED_TYPE = "Session", "Closed session"
TIMESLOT = "00:05"
# Where the session list lives in the JSON: conference.meta[META_KEY].
META_KEY = "wenevents"
META_FORMAT = 1


@dataclass
class Event:
    guid: str
    id: int
    day: date
    start: datetime
    minutes: int
    room: str
    title: str
    subtitle: str
    type: str
    track: str
    abstract: str
    description: str
    slug: str
    url: str
    persons: list[str] = field(default_factory=list)


def _version():
    try:
        return metadata.version("wenevents")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0"


def slugify(text):
    """ASCII, lower case, words joined by hyphens: ``Coffee break!`` → ``coffee-break``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _slug(acronym, number, title, fallback):
    """``gmwen4-1234-asean-wen-update``, within both schemas' slug patterns."""
    # The XSD wants 4+ of [a-z0-9_] before the first hyphen.
    prefix = acronym.replace("-", "_").ljust(4, "_")
    words = slugify(title)[:60].strip("-") or fallback
    return f"{prefix}-{number}-{words}"


def _clock(moment):
    return moment.strftime("%H:%M")


def _duration(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(start, end):
    return int((datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60)


class _Numbers:
    """Positive 31-bit ids from GUIDs; a collision takes the next free number."""

    def __init__(self):
        self.used = set()

    def __call__(self, guid):
        number = int(uuid.UUID(guid).hex[:8], 16) & 0x7FFFFFFF or 1
        while number in self.used:
            number = number % 0x7FFFFFFF + 1
        self.used.add(number)
        return number


def track_name(session):
    if not session.is_public:
        return _("Session %(number)d: %(title)s", number=session.number, title=_("Closed session"))
    return _(
        "Session %(number)d: %(title)s", number=session.number, title=localized(session, "title")
    )


def room_name(session):
    return session.room or _("Plenary")


def _events(meeting, sessions):
    """Every event of the release, in the order of the agenda."""
    tz, numbers, events = meeting.tz, _Numbers(), []
    for session in sessions:
        common = {
            "day": session.day,
            "room": room_name(session),
            "track": track_name(session),
            "url": public_url("agenda.session", acronym=meeting.acronym, ref=session.ref),
        }
        if not session.is_public or not session.items:
            number = numbers(session.uid)
            public = session.is_public
            title = localized(session, "title") if public else _("Closed session")
            events.append(
                Event(
                    guid=session.uid,
                    id=number,
                    start=session.start(tz),
                    minutes=_minutes(session.starts_at, session.ends_at),
                    title=title,
                    subtitle="",
                    type=SESSION_TYPE if public else CLOSED_TYPE,
                    abstract=localized(session, "description") if public else "",
                    description=localized(session, "objectives") if public else "",
                    # From the English title: the slug is the same in every language.
                    slug=_slug(meeting.acronym, number, session.title if public else "", "session"),
                    persons=session.chairs if public else [],
                    **common,
                )
            )
            continue
        for item in session.items:
            number = numbers(item.uid)
            persons = releases.split_names(item.presenters)
            if item.kind != BREAK:
                persons += session.chairs
            events.append(
                Event(
                    guid=item.uid,
                    id=number,
                    start=item.start(tz),
                    minutes=_minutes(item.starts_at, item.ends_at),
                    title=localized(item, "title"),
                    subtitle=item.network.acronym if item.network else "",
                    type=TYPES.get(item.kind, TYPES[PRESENTATION]),
                    abstract="",
                    description="",
                    slug=_slug(meeting.acronym, number, item.title, item.kind),
                    persons=persons,
                    **common,
                )
            )
    return events


def _meta(sessions):
    """What frab has no place for, once per session (see the module's docstring)."""
    entries = []
    for session in sessions:
        entry = {
            "guid": session.uid,
            "number": session.number,
            "track": track_name(session),
            "day": session.day.isoformat(),
            "start": _clock(session.starts_at),
            "end": _clock(session.ends_at),
            "room": session.room,
            "public": session.is_public,
        }
        if session.is_public:
            entry |= {
                "title": session.title,
                "chairs": session.chairs,
                "description": session.description,
                "objectives": session.objectives,
                # The English originals and every translation, whatever language the
                # file is written in: an import restores them all.
                "translations": session.translations,
                "items": {
                    item.uid: {"title": item.title, "translations": item.translations}
                    for item in session.items
                },
            }
        entries.append(entry)
    return {"format": META_FORMAT, "sessions": entries}


@dataclass
class _Schedule:
    meeting: object
    release: object
    sessions: list
    events: list
    rooms: list
    days: list  # (index, date, day start, day end, events of the day)


def _schedule(release):
    meeting = release.meeting
    sessions = releases.sessions_of(release)
    events = _events(meeting, sessions)
    rooms = list(dict.fromkeys(event.room for event in events))
    tz, days = meeting.tz, []
    # Sessions left outside the meeting's dates (the dates changed after a release) still
    # get a day of their own, after the meeting's, rather than vanishing from apps.
    strays = sorted({s.day for s in sessions} - set(meeting.days))
    for index, day in enumerate(meeting.days + strays, start=1):
        of_day = [event for event in events if event.day == day]
        held = [s for s in sessions if s.day == day]
        if held:
            start = min(s.start(tz) for s in held)
            end = max(s.end(tz) for s in held)
        else:
            start = datetime.combine(day, time(0, 0), tz)
            end = datetime.combine(day, time(23, 59), tz)
        days.append((index, day, start, end, of_day))
    return _Schedule(meeting, release, sessions, events, rooms, days)


def _urls(meeting):
    return {
        "base_url": public_url("meetings.home"),
        "url": public_url("meetings.meeting", acronym=meeting.acronym),
    }


def _room_guid(meeting, room):
    """A stable GUID for a room of this meeting (frab wants one; rooms have no row)."""
    base = public_url("meetings.meeting", acronym=meeting.acronym)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}#room-{room}"))


def _event_json(event):
    return {
        "guid": event.guid,
        "id": event.id,
        "date": event.start.isoformat(),
        "start": _clock(event.start),
        "duration": _duration(event.minutes),
        "room": event.room,
        "slug": event.slug,
        "url": event.url,
        "title": event.title,
        "subtitle": event.subtitle,
        "track": event.track,
        "type": event.type,
        "language": languages.current(),
        "abstract": event.abstract,
        "description": event.description,
        # "name" is the schema's current key and "public_name" what older readers know;
        # with no "id" the person is a pretalx-style person only, as the schema's oneOf asks.
        "persons": [{"name": name, "public_name": name} for name in event.persons],
        "links": [],
    }


def schedule_dict(release):
    """The ``schedule.json`` document, valid against the c3voc schema (draft-06)."""
    built = _schedule(release)
    meeting, urls = built.meeting, _urls(built.meeting)
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "wenevents", "version": _version()},
        "schedule": {
            "version": str(built.release.number),
            "base_url": urls["base_url"],
            "conference": {
                "acronym": meeting.acronym,
                "title": localized(meeting, "title"),
                "start": meeting.start_date.isoformat(),
                "end": meeting.end_date.isoformat(),
                "daysCount": len(built.days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": meeting.timezone,
                "url": urls["url"],
                "rooms": [{"name": r, "guid": _room_guid(meeting, r)} for r in built.rooms],
                "tracks": [
                    {"name": track_name(s), "slug": f"session-{s.number}"} for s in built.sessions
                ],
                "meta": {META_KEY: _meta(built.sessions)},
                "days": [
                    {
                        "index": index,
                        "date": day.isoformat(),
                        "day_start": start.isoformat(),
                        "day_end": end.isoformat(),
                        "rooms": {
                            room: [_event_json(e) for e in events if e.room == room]
                            for room in built.rooms
                        },
                    }
                    for index, day, start, end, events in built.days
                ],
            },
        },
    }


def schedule_json(release):
    """``schedule.json`` as UTF-8 bytes: compact, and the same bytes for the same release."""
    document = schedule_dict(release)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sub(parent, tag, text=None, **attributes):
    element = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = str(text)
    return element


def _event_xml(parent, event):
    element = _sub(parent, "event", guid=event.guid, id=event.id)
    _sub(element, "room", event.room)
    _sub(element, "title", event.title)
    _sub(element, "subtitle", event.subtitle)
    _sub(element, "type", event.type)
    _sub(element, "date", event.start.isoformat())
    _sub(element, "start", _clock(event.start))
    _sub(element, "duration", _duration(event.minutes))
    _sub(element, "abstract", event.abstract)
    _sub(element, "slug", event.slug)
    _sub(element, "track", event.track)
    persons = _sub(element, "persons")
    for name in event.persons:
        _sub(persons, "person", name)
    _sub(element, "language", languages.current())
    _sub(element, "description", event.description)
    _sub(element, "links")
    _sub(element, "url", event.url)


def schedule_xml(release):
    """``schedule.xml`` as UTF-8 bytes, valid against the c3voc XSD."""
    built = _schedule(release)
    meeting, urls = built.meeting, _urls(built.meeting)
    root = etree.Element("schedule")
    _sub(root, "generator", name="wenevents", version=_version())
    _sub(root, "url", public_url("agenda.schedule_xml", acronym=meeting.acronym))
    _sub(root, "version", built.release.number)
    conference = _sub(root, "conference")
    _sub(conference, "acronym", meeting.acronym)
    _sub(conference, "title", localized(meeting, "title"))
    _sub(conference, "start", meeting.start_date.isoformat())
    _sub(conference, "end", meeting.end_date.isoformat())
    _sub(conference, "days", len(built.days))
    _sub(conference, "timeslot_duration", TIMESLOT)
    _sub(conference, "base_url", urls["base_url"])
    _sub(conference, "url", urls["url"])
    _sub(conference, "time_zone_name", meeting.timezone)
    for session in built.sessions:
        _sub(conference, "track", name=track_name(session), slug=f"session-{session.number}")
    for index, day, start, end, events in built.days:
        day_element = _sub(
            root, "day", index=index, date=day.isoformat(), start=start.isoformat(),
            end=end.isoformat(),
        )  # fmt: skip
        for room in built.rooms:
            room_element = _sub(day_element, "room", name=room, guid=_room_guid(meeting, room))
            for event in events:
                if event.room == room:
                    _event_xml(room_element, event)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
