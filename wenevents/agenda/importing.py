"""Importing an agenda from a frab-compatible ``schedule.json`` (pretalx, frab, ours).

Two steps, so nothing is written until an organiser has seen what will happen:

1. ``preview(meeting, data)`` reads the file into a *plan*: plain JSON data saying which
   sessions and items would be created, and ``notes`` on everything that could not be
   mapped (talks outside the meeting's dates, unknown networks, speaker details, links and
   attachments, overlaps…). Bad input raises ``ImportProblem`` with a message for the
   person. The page carries the plan to the next step signed (``sign``/``unsign``), so the
   browser can neither change it nor replay it for another meeting or person.
2. ``apply(meeting, plan, by)`` adds the sessions and items to the meeting's *draft*
   (nothing is public until the next release), renumbers, audits, and commits once.

How a file becomes sessions:

- Our own exports carry their sessions in ``conference.meta.wenevents`` (see
  ``wenevents.exports.frab``): each becomes the same session again (number by time, title,
  day, times, room, chairs, public flag, description, objectives) and its events its items.
- Otherwise the talks of one track, in one room, on one day become one session, titled
  after the track. Items follow one another without gaps in a session, so a gap, an
  overlap or another room starts a new session. Talks without a track are grouped the same
  way by room; a lone one gives its title to its session.
- Each talk becomes an item: its type gives the kind (breaks, discussions and panels,
  anything else a presentation), its speakers the presenters, and its subtitle, or failing
  that a network acronym in its title, the presenting network among the meeting's.
- Times are converted to the meeting's time zone. Talks outside the meeting's dates, or
  ending after midnight, are left out and listed.

A draft that already has sessions keeps them: imported sessions are added beside them and
every session is numbered again in time order. Nothing is replaced or deleted, so no
uploaded slides can lose their presentation. ``apply`` refuses a plan made when the draft
had other sessions (a second click on "Import", or a colleague's edit in between).
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from wenevents.agenda import editing
from wenevents.agenda.models import BREAK, DISCUSSION, ITEM_KINDS, PRESENTATION, AgendaItem, Session
from wenevents.audit.services import record
from wenevents.exports import frab
from wenevents.extensions import db
from wenevents.meetings.models import Meeting

MAX_BYTES = 5 * 1024 * 1024
# Beyond this a preview page (and its signed plan) gets unwieldy; no meeting comes near.
MAX_EVENTS = 3000
MAX_TOKEN = 400_000  # characters of the signed plan
PREVIEW_MAX_AGE = 3600  # seconds a preview may be confirmed
MAX_LISTED = 8  # notes list this many examples, then say how many more
# Column sizes of Session and AgendaItem.
TITLE_MAX, ROOM_MAX, CHAIR_MAX, PRESENTERS_MAX = 300, 100, 300, 500
# Words in an event's type, by the item kind they mean; anything else is a presentation.
KIND_WORDS = {
    BREAK: ("break", "pause", "lunch", "coffee", "dinner", "recess", "reception"),
    DISCUSSION: ("discussion", "panel", "workshop", "round", "roundtable", "q&a", "debate",
                 "meeting", "forum", "dialogue", "session"),
}  # fmt: skip
_DURATION = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")
_OUR_TRACK = re.compile(r"^Session \d+: (.+)$")
_SALT = "wenevents.agenda-import"


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


def _load(data):
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
    return value.strip()


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
            names.append(" ".join(name.split()))
    return names


def _talks(conference, meeting):
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
                        title=" ".join(title.split()) or _("Untitled"),
                        start=local.replace(second=0, microsecond=0),
                        minutes=_duration_minutes(event, where),
                        room=_text(event, "room", where) or str(room_key).strip(),
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


def _meta_sessions(conference):
    """Our own exports' session list (see wenevents.exports.frab), or None."""
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
                track=entry["track"],
                day=date.fromisoformat(entry["day"]),
                start=time.fromisoformat(entry["start"]),
                end=time.fromisoformat(entry["end"]),
                room=entry.get("room", ""),
                public=public,
                title=entry.get("title", "") if public else _("Closed session"),
                chairs=entry.get("chairs", []) if public else [],
                description=entry.get("description", "") if public else "",
                objectives=entry.get("objectives", "") if public else "",
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
        sessions.append(session)
    return sessions


