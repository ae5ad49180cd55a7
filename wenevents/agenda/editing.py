"""Rules of the draft agenda: numbering, ordering, times and the warnings beside them.

Changes are flushed, never committed: the view (or command) that asked commits once.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.exc import StaleDataError

from wenevents import signals
from wenevents.agenda import releases
from wenevents.agenda.models import AgendaItem, Session
from wenevents.audit.services import record
from wenevents.extensions import db
from wenevents.forms import save_translations


def renumber(meeting):
    """Number the meeting's sessions 1, 2, 3… in the order they happen.

    Called after every insert, delete or move, so numbers never have gaps. Written with
    plain UPDATEs, which leave ``version`` alone: a renumbering is not an edit, and must
    not make another organiser's open form stale. Two passes, because the unique
    (meeting, number) constraint would reject a swap done in one.
    """
    db.session.flush()
    rows = db.session.execute(
        select(Session.id, Session.number)
        .where(Session.meeting_id == meeting.id)
        .order_by(Session.day, Session.starts_at, Session.number, Session.id)
    ).all()
    if [number for _id, number in rows] == list(range(1, len(rows) + 1)):
        return
    table = Session.__table__
    statement = table.update().where(table.c.id == bindparam("sid"))
    db.session.execute(statement, [{"sid": sid, "number": -sid} for sid, _n in rows])
    db.session.execute(
        statement, [{"sid": sid, "number": n} for n, (sid, _old) in enumerate(rows, start=1)]
    )
    db.session.expire_all()


# -- Reading the draft --------------------------------------------------------------


class StaleEdit(Exception):
    """The thing was changed by someone else after the organiser opened it."""

    def __init__(self, current):
        super().__init__("changed since opened")
        self.current = current


def draft_agenda(meeting):
    """The draft's sessions with their items and networks, in order (three queries)."""
    return releases.draft_sessions(meeting)


def session_of(meeting, session_id):
    session = db.session.get(Session, session_id)
    return session if session is not None and session.meeting_id == meeting.id else None


def item_of(meeting, item_id):
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.session.meeting_id != meeting.id:
        return None
    return item


def slides_of(meeting, items):
    """How many uploaded files hang on these items (they are kept when the items go); the
    uploads answer (signals.agenda_item_files)."""
    ids = [item.id for item in items]
    if not ids:
        return 0
    return sum(signals.answers(signals.agenda_item_files, meeting, item_ids=ids))


# -- Sessions -----------------------------------------------------------------------

SESSION_FIELDS = (
    "title",
    "day",
    "starts_at",
    "ends_at",
    "room",
    "chair",
    "description",
    "objectives",
    "is_public",
)
ITEM_FIELDS = ("kind", "title", "presenters", "duration_minutes", "network_id")


def _update(thing, values, opened):
    """Set ``values`` on a session or item, refusing a save made from a form opened on an
    older version."""
    if opened is not None and opened != thing.version:
        raise StaleEdit(thing)
    for name, value in values.items():
        setattr(thing, name, value)


def _flush(thing):
    """Write the change; the version check in the UPDATE catches a save that raced ours."""
    try:
        db.session.flush()
    except StaleDataError:
        # A failed flush leaves the session unusable: rolled back here (nothing else is
        # pending in an editor request) to read the version that won.
        db.session.rollback()
        raise StaleEdit(db.session.get(type(thing), thing.id)) from None


def _clean(values, fields):
    cleaned = {name: values[name] for name in fields if name in values}
    for name, value in cleaned.items():
        if isinstance(value, str):
            cleaned[name] = value.strip()
    return cleaned


def save_session(meeting, session, values, opened_version=None, by=None):
    """Create (``session`` None) or update a session, with the French and Spanish versions
    ``values`` has; renumber.

    Raises StaleEdit when someone else saved the session after ``opened_version``.
    """
    versions = values  # with the French and Spanish ones, which _clean leaves out
    values = _clean(values, SESSION_FIELDS)
    if session is None:
        session = Session(meeting=meeting, number=_next_number(meeting), **values)
        db.session.add(session)
        action = "agenda.session_added"
    else:
        _update(session, values, opened_version)
        action = "agenda.session_changed"
    translated = save_translations(session, versions)
    _flush(session)
    renumber(meeting)
    record(
        action,
        f"{meeting.acronym}: {values.get('title', '')}",
        target=session,
        actor=by,
        **({"translations": translated} if translated else {}),
    )
    return session


def _next_number(meeting):
    highest = db.session.scalar(
        select(func.max(Session.number)).where(Session.meeting_id == meeting.id)
    )
    return (highest or 0) + 1


