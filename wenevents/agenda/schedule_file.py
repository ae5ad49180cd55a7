"""Reading a frab-compatible ``schedule.json`` (pretalx, frab, ours) for an import: its
events as talks at wall-clock times in the meeting's zone, the sessions our own exports
carry, and what the agenda has no place for. Input it cannot read raises ImportProblem,
with a message for the person. import_plan.py makes sessions of them.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from wenevents.agenda import frab
from wenevents.languages import TRANSLATED
from wenevents.text import clean_line, clean_text, stacked_marks

MAX_BYTES = 5 * 1024 * 1024
# Beyond this a preview page (and its signed plan) gets unwieldy; no meeting comes near.
MAX_EVENTS = 3000
_DURATION = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


class ImportProblem(Exception):
    """Input that cannot be imported; the message is for the person, ``status`` for HTTP."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.status = status


@dataclass
class Talk:
    """An event of the file, its time in the meeting's zone (naive wall clock)."""

    order: int
    title: str
    start: datetime
    minutes: int
    room: str
    track: str
    type: str
    subtitle: str
    persons: list[str]
    guid: str
    has_text: bool = False

    @property
    def end(self):
        return self.start + timedelta(minutes=self.minutes)


@dataclass
class _Extras:
    """What the file has that the agenda has no place for, counted for the notes."""

    person_details: int = 0
    links: int = 0
    attachments: int = 0
    texts: int = 0
    converted: bool = False


@dataclass
class _MetaSession:
    guid: str
    track: str
    day: date
    start: time
    end: time
    room: str
    public: bool
    title: str
    chairs: list[str]
    description: str
    objectives: str
    talks: list[Talk] = field(default_factory=list)
    translations: dict = field(default_factory=dict)
    # {event guid: {"title": English title, "translations": {...}}}
    items: dict = field(default_factory=dict)


# Session and item fields a file may carry translations of.
TRANSLATED_FIELDS = ("title", "description", "objectives")


# -- Reading the file -------------------------------------------------------------------


def _wrong_shape(where, what):
    return ImportProblem(
        _(
            "This is not a frab or pretalx schedule.json: %(where)s is missing or is not %(what)s.",
            where=where,
            what=what,
        )
    )


def _get(mapping, key, kind, where, what):
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if not isinstance(value, kind):
        raise _wrong_shape(where, what)
    return value