# -- Building the plan ------------------------------------------------------------------


def _kind(event_type):
    """The item kind an event's type means, by whole words ("Background" is no "round")."""
    text = event_type.casefold()
    if text in ITEM_KINDS:
        return text
    words = {word.removesuffix("s") for word in re.findall(r"[\w&]+", text)}
    for kind, hints in KIND_WORDS.items():
        if words & set(hints):
            return kind
    return PRESENTATION


def _network(talk, networks):
    """``(network, unknown subtitle)``: by the subtitle, else one acronym in the title."""
    if talk.subtitle:
        found = networks.get(talk.subtitle.casefold())
        return (found, "") if found else (None, talk.subtitle)
    hits = [
        network
        for network in networks.values()
        if re.search(rf"(?<![\w-]){re.escape(network.acronym)}(?![\w-])", talk.title, re.I)
    ]
    return (hits[0], "") if len(hits) == 1 else (None, "")


def _clip(text, limit, what, notes):
    if len(text) <= limit:
        return text
    notes.append(
        _("%(what)s “%(text)s…” was shortened to %(n)d characters.",
          what=what, text=text[:40], n=limit)
    )  # fmt: skip
    return text[:limit].rstrip()


def _day(value):
    return format_date(value, "EEE d MMM y")


def day_label(iso_day):
    """``Tue 21 Nov 2023`` from a plan's ``2023-11-21``."""
    return _day(date.fromisoformat(iso_day))


def _listed(lines, intro):
    """One note: ``intro`` and up to MAX_LISTED examples, then how many more."""
    if not lines:
        return []
    shown = "; ".join(lines[:MAX_LISTED])
    more = len(lines) - MAX_LISTED
    if more > 0:
        shown += " " + ngettext("and %(num)d more", "and %(num)d more", more)
    return [f"{intro} {shown}."]