def delete_session(session, by=None):
    """Delete a session and its items; their uploaded slides stay, unlinked."""
    meeting = session.meeting
    record(
        "agenda.session_deleted",
        f"{meeting.acronym}: session {session.number} {session.title}",
        target=session,
        actor=by,
        items=len(session.items),
    )
    db.session.delete(session)
    db.session.flush()
    renumber(meeting)


def _day_sessions(meeting, day):
    return db.session.scalars(
        select(Session)
        .where(Session.meeting_id == meeting.id, Session.day == day)
        .order_by(Session.starts_at, Session.number)
    ).all()


def _lay_out(sessions, order):
    """Give the sessions of one day, in their new ``order``, the day's time slots.

    The day keeps its first start and the gaps between sessions (breaks stay where
    they were); each session keeps its own length.
    """
    gaps = [_minutes_between(a.ends_at, b.starts_at) for a, b in pairwise(sessions)]
    clock = datetime.combine(sessions[0].day, sessions[0].starts_at)
    slots = []
    for index, session in enumerate(order):
        length = timedelta(minutes=session.minutes)
        if clock.date() != session.day or (clock + length).date() != session.day:
            raise ValueError("the new order does not fit in the day")
        slots.append((session, clock.time(), (clock + length).time()))
        clock += length + timedelta(minutes=gaps[index] if index < len(gaps) else 0)
    # Set only once all fit: a refused order leaves every session as it was.
    for session, starts_at, ends_at in slots:
        session.starts_at, session.ends_at = starts_at, ends_at


def _minutes_between(earlier, later):
    return (datetime.combine(date.min, later) - datetime.combine(date.min, earlier)) // timedelta(
        minutes=1
    )


def reorder_sessions(meeting, day, session_ids, by=None):
    """Put a day's sessions in the order given; they swap time slots, then renumber.

    Ids that are not sessions of that day are ignored; sessions left out keep their
    relative order after the ones given.
    """
    sessions = _day_sessions(meeting, day)
    if len(sessions) < 2:
        return False
    by_id = {s.id: s for s in sessions}
    order = [by_id.pop(i) for i in dict.fromkeys(session_ids) if i in by_id]
    order += [s for s in sessions if s.id in by_id]
    if order == sessions:
        return False
    try:
        _lay_out(sessions, order)
    except ValueError:
        return False
    db.session.flush()
    renumber(meeting)
    record(
        "agenda.sessions_reordered",
        f"{meeting.acronym}: {day.isoformat()}",
        target=meeting,
        actor=by,
    )
    return True


def move_session(session, step, by=None):
    """One place earlier (-1) or later (+1) within its day: it swaps slots with the neighbour."""
    sessions = _day_sessions(session.meeting, session.day)
    index = sessions.index(session)
    other = index + step
    if not 0 <= other < len(sessions):
        return False
    ids = [s.id for s in sessions]
    ids[index], ids[other] = ids[other], ids[index]
    return reorder_sessions(session.meeting, session.day, ids, by)


# -- Items --------------------------------------------------------------------------


def save_item(session, item, values, opened_version=None, by=None):
    """Create (``item`` None, at the end of ``session``) or update an item, with the French
    and Spanish versions of its title ``values`` has.

    ``values["session"]`` (a Session of the same meeting) moves it to another session's end.
    """
    target = values.get("session") or session
    versions = values  # with the French and Spanish ones, which _clean leaves out
    values = _clean(values, ITEM_FIELDS)
    if item is None:
        item = AgendaItem(session=target, position=_next_position(target), **values)
        db.session.add(item)
        action = "agenda.item_added"
    else:
        _update(item, values, opened_version)
        action = "agenda.item_changed"
    translated = save_translations(item, versions)
    _flush(item)
    if target.id != item.session_id:
        _place_items(target, [i.id for i in target.items] + [item.id])
    meeting = target.meeting
    details = {"translations": translated} if translated else {}
    record(action, f"{meeting.acronym}: {item.title}", target=item, actor=by, **details)
    return item


def _next_position(session):
    highest = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.session_id == session.id)
    )
    return (highest if highest is not None else -1) + 1


def delete_item(item, by=None):
    """Delete an item; its uploaded slides stay, unlinked."""
    session = item.session
    record(
        "agenda.item_deleted",
        f"{session.meeting.acronym}: {item.title}",
        target=item,
        actor=by,
    )
    db.session.delete(item)
    db.session.flush()
    _place_items(session, [i.id for i in session.items if i is not item])