def load(data):
    if len(data) > MAX_BYTES:
        raise ImportProblem(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    if not data.strip():
        raise ImportProblem(_("The file is empty."))
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise ImportProblem(
            _("This file is not JSON. Upload the schedule.json that pretalx or frab export.")
        ) from None
    if not isinstance(document, dict):
        raise _wrong_shape("“schedule”", _("an object"))
    schedule = _get(document, "schedule", dict, "“schedule”", _("an object"))
    return _get(schedule, "conference", dict, "“schedule.conference”", _("an object"))


def _zone(conference, meeting):
    """The zone of times given without an offset: the file's, else the meeting's."""
    name = conference.get("time_zone_name")
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            pass
    return meeting.tz


def _when(event, day, zone, where):
    """The event's start as an aware datetime, from ``date`` (or the day and ``start``)."""
    text = event.get("date")
    if text is None and isinstance(event.get("start"), str) and isinstance(day, str):
        text = f"{day}T{event['start']}"
    if not isinstance(text, str):
        raise _wrong_shape(where + " “date”", _("a date and time"))
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ImportProblem(
            _("%(where)s has a date that is not a date and time: “%(value)s”.",
              where=where, value=text[:40])
        ) from None  # fmt: skip
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _duration_minutes(event, where):
    text = event.get("duration")
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ImportProblem(
            _("%(where)s has no duration in hours and minutes (such as 00:30).", where=where)
        )
    return int(match[1]) * 60 + int(match[2])


def _text(event, key, where):
    value = event.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _wrong_shape(f"{where} “{key}”", _("text"))
    return _line(value, f"{where} “{key}”")


def _line(value, where):
    """Text of the file as the forms keep it (text.clean_line), or the file is refused."""
    value = clean_line(value).strip()
    if stacked_marks(value):
        raise ImportProblem(_("%(where)s has too many marks stacked on one letter.", where=where))
    return value


def _person_names(event, where, extras):
    persons = event.get("persons") or []
    if not isinstance(persons, list):
        raise _wrong_shape(f"{where} “persons”", _("a list"))
    names = []
    for person in persons:
        if isinstance(person, str):
            name = person
        elif isinstance(person, dict):
            name = person.get("name") or person.get("public_name") or ""
            if set(person) - {"name", "public_name", "id", "guid", "code"}:
                extras.person_details += 1
        else:
            raise _wrong_shape(f"{where} “persons”", _("a list of persons"))
        if isinstance(name, str) and name.strip():
            names.append(" ".join(_line(name, f"{where} “persons”").split()))
    return names


def talks_of(conference, meeting):
    """Every event of the file as a Talk, in file order; a malformed one refuses the file."""
    zone, tz = _zone(conference, meeting), meeting.tz
    extras, talks = _Extras(), []
    days = _get(conference, "days", list, "“conference.days”", _("a list"))
    for number, day in enumerate(days, start=1):
        rooms = _get(day, "rooms", dict, f"day {number} “rooms”", _("an object"))
        for room_key, events in rooms.items():
            if not isinstance(events, list):
                raise _wrong_shape(f"day {number}, room “{room_key}”", _("a list of events"))
            for event in events:
                where = _("Event %(n)d", n=len(talks) + 1)
                if not isinstance(event, dict):
                    raise _wrong_shape(where, _("an object"))
                title = event.get("title")
                if not isinstance(title, str):
                    raise _wrong_shape(f"{where} “title”", _("text"))
                where = _("Event %(n)d (“%(title)s”)", n=len(talks) + 1, title=title[:60])
                start = _when(event, day.get("date"), zone, where)
                local = start.astimezone(tz).replace(tzinfo=None)
                extras.converted |= start.utcoffset() != local.replace(tzinfo=tz).utcoffset()
                if isinstance(event.get("links"), list):
                    extras.links += len(event["links"])
                if isinstance(event.get("attachments"), list):
                    extras.attachments += len(event["attachments"])
                guid = event.get("guid")
                talks.append(
                    Talk(
                        order=len(talks),
                        title=" ".join(_line(title, where).split()) or _("Untitled"),
                        start=local.replace(second=0, microsecond=0),
                        minutes=_duration_minutes(event, where),
                        room=_text(event, "room", where) or _line(str(room_key), where),
                        track=_text(event, "track", where),
                        type=_text(event, "type", where),
                        subtitle=_text(event, "subtitle", where),
                        persons=_person_names(event, where, extras),
                        guid=guid if isinstance(guid, str) else "",
                        has_text=any(
                            isinstance(event.get(key), str) and event[key].strip()
                            for key in ("abstract", "description")
                        ),
                    )
                )
                if len(talks) > MAX_EVENTS:
                    raise ImportProblem(
                        _("The file has more than %(n)d events; import it in parts.", n=MAX_EVENTS)
                    )
    return talks, extras


def meta_sessions(conference):
    """Our own exports' session list (see wenevents.agenda.frab), or None."""
    meta = conference.get("meta")
    ours = meta.get(frab.META_KEY) if isinstance(meta, dict) else None
    if ours is None:
        return None
    broken = ImportProblem(
        _("The wenevents session list in this file (conference.meta) is damaged; export the "
          "schedule again.")
    )  # fmt: skip
    if not isinstance(ours, dict) or not isinstance(ours.get("sessions"), list):
        raise broken
    sessions = []
    for entry in ours["sessions"]:
        try:
            public = entry["public"]
            session = _MetaSession(
                guid=str(entry.get("guid", "")),
                track=clean_line(entry["track"]),
                day=date.fromisoformat(entry["day"]),
                start=time.fromisoformat(entry["start"]),
                end=time.fromisoformat(entry["end"]),
                room=clean_line(entry.get("room", "")),
                public=public,
                title=clean_line(entry.get("title", "")) if public else _("Closed session"),
                chairs=entry.get("chairs", []) if public else [],
                description=clean_text(entry.get("description", "")) if public else "",
                objectives=clean_text(entry.get("objectives", "")) if public else "",
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise broken from None
        texts = [session.track, session.room, session.title, session.description,
                 session.objectives, *session.chairs]  # fmt: skip
        if (
            not isinstance(public, bool)
            or not isinstance(session.chairs, list)
            or not all(isinstance(t, str) for t in texts)
            or session.end <= session.start
        ):
            raise broken
        session.chairs = [clean_line(chair) for chair in session.chairs]
        if public:
            session.translations = _translations(entry.get("translations"))
            items = entry.get("items")
            session.items = {
                str(guid): {
                    "title": clean_line(item["title"]),
                    "translations": _translations(item.get("translations")),
                }
                for guid, item in (items.items() if isinstance(items, dict) else ())
                if isinstance(item, dict) and isinstance(item.get("title"), str)
            }
        sessions.append(session)
    return sessions


def _translations(value):
    """A file's ``{"fr": {"title": …}}``, kept to the languages and texts we know; anything
    else in it is dropped, never stored."""
    if not isinstance(value, dict):
        return {}
    kept = {}
    for language in TRANSLATED:
        fields = value.get(language)
        if not isinstance(fields, dict):
            continue
        texts = {
            name: clean_text(text)
            for name, text in fields.items()
            if name in TRANSLATED_FIELDS and isinstance(text, str) and clean_text(text)
        }
        if texts:
            kept[language] = texts
    return kept