class _Builder:
    def __init__(self, meeting, talks, extras):
        self.meeting = meeting
        self.talks = talks
        self.extras = extras
        self.networks = {n.acronym.casefold(): n for n in meeting.networks}
        self.days = set(meeting.days)
        self.notes, self.unknown = [], Counter()
        self.types = Counter()
        self.sessions = []

    def item(self, talk, chairs=()):
        kind = _kind(talk.type)
        self.extras.texts += talk.has_text
        if talk.type and talk.type.casefold() != kind:
            self.types[(talk.type, kind)] += 1
        persons = list(talk.persons)
        # Our exports list the session's chairs after the presenters (not on breaks).
        if chairs and kind != BREAK and persons[-len(chairs) :] == list(chairs):
            persons = persons[: -len(chairs)]
        network, unknown = (None, "") if kind == BREAK else _network(talk, self.networks)
        if unknown:
            self.unknown[unknown] += 1
        return {
            "kind": kind,
            "title": _clip(talk.title, TITLE_MAX, _("The title"), self.notes),
            "presenters": _clip(", ".join(persons), PRESENTERS_MAX, _("Presenters"), self.notes),
            # Zero minutes is how our exports show an item without a duration.
            "duration_minutes": talk.minutes or None,
            "network_id": network.id if network else None,
            "network": network.acronym if network else "",
        }

    def session(self, title, day, start, end, room, talks, **extra):
        chairs = extra.pop("chairs", [])
        self.sessions.append(
            {
                "title": _clip(title, TITLE_MAX, _("The title"), self.notes),
                "day": day.isoformat(),
                "starts_at": start.strftime("%H:%M"),
                "ends_at": end.strftime("%H:%M"),
                "room": _clip(room, ROOM_MAX, _("The room"), self.notes),
                "chair": _clip(", ".join(chairs), CHAIR_MAX, _("The chair"), self.notes),
                "is_public": extra.get("is_public", True),
                "description": extra.get("description", ""),
                "objectives": extra.get("objectives", ""),
                "items": [self.item(t, chairs) for t in sorted(talks, key=_in_order)],
            }
        )

    def from_meta(self, meta):
        """Sessions as our export declared them; returns the talks of no declared session."""
        tracks = {m.track: m for m in meta}
        rest = []
        for talk in self.talks:
            owner = tracks.get(talk.track)
            if owner is None:
                rest.append(talk)
            elif talk.guid != owner.guid:  # the session's own event is not an item
                owner.talks.append(talk)
        outside = []
        for m in meta:
            if m.day not in self.days:
                outside.append(f"{m.title or m.track} ({_day(m.day)})")
                continue
            self.session(
                m.title, m.day, m.start, m.end, m.room, m.talks, chairs=m.chairs,
                is_public=m.public, description=m.description, objectives=m.objectives,
            )  # fmt: skip
        self.notes += _listed(outside, _("Sessions outside the meeting's dates, not imported:"))
        return rest

    def from_tracks(self, talks):
        """Talks of one track, room and day in a row, without gap or overlap: a session."""
        outside, late, runs = [], [], []
        for talk in sorted(talks, key=lambda t: (t.start.date(), t.room, t.track, *_in_order(t))):
            if talk.start.date() not in self.days:
                outside.append(f"{talk.title} ({_day(talk.start.date())})")
                continue
            if talk.end.date() != talk.start.date():
                late.append(f"{talk.title} ({_day(talk.start.date())} {talk.start:%H:%M})")
                continue
            last = runs[-1][-1] if runs else None
            same = last and (last.start.date(), last.room, last.track) == (
                talk.start.date(),
                talk.room,
                talk.track,
            )
            if same and talk.start == last.end:
                runs[-1].append(talk)
            else:
                runs.append([talk])
        for run in runs:
            first, last = run[0], run[-1]
            end = last.end
            if end <= first.start:  # only items without a duration: a session takes time
                midnight = datetime.combine(first.start.date(), time(23, 59))
                end = min(first.start + timedelta(minutes=5), midnight)
            if end <= first.start:
                late.extend(f"{t.title} ({_day(t.start.date())} {t.start:%H:%M})" for t in run)
                continue
            if first.track:
                match = _OUR_TRACK.match(first.track)
                title = match[1] if match else first.track
            else:
                title = first.title if len(run) == 1 else (first.room or _("Imported session"))
            self.session(title, first.start.date(), first.start.time(), end.time(), first.room, run)
        self.notes += _listed(outside, _("Talks outside the meeting's dates, not imported:"))
        self.notes += _listed(late, _("Talks ending at or after midnight, not imported:"))

    def finish(self, existing):
        extras = self.extras
        if self.types:
            mapped = [
                _("“%(type)s” → %(kind)s (%(n)d)", type=t, kind=kind, n=n)
                for (t, kind), n in sorted(self.types.items())
            ]
            self.notes += _listed(mapped, _("Event types read as item kinds:"))
        if self.unknown:
            names = [f"“{name}” ({n})" for name, n in sorted(self.unknown.items())]
            self.notes += _listed(
                names,
                _("Subtitles that are no network of this meeting, so no network is set:"),
            )
        dropped = [
            (extras.person_details, _("speakers' details (biographies, pictures, answers)")),
            (extras.links, _("links")),
            (extras.attachments, _("attachments")),
            (extras.texts, _("abstracts and descriptions of talks")),
        ]
        dropped = [f"{what} ({n})" for n, what in dropped if n]
        self.notes += _listed(dropped, _("The agenda has no place for these, not imported:"))
        if extras.converted:
            self.notes.append(
                _("Times were converted to the meeting's time zone, %(zone)s.",
                  zone=self.meeting.timezone)
            )  # fmt: skip
        self.notes += _overlaps(self.sessions, existing)


