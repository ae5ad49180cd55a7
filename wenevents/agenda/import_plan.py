"""The sessions and items an import would add to a draft agenda (importing.py), made from
what schedule_file.py read, with notes on everything that could not be mapped.

How a file becomes sessions:

- Our own exports carry their sessions in ``conference.meta.wenevents`` (see
  ``wenevents.agenda.frab``): each becomes the same session again (number by time, title,
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
"""

import re
from collections import Counter
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from wenevents.agenda.models import BREAK, DISCUSSION, ITEM_KINDS, PRESENTATION
from wenevents.agenda.schedule_file import load, meta_sessions, talks_of

MAX_LISTED = 8  # notes list this many examples, then say how many more
# Column sizes of Session and AgendaItem.
TITLE_MAX, ROOM_MAX, CHAIR_MAX, PRESENTERS_MAX = 300, 100, 300, 500
# Words in an event's type, by the item kind they mean; anything else is a presentation.
KIND_WORDS = {
    BREAK: ("break", "pause", "lunch", "coffee", "dinner", "recess", "reception"),
    DISCUSSION: ("discussion", "panel", "workshop", "round", "roundtable", "q&a", "debate",
                 "meeting", "forum", "dialogue", "session"),
}  # fmt: skip
_OUR_TRACK = re.compile(r"^Session \d+: (.+)$")


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

    def item(self, talk, chairs=(), originals=None):
        """``originals``: our export's English title and translations, by event guid."""
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
        original = (originals or {}).get(talk.guid, {})
        title = original.get("title") or talk.title
        return {
            "kind": kind,
            "title": _clip(title, TITLE_MAX, _("The title"), self.notes),
            "translations": original.get("translations", {}),
            "presenters": _clip(", ".join(persons), PRESENTERS_MAX, _("Presenters"), self.notes),
            # Zero minutes is how our exports show an item without a duration.
            "duration_minutes": talk.minutes or None,
            "network_id": network.id if network else None,
            "network": network.acronym if network else "",
        }

    def session(self, title, day, start, end, room, talks, **extra):
        chairs = extra.pop("chairs", [])
        originals = extra.pop("items", None)
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
                "translations": extra.get("translations", {}),
                "items": [self.item(t, chairs, originals) for t in sorted(talks, key=_in_order)],
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
                translations=m.translations, items=m.items,
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


def plan_sessions(meeting, data, existing):
    """What importing ``data`` (a file's bytes) into ``meeting``'s draft would do, beside
    its ``existing`` sessions (rows): ``source``, ``sessions``, ``items``, ``notes``."""
    conference = load(data)
    meta = meta_sessions(conference)
    talks, extras = talks_of(conference, meeting)
    builder = _Builder(meeting, talks, extras)
    rest = builder.from_meta(meta) if meta is not None else talks
    builder.from_tracks(rest)
    builder.finish(existing)
    builder.sessions.sort(key=lambda s: (s["day"], s["starts_at"], s["room"]))
    title = conference.get("title")
    return {
        "source": {
            "title": title if isinstance(title, str) else "",
            "events": len(talks),
            "ours": meta is not None,
        },
        "sessions": builder.sessions,
        "items": sum(len(s["items"]) for s in builder.sessions),
        "notes": builder.notes,
    }
