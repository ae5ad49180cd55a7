"""Releases: the numbered, published copies of an agenda, and their changelog.

Organisers edit the live tables, the draft. Publishing copies the draft into a
``Release.snapshot`` (plain JSON) and records what was added, moved, changed or cancelled
since the release before. Everything public (schedule, session pages, exports) reads the
latest snapshot, in one query, so it never shows half-done edits and its cost does not
depend on the draft.
"""

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask import current_app, has_app_context
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import defer, joinedload, selectinload

from wenevents import signals
from wenevents.agenda.models import AgendaItem, Release, Session, ref_of
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.languages import TRANSLATED
from wenevents.languages import missing as missing_fields
from wenevents.locks import meeting_lock
from wenevents.meetings.models import PUBLISHED, Meeting

ADDED, MOVED, CHANGED, CANCELLED = "added", "moved", "changed", "cancelled"
# A session whose number changed (one added, moved or cancelled before it): its address,
# by ref, stays; an address by number now names another session.
RENUMBERED = "renumbered"
# Fields whose change means the thing happens somewhere or sometime else.
PLACE_FIELDS = ("day", "starts_at", "ends_at", "room", "session")
# How many releases' decoded sessions each process keeps (see sessions_of).
DECODED_RELEASES = 32
_DECODED_LOCK = threading.Lock()
# Bookkeeping, not content: a change here alone is no change.
BOOKKEEPING = ("sequence", "modified", "items", "ref")


# -- Reading a release --------------------------------------------------------------


@dataclass(frozen=True)
class PublicNetwork:
    slug: str
    acronym: str
    name: str
    id: int | None = None
    # Frozen and hashed: the French and Spanish names as sorted pairs, not a dict.
    translations: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass
class PublicItem:
    """An item as released: times are wall-clock times in the meeting's zone."""

    uid: str
    kind: str
    title: str
    presenters: str
    duration_minutes: int | None
    day: date
    starts_at: time
    ends_at: time
    network: PublicNetwork | None
    sequence: int
    modified: datetime
    session: "PublicSession" = field(repr=False, default=None)
    translations: dict = field(default_factory=dict)

    def start(self, tz):
        return datetime.combine(self.day, self.starts_at, tz)

    def end(self, tz):
        return datetime.combine(self.day, self.ends_at, tz)


@dataclass
class PublicSession:
    """A session as released; a closed one carries its number, time and room only."""

    uid: str
    ref: str
    number: int
    title: str
    description: str
    objectives: str
    day: date
    starts_at: time
    ends_at: time
    room: str
    chair: str
    is_public: bool
    sequence: int
    modified: datetime
    items: list[PublicItem]
    translations: dict = field(default_factory=dict)

    def start(self, tz):
        return datetime.combine(self.day, self.starts_at, tz)

    def end(self, tz):
        return datetime.combine(self.day, self.ends_at, tz)

    @property
    def chairs(self):
        return split_names(self.chair)


def split_names(text):
    """``"Ana Ruiz, Li Wei; Tom Ek"`` → ``["Ana Ruiz", "Li Wei", "Tom Ek"]``."""
    return [name.strip() for name in text.replace(";", ",").split(",") if name.strip()]


def sessions_of(release):
    """The released sessions, in order, as objects the templates and exports read.

    A release never changes, so each process decodes it once and hands every later
    reader the same objects, which nobody changes (only_network copies). That is a tenth
    of a render at ten times the demo: the JSON, then the objects.
    """
    if not has_app_context():
        return _decode(release)
    decoded = current_app.extensions.setdefault("wenevents.released_sessions", {})
    # The id alone could come back after a delete (SQLite reuses the highest); the moment
    # of publication with it cannot.
    key = (release.id, release.meeting_id, release.number, release.created_at)
    sessions = decoded.get(key)
    if sessions is None:
        sessions = _decode(release)
        with _DECODED_LOCK:  # threaded servers: one writer at a time
            decoded[key] = sessions
            while len(decoded) > DECODED_RELEASES:
                del decoded[next(iter(decoded))]  # the oldest first: dicts keep their order
    return sessions


def _snapshot(release):
    """The release's snapshot: as loaded, or decoded from the text latest_release() read
    (not loaded by the ORM, so no query and no second decoding)."""
    text = getattr(release, "snapshot_text", None)
    if "snapshot" in release.__dict__ or text is None:
        return release.snapshot
    return json.loads(text)


