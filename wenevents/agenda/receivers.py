"""What the agenda answers to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from wenevents.agenda import releases
from wenevents.agenda.models import PRESENTATION, AgendaItem, Release, Session
from wenevents.extensions import db
from wenevents.meetings.models import PUBLISHED, Meeting, meeting_networks
from wenevents.signals import Untranslated


def meeting_delete_blockers(meeting, **_kwargs):
    """A meeting whose agenda was released has been seen."""
    count = db.session.scalar(
        select(func.count(Release.id)).where(Release.meeting_id == meeting.id)
    )
    if not count:
        return []
    return [
        ngettext(
            "Its agenda has been released %(num)d time.",
            "Its agenda has been released %(num)d times.",
            count,
        )
    ]


def network_delete_blockers(network, **_kwargs):
    """A network presenting in an agenda, draft or released, is part of its history."""
    presenting = db.session.scalars(
        select(Meeting.acronym)
        .join(Session, Session.meeting_id == Meeting.id)
        .join(AgendaItem, AgendaItem.session_id == Session.id)
        .where(AgendaItem.network_id == network.id)
        .distinct()
    ).all()
    presented = sorted(set(presenting) | set(_released_with(network)))
    if presented:
        return [
            _("It has presentations in the agenda of %(meetings)s.", meetings=", ".join(presented))
        ]
    return []


def _released_with(network):
    """Meetings whose agenda releases show a presentation by the network.

    Releases are JSON snapshots (no foreign key to hold the network), so look inside.
    """
    found = set()
    for acronym, snapshot in db.session.execute(
        select(Meeting.acronym, Release.snapshot).join(Release.meeting)
    ):
        for session in snapshot.get("sessions", []):
            for item in session.get("items", []):
                if (item.get("network") or {}).get("id") == network.id:
                    found.add(acronym)
    return found


def network_history(network, **_kwargs):
    """The network's presentations as published (each meeting's latest release, never the
    draft), by meeting; presentations in closed sessions are left out."""
    meeting_ids = db.session.scalars(
        select(Meeting.id)
        .join(meeting_networks)
        .where(meeting_networks.c.network_id == network.id, Meeting.status == PUBLISHED)
    ).all()
    released = releases.latest_releases(meeting_ids)
    return {
        "presentations": {
            meeting_id: [
                item
                for session in releases.sessions_of(release)
                for item in session.items
                if item.kind == PRESENTATION and item.network and item.network.id == network.id
            ]
            for meeting_id, release in released.items()
        }
    }


def meeting_page(meeting, **_kwargs):
    """The meeting's public page shows its sessions as last released."""
    release = releases.latest_release(meeting.acronym)
    return {
        "sessions": releases.sessions_of(release) if release else [],
        "released": release is not None,
    }


def untranslated_content(_sender, meetings=(), **_kwargs):
    """The draft's sessions, then their items, in two queries; each links to its form in
    the agenda editor. Read as plain rows, not ORM objects: the meetings list counts these
    for every meeting (at ten times the demo, 600 items in one)."""
    acronyms = {meeting.id: meeting.acronym for meeting in meetings}
    in_order = (Session.meeting_id, Session.day, Session.starts_at, Session.number)
    sessions = db.session.execute(
        select(Session.id, Session.meeting_id, Session.number, Session.translations)
        .add_columns(*(getattr(Session, f) for f in Session.translated_fields))
        .where(Session.meeting_id.in_(acronyms))
        .order_by(*in_order)
    ).all()
    items = db.session.execute(
        select(AgendaItem.id, AgendaItem.session_id, AgendaItem.translations)
        .add_columns(*(getattr(AgendaItem, f) for f in AgendaItem.translated_fields))
        .join(Session, AgendaItem.session_id == Session.id)
        .where(Session.meeting_id.in_(acronyms))
        .order_by(*in_order, AgendaItem.position)
    ).all()
    entries = []
    for session in sessions:
        if missing := Untranslated.missing_in(session, Session.translated_fields):
            entries.append(
                Untranslated(
                    session.meeting_id,
                    "session",
                    session.title,
                    _("Session %(number)s", number=session.number),
                    missing,
                    "agenda_manage.edit_session",
                    {
                        "acronym": acronyms[session.meeting_id],
                        "session_id": session.id,
                        "_anchor": f"session-{session.id}",
                    },
                )
            )
    by_id = {session.id: session for session in sessions}
    # Translated once a session, not once an item.
    notes = {session.id: _("session %(number)s", number=session.number) for session in sessions}
    for item in items:
        if missing := Untranslated.missing_in(item, AgendaItem.translated_fields):
            session = by_id[item.session_id]
            entries.append(
                Untranslated(
                    session.meeting_id,
                    "item",
                    item.title,
                    notes[session.id],
                    missing,
                    "agenda_manage.edit_item",
                    {
                        "acronym": acronyms[session.meeting_id],
                        "item_id": item.id,
                        "_anchor": f"item-{item.id}",
                    },
                )
            )
    return entries
