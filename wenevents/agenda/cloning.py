"""The agenda's part of a new edition (meetings/cloning.py): the sessions and their items.

Sessions keep their distance from the first day (one on the old second day goes on the
new second day; one after the new last day goes on the last day); items lose their chairs
and presenters, and items of networks not in the new edition are left out. Nothing is
released: the new edition's agenda is a draft.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db
from wenevents.meetings.cloning import takes_part


def copy_agenda(source, copy, shift, parts, copied, **_kwargs):
    """Receiver of ``signals.meeting_cloned``: leaves ``copied["agenda_items"]`` (old item
    id → new item) for the documents attached to items."""
    copied["agenda_items"] = items = {}
    counts = {"sessions": 0, "items": 0, "moved_to_last_day": 0, "left_out": 0}
    if not parts["copy_sessions"]:
        return counts
    sessions = db.session.scalars(
        select(Session)
        .where(Session.meeting_id == source.id)
        .order_by(Session.day, Session.starts_at, Session.number)
        .options(selectinload(Session.items))
    ).all()
    for old in sessions:
        session = _session(old, copy, shift, counts)
        copy.sessions.append(session)
        for old_item in old.items:
            if not takes_part(copy, old_item.network_id):
                counts["left_out"] += 1
                continue
            item = AgendaItem(
                kind=old_item.kind,
                title=old_item.title,
                network_id=old_item.network_id,
                position=len(session.items),
                duration_minutes=old_item.duration_minutes,
            )
            session.items.append(item)
            items[old_item.id] = item
            counts["items"] += 1
        counts["sessions"] += 1
    return counts


def _session(old, meeting, shift, counts):
    day = old.day + shift
    if day > meeting.end_date:
        day = meeting.end_date
        counts["moved_to_last_day"] += 1
    return Session(
        number=old.number,
        ref=old.ref,  # refs are unique per meeting: the clone's sessions keep their addresses
        title=old.title,
        description=old.description,
        objectives=old.objectives,
        day=max(day, meeting.start_date),
        starts_at=old.starts_at,
        ends_at=old.ends_at,
        room=old.room,
        is_public=old.is_public,
    )