def _decode(release):
    sessions = []
    for raw in _snapshot(release)["sessions"]:
        day = date.fromisoformat(raw["day"])
        session = PublicSession(
            uid=raw["uid"],
            ref=raw.get("ref") or ref_of(raw["uid"]),
            number=raw["number"],
            title=raw["title"],
            description=raw["description"],
            objectives=raw["objectives"],
            day=day,
            starts_at=time.fromisoformat(raw["starts_at"]),
            ends_at=time.fromisoformat(raw["ends_at"]),
            room=raw["room"],
            chair=raw["chair"],
            is_public=raw["is_public"],
            sequence=raw["sequence"],
            modified=datetime.fromisoformat(raw["modified"]),
            items=[],
            translations=raw.get("translations") or {},
        )
        for item in raw["items"]:
            network = item["network"]
            session.items.append(
                PublicItem(
                    uid=item["uid"],
                    kind=item["kind"],
                    title=item["title"],
                    presenters=item["presenters"],
                    duration_minutes=item["duration_minutes"],
                    day=day,
                    starts_at=time.fromisoformat(item["starts_at"]),
                    ends_at=time.fromisoformat(item["ends_at"]),
                    network=PublicNetwork(**network) if network else None,
                    sequence=item["sequence"],
                    modified=datetime.fromisoformat(item["modified"]),
                    session=session,
                    translations=item.get("translations") or {},
                )
            )
        sessions.append(session)
    return sessions