def _in_order(talk):
    return (talk.start, talk.order)


def _overlaps(planned, existing):
    """Notes on sessions sharing a room at the same time (imported or already there)."""
    slots = [
        (s["day"], s["room"], s["starts_at"], s["ends_at"], s["title"], "") for s in planned
    ] + [
        (s.day.isoformat(), s.room, f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}", s.title,
         _(" (already in the draft)"))
        for s in existing
    ]  # fmt: skip
    slots.sort()
    clashes = []
    for n, (day, room, _start, end, title, where) in enumerate(slots):
        for other in slots[n + 1 :]:
            if (other[0], other[1]) != (day, room) or other[2] >= end:
                break
            if room and not (where and other[5]):  # not two sessions already there
                clashes.append(
                    _("“%(a)s”%(a_where)s and “%(b)s”%(b_where)s in %(room)s on %(day)s",
                      a=title, a_where=where, b=other[4], b_where=other[5], room=room,
                      day=_day(date.fromisoformat(day)))
                )  # fmt: skip
    return _listed(clashes, _("Sessions that overlap in the same room:"))


def _draft_rows(meeting):
    """The draft's sessions, for the fingerprint, the next number and overlaps."""
    return db.session.execute(
        select(
            Session.id, Session.number, Session.title, Session.day, Session.starts_at,
            Session.ends_at, Session.room,
        )
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.id)
    ).all()  # fmt: skip


def _fingerprint(rows):
    return [len(rows), max((r.id for r in rows), default=0)]


def preview(meeting, data):
    """The plan for importing ``data`` (bytes) into ``meeting``'s draft; writes nothing."""
    conference = _load(data)
    meta = _meta_sessions(conference)
    talks, extras = _talks(conference, meeting)
    builder = _Builder(meeting, talks, extras)
    rest = builder.from_meta(meta) if meta is not None else talks
    builder.from_tracks(rest)
    rows = _draft_rows(meeting)
    builder.finish(rows)
    builder.sessions.sort(key=lambda s: (s["day"], s["starts_at"], s["room"]))
    title = conference.get("title")
    return {
        "meeting": meeting.id,
        "draft": _fingerprint(rows),
        "source": {
            "title": title if isinstance(title, str) else "",
            "events": len(talks),
            "ours": meta is not None,
        },
        "sessions": builder.sessions,
        "items": sum(len(s["items"]) for s in builder.sessions),
        "notes": builder.notes,
    }


# -- Carrying the plan to the confirmation ----------------------------------------------


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sign(plan, user):
    """The plan as a tamper-proof token for the confirmation form."""
    token = _serializer().dumps({"plan": plan, "user": user.id if user else None})
    # The form that carries it back must stay within MAX_FORM_MEMORY_SIZE.
    if len(token) > MAX_TOKEN:
        raise ImportProblem(_("This file is too large to import at once; import it in parts."))
    return token


def unsign(token, meeting, user):
    """The plan a token carries, if this person made it for this meeting within the hour."""
    expired = ImportProblem(
        _("This preview has expired or is not valid. Upload the file again."), status=400
    )
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        raise expired from None
    plan = payload.get("plan") if isinstance(payload, dict) else None
    if (
        not isinstance(plan, dict)
        or plan.get("meeting") != meeting.id
        or payload.get("user") != (user.id if user else None)
    ):
        raise expired
    return plan


# -- Writing it -------------------------------------------------------------------------