def _place_items(session, item_ids):
    """Make ``item_ids`` (of any session of the meeting) the items of ``session``, in order.

    Plain UPDATEs: a move is not an edit of the item, so it leaves ``version`` alone.
    """
    table = AgendaItem.__table__
    statement = table.update().where(table.c.id == bindparam("iid"))
    rows = [
        {"iid": item_id, "session_id": session.id, "position": position}
        for position, item_id in enumerate(dict.fromkeys(item_ids))
    ]
    if rows:
        db.session.execute(statement, rows)
    db.session.expire_all()


def reorder_items(session, item_ids, by=None):
    """Put the items in the order given; items of other sessions of the meeting move here."""
    meeting = session.meeting
    known = set(
        db.session.scalars(
            select(AgendaItem.id)
            .join(AgendaItem.session)
            .where(Session.meeting_id == meeting.id, AgendaItem.id.in_(item_ids))
        )
    )
    wanted = [i for i in item_ids if i in known]
    rest = [i.id for i in session.items if i.id not in known]
    sources = set(
        db.session.scalars(
            select(AgendaItem.session_id).where(
                AgendaItem.id.in_(wanted), AgendaItem.session_id != session.id
            )
        )
    )
    _place_items(session, wanted + rest)
    for source_id in sources:  # close the gaps the moved items left
        source = db.session.get(Session, source_id)
        _place_items(source, [i.id for i in source.items])
    record(
        "agenda.items_reordered",
        f"{meeting.acronym}: session {session.number}",
        target=session,
        actor=by,
    )


def move_item(item, step, by=None):
    """One place up (-1) or down (+1) within its session."""
    ids = [i.id for i in item.session.items]
    index = ids.index(item.id)
    other = index + step
    if not 0 <= other < len(ids):
        return False
    ids[index], ids[other] = ids[other], ids[index]
    reorder_items(item.session, ids, by)
    return True


# -- Warnings -----------------------------------------------------------------------


def warnings(meeting, sessions):
    """``{"session-<id>" | "item-<id>": [message, …]}`` for problems worth a look.

    Sessions overlapping in one room, a person chairing or presenting in two places at
    once, sessions outside the meeting's dates and items running past their session.
    Warnings, not errors: the draft may be half-done.
    """
    found = defaultdict(list)
    days = set(meeting.days)
    for session in sessions:
        if session.day not in days:
            found[f"session-{session.id}"].append(_("This session is outside the meeting's dates."))
        end = datetime.combine(session.day, session.ends_at)
        for item, (_start, item_end) in session.item_times().items():
            if item_end > end:
                found[f"item-{item.id}"].append(
                    _(
                        "Ends at %(end)s, after its session ends (%(session_end)s).",
                        end=item_end.strftime("%H:%M"),
                        session_end=session.ends_at.strftime("%H:%M"),
                    )
                )
                break
    _room_overlaps(sessions, found)
    _double_bookings(sessions, found)
    return dict(found)


def _overlap(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


def _room_overlaps(sessions, found):
    for index, a in enumerate(sessions):
        for b in sessions[index + 1 :]:
            if (
                a.room
                and a.day == b.day
                and a.room.casefold() == b.room.casefold()
                and _overlap(a.starts_at, a.ends_at, b.starts_at, b.ends_at)
            ):
                for this, other in ((a, b), (b, a)):
                    found[f"session-{this.id}"].append(
                        _(
                            "Overlaps session %(number)s in the same room (%(room)s).",
                            number=other.number,
                            room=this.room,
                        )
                    )


def _double_bookings(sessions, found):
    """A person's commitments (chairing a session, presenting an item) that overlap."""
    commitments = defaultdict(list)  # name → [(start, end, session, key, role)]
    for session in sessions:
        start, end = session.start(None), session.end(None)
        for name in releases.split_names(session.chair):
            commitments[name.casefold()].append(
                (start, end, session, f"session-{session.id}", name)
            )
        for item, (item_start, item_end) in session.item_times().items():
            if item_start == item_end:  # no duration yet: the whole session
                item_start, item_end = start, end
            for name in releases.split_names(item.presenters):
                commitments[name.casefold()].append(
                    (item_start, item_end, session, f"item-{item.id}", name)
                )
    for entries in commitments.values():
        for index, a in enumerate(entries):
            for b in entries[index + 1 :]:
                if a[2] is not b[2] and _overlap(a[0], a[1], b[0], b[1]):
                    for (_s, _e, _session, key, name), other in ((a, b[2]), (b, a[2])):
                        found[key].append(
                            _(
                                "%(name)s is also in session %(number)s at the same time.",
                                name=name,
                                number=other.number,
                            )
                        )