def latest_release(acronym):
    """The latest release of a published meeting, with its meeting, in one query; or None.

    Its snapshot comes as the stored text, decoded by sessions_of() only in a process
    that has not decoded this release before.
    """
    newest = (
        select(func.max(Release.number))
        .where(Release.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    query = (
        select(Release, cast(Release.snapshot, Text))
        .join(Release.meeting)
        .where(
            Meeting.acronym == acronym,
            Meeting.status == PUBLISHED,
            Release.number == newest,
        )
        # The changelog is read from releases_of(), never from here.
        .options(joinedload(Release.meeting), defer(Release.changes), defer(Release.snapshot))
    )
    row = db.session.execute(query).first()
    if row is None:
        return None
    release, release.snapshot_text = row
    return release


def releases_by_acronym(acronym):
    """Every release of a published meeting, newest first, with the meeting; one query."""
    query = (
        select(Release)
        .join(Release.meeting)
        .where(Meeting.acronym == acronym, Meeting.status == PUBLISHED)
        .order_by(Release.number.desc())
        .options(joinedload(Release.meeting))
    )
    return db.session.scalars(query).all()


def latest_releases(meeting_ids):
    """``{meeting_id: latest release}`` for these meetings, in one query."""
    if not meeting_ids:
        return {}
    newest = (
        select(Release.meeting_id, func.max(Release.number).label("number"))
        .where(Release.meeting_id.in_(meeting_ids))
        .group_by(Release.meeting_id)
        .subquery()
    )
    query = select(Release).join(
        newest,
        (Release.meeting_id == newest.c.meeting_id) & (Release.number == newest.c.number),
    )
    return {release.meeting_id: release for release in db.session.scalars(query)}


def releases_of(meeting):
    """Every release of a meeting, newest first (the changelog)."""
    query = (
        select(Release)
        .where(Release.meeting_id == meeting.id)
        .order_by(Release.number.desc())
        .options(joinedload(Release.created_by))
    )
    return db.session.scalars(query).all()


# -- Making a release ---------------------------------------------------------------


def draft_sessions(meeting):
    """The draft's sessions with items and networks, in three queries."""
    query = (
        select(Session)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.day, Session.starts_at, Session.number)
        .options(selectinload(Session.items).joinedload(AgendaItem.network))
    )
    return db.session.scalars(query).all()


def _clock(moment):
    return moment.strftime("%H:%M")


def _draft_snapshot(sessions):
    """The draft as JSON, without sequences (those depend on the release before)."""
    result = []
    for session in sessions:
        entry = {
            "uid": session.uid,
            "ref": session.ref,
            "number": session.number,
            "day": session.day.isoformat(),
            "starts_at": _clock(session.starts_at),
            "ends_at": _clock(session.ends_at),
            "room": session.room,
            "is_public": session.is_public,
            # What the public may not know of a closed session is never copied out.
            "title": session.title if session.is_public else "",
            "description": session.description if session.is_public else "",
            "objectives": session.objectives if session.is_public else "",
            "chair": session.chair if session.is_public else "",
            "items": [],
        }
        if session.is_public and session.translations:
            entry["translations"] = session.translations.copy()
        if session.is_public:
            for item, (start, end) in session.item_times().items():
                network = item.network
                entry["items"].append(
                    {
                        "uid": item.uid,
                        "kind": item.kind,
                        "title": item.title,
                        **({"translations": dict(item.translations)} if item.translations else {}),
                        "presenters": item.presenters,
                        "duration_minutes": item.duration_minutes,
                        "starts_at": _clock(start),
                        "ends_at": _clock(end),
                        "session": session.uid,
                        "network": {
                            "id": network.id,
                            "slug": network.slug,
                            "acronym": network.acronym,
                            "name": network.name,
                            **(
                                {"translations": dict(network.translations)}
                                if network.translations
                                else {}
                            ),
                        }
                        if network
                        else None,
                    }
                )
        result.append(entry)
    return {"sessions": result}


def _content(entry):
    """What a calendar or an app would show of an entry; items included for a session."""
    content = {key: value for key, value in entry.items() if key not in BOOKKEEPING}
    if "items" in entry:
        content["items"] = [_content(item) for item in entry["items"]]
    return content


def _index(snapshot):
    """``{uid: entry}`` for every session and item of a snapshot."""
    entries = {}
    for session in snapshot["sessions"]:
        entries[session["uid"]] = session
        for item in session["items"]:
            entries[item["uid"]] = item
    return entries


def _stamp(snapshot, previous, now):
    """Give each entry its ``sequence`` and ``modified``: carried over when unchanged,
    raised by one when its content changed, so calendars update instead of duplicating."""
    before = _index(previous) if previous else {}
    for uid, entry in _index(snapshot).items():
        old = before.get(uid)
        if old is None:
            entry["sequence"], entry["modified"] = 0, now.isoformat()
        elif _content(old) == _content(entry):
            entry["sequence"], entry["modified"] = old["sequence"], old["modified"]
        else:
            entry["sequence"], entry["modified"] = old["sequence"] + 1, now.isoformat()


def changes_between(previous, snapshot):
    """The changelog from ``previous`` (or nothing) to ``snapshot``, sessions first."""
    before = _index(previous) if previous else {}
    after = _index(snapshot)
    sessions_after = {s["uid"]: s for s in snapshot["sessions"]}
    sessions_before = {s["uid"]: s for s in previous["sessions"]} if previous else {}
    changes = []

    def describe(entry, sessions):
        translations = {"translations": entry["translations"]} if "translations" in entry else {}
        if "items" in entry:
            return {
                "what": "session",
                "number": entry["number"],
                "title": entry["title"],
                **translations,
            }
        session = sessions.get(entry["session"], {})
        return {
            **translations,
            "what": "item",
            "number": session.get("number"),
            "title": entry["title"],
            "kind": entry["kind"],
            "network": (entry["network"] or {}).get("acronym", ""),
        }

    def place(entry, sessions):
        session = sessions.get(entry.get("session"), entry)
        return {
            "day": session["day"],
            "starts_at": entry["starts_at"],
            "ends_at": entry["ends_at"],
            "room": session["room"],
            "number": session["number"],
            "session": session["uid"],
        }

    def moved(old_place, new_place):
        # Renumbering alone moves nothing: the session keeps its time and room.
        return {k: v for k, v in old_place.items() if k != "number"} != {
            k: v for k, v in new_place.items() if k != "number"
        }

    for uid, entry in after.items():
        old = before.get(uid)
        if old is None:
            changes.append(
                {"action": ADDED, "uid": uid, **describe(entry, sessions_after)}
                | {"after": place(entry, sessions_after)}
            )
            continue
        old_place, new_place = place(old, sessions_before), place(entry, sessions_after)
        own = {k: v for k, v in _content(entry).items() if k != "items"}
        old_own = {k: v for k, v in _content(old).items() if k != "items"}
        fields = sorted(
            k for k in own if own[k] != old_own.get(k) and k not in PLACE_FIELDS and k != "number"
        )
        if moved(old_place, new_place):
            changes.append(
                {"action": MOVED, "uid": uid, **describe(entry, sessions_after)}
                | {"before": old_place, "after": new_place, "fields": fields}
            )
        elif fields:
            changes.append(
                {"action": CHANGED, "uid": uid, **describe(entry, sessions_after)}
                | {"fields": fields}
            )
        if "items" in entry and old["number"] != entry["number"]:
            changes.append(
                {"action": RENUMBERED, "uid": uid, **describe(entry, sessions_after)}
                | {"before_number": old["number"]}
            )
    for uid, old in before.items():
        if uid not in after:
            changes.append(
                {"action": CANCELLED, "uid": uid, **describe(old, sessions_before)}
                | {"before": place(old, sessions_before)}
            )
    order = {ADDED: 1, MOVED: 2, CHANGED: 3, CANCELLED: 4, RENUMBERED: 5}
    changes.sort(key=lambda c: (c["what"] != "session", order[c["action"]], c["number"] or 0))
    return changes


def _latest_of(meeting):
    query = (
        select(Release)
        .where(Release.meeting_id == meeting.id)
        .order_by(Release.number.desc())
        .limit(1)
    )
    return db.session.scalars(query).first()


def pending_changes(meeting):
    """What publishing now would add, move, change or cancel."""
    changes, latest, _snapshot = pending(meeting)
    return changes, latest


def pending(meeting):
    """``(changes, latest release or None, the draft's snapshot)``."""
    latest = _latest_of(meeting)
    snapshot = _draft_snapshot(draft_sessions(meeting))
    return changes_between(latest.snapshot if latest else None, snapshot), latest, snapshot


def untranslated_titles(changes, sessions):
    """The sessions and items a release would add, or give a new title, whose public title
    has no version in a language content is translated into: ``[(change, (language, …))]``
    in the changes' order. ``sessions``: the draft's, with their items (their rows carry
    the translations)."""
    rows = {session.uid: session for session in sessions}
    rows.update((item.uid, item) for session in sessions for item in session.items)
    found = []
    for change in changes:
        retitled = change["action"] in (CHANGED, MOVED) and "title" in change.get("fields", ())
        row = rows.get(change["uid"])
        # A closed session's title is not released: nothing to translate for the public.
        if (change["action"] == ADDED or retitled) and row is not None and change["title"]:
            missing = tuple(code for code in TRANSLATED if "title" in missing_fields(row, code))
            if missing:
                found.append((change, missing))
    return found


class PublishedMeanwhile(Exception):
    """Another organiser published while this one looked at the draft: nothing was made.

    ``number``, ``by`` (a name or address, "" if unknown) and ``changes`` say what theirs
    was, for the message.
    """

    def __init__(self, number, by, changes):
        super().__init__(f"release {number} was published meanwhile")
        self.number, self.by, self.changes = number, by, changes


def publish(meeting, by=None, note="", seen=None, notify=True):
    """Make the next release from the draft; None when nothing changed since the last.

    The first release is made even from an empty draft, so an organiser can announce
    that the schedule is published. Under the meeting's lock (wenevents/locks.py), held
    until the caller commits, so two organisers publishing at once make one release after
    the other, never the same number twice. ``seen``: the number of the latest release
    when the publisher's page was made (0: none); if another was published since,
    PublishedMeanwhile says which (the lock is released at once), rather than publishing
    what they did not review. ``notify``: False holds the change notices for this release
    (a typo fixed): the higher domains are told it was published either way.
    """
    with meeting_lock(meeting.id):
        # Read what is committed now, not what this request loaded before the wait.
        db.session.expire_all()
        latest = _latest_of(meeting)
        if seen is not None and (latest.number if latest else 0) != seen:
            raise PublishedMeanwhile(
                latest.number if latest else 0,
                _publisher(latest),
                len(latest.changes) if latest else 0,
            )
        snapshot = _draft_snapshot(draft_sessions(meeting))
        changes = changes_between(latest.snapshot if latest else None, snapshot)
        if latest is not None and not changes:
            return None
        now = utcnow().replace(microsecond=0)
        _stamp(snapshot, latest.snapshot if latest else None, now)
        release = Release(
            meeting=meeting,
            number=(latest.number + 1) if latest else 1,
            created_at=now,
            created_by=by,
            note=note.strip()[:500],
            snapshot=snapshot,
            changes=changes,
        )
        db.session.add(release)
        record(
            "agenda.published",
            f"{meeting.acronym}: release {release.number}, {len(changes)} changes",
            target=meeting,
            actor=by,
            release=release.number,
        )
        db.session.flush()
        signals.release_published.send(release, previous=latest, notify=notify)
        return release


def pending_audience(meeting, changes, latest, after):
    """``(people, {role: count})`` a release of ``changes`` from ``latest`` to the draft's
    snapshot ``after`` would tell, or None when no domain answers."""
    return signals.first_answer(
        signals.release_audience,
        meeting,
        changes=changes,
        before=latest.snapshot if latest else None,
        after=after,
    )


def _publisher(release):
    author = release.created_by if release else None
    return (author.name or author.email) if author else ""