def _lock_draft(meeting):
    """Hold the meeting's row until commit: of two confirmations sent at once (a double
    click), the second waits, then finds the draft changed and is refused.

    Call with nothing pending. SQLite: BEGIN IMMEDIATE takes the write lock before the
    draft is read (a deferred transaction would fail, not wait); PostgreSQL: a row lock.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.dbapi_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def apply(meeting, plan, by=None):
    """Add the plan's sessions and items to the draft, in one commit; ``(sessions, items)``."""
    _lock_draft(meeting)
    rows = _draft_rows(meeting)
    if plan["meeting"] != meeting.id or plan["draft"] != _fingerprint(rows):
        raise ImportProblem(
            _("The draft agenda has changed since this preview, or the file was imported "
              "already. Upload the file again to see what an import would do now."),
            status=409,
        )  # fmt: skip
    networks = {n.id: n for n in meeting.networks}
    number = max((r.number for r in rows), default=0)
    items = 0
    for planned in plan["sessions"]:
        number += 1  # after every existing number; renumber() puts them in time order
        session = Session(
            meeting_id=meeting.id,
            number=number,
            title=planned["title"],
            day=date.fromisoformat(planned["day"]),
            starts_at=time.fromisoformat(planned["starts_at"]),
            ends_at=time.fromisoformat(planned["ends_at"]),
            room=planned["room"],
            chair=planned["chair"],
            is_public=planned["is_public"],
            description=planned["description"],
            objectives=planned["objectives"],
        )
        for position, planned_item in enumerate(planned["items"]):
            network_id = planned_item["network_id"]
            if network_id is not None and network_id not in networks:
                raise ImportProblem(
                    _("A network of this preview is no longer part of the meeting. Upload the "
                      "file again."),
                    status=409,
                )  # fmt: skip
            session.items.append(
                AgendaItem(
                    kind=planned_item["kind"],
                    title=planned_item["title"],
                    presenters=planned_item["presenters"],
                    duration_minutes=planned_item["duration_minutes"],
                    network=networks.get(network_id),
                    position=position,
                )
            )
            items += 1
        db.session.add(session)
    editing.renumber(meeting)
    count = len(plan["sessions"])
    source = plan["source"]["title"] or _("a schedule file")
    record(
        "agenda.imported",
        f"{meeting.acronym}: {count} sessions, {items} items imported from {source}",
        target=meeting,
        actor=by,
        commit=False,
        sessions=count,
        items=items,
        source=source[:200],
    )
    db.session.commit()
    return count, items


# -- Saying what a plan does, as text (the command line) ----------------------------------


def describe(plan, meeting):
    """The preview as lines of text."""
    lines = [
        _("Import “%(title)s” (%(n)d events) into the draft agenda of %(meeting)s.",
          title=plan["source"]["title"], n=plan["source"]["events"], meeting=meeting.acronym),
    ]  # fmt: skip
    kept = plan["draft"][0]
    if kept:
        lines.append(kept_note(kept))
    lines.append(
        _("To create: %(sessions)d sessions with %(items)d items.",
          sessions=len(plan["sessions"]), items=plan["items"])
    )  # fmt: skip
    for s in plan["sessions"]:
        where = f"  {s['room']}" if s["room"] else ""
        closed = "" if s["is_public"] else f" ({_('closed')})"
        lines.append(
            f"  {day_label(s['day'])} {s['starts_at']}–{s['ends_at']}{where}  {s['title']}{closed}"
        )
        if s["chair"]:
            lines.append(f"      {_('Chair')}: {s['chair']}")
        for item in s["items"]:
            extra = [item["network"], item["presenters"]]
            if item["duration_minutes"]:
                extra.append(_("%(n)d min", n=item["duration_minutes"]))
            details = ", ".join(x for x in extra if x)
            line = f"    - {item['kind']}: {item['title']}"
            lines.append(f"{line} ({details})" if details else line)
    if plan["notes"]:
        lines.append(_("Not imported, and warnings:"))
        lines += [f"  - {note}" for note in plan["notes"]]
    return lines


def kept_note(count):
    return ngettext(
        "The draft already has %(num)d session: it is kept, the imported sessions are added "
        "beside it, and all are numbered again in time order.",
        "The draft already has %(num)d sessions: they are kept, the imported sessions are "
        "added beside them, and all are numbered again in time order.",
        count,
    )
