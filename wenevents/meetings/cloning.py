"""A new edition of a series from a previous one, as Indico's "clone event" does.

What carries over is the skeleton, never what belonged to the old edition's people or
public: the invited networks (archived ones left out), the sessions and their items
without chairs or presenters, the document slots without files or links, and the
registration settings and questions. Every date moves with the meeting: a session on the
old second day goes on the new second day, the registration window and the upload deadline
keep their distance from the first day. The new edition is a draft with no agenda release,
so nothing of it is public until an organiser publishes it.
"""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wenevents.agenda.models import AgendaItem, Session
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting
from wenevents.registration.models import Question, RegistrationSettings
from wenevents.uploads.models import Document

# What the organiser types for the new edition; the rest comes from the old one.
OWN_FIELDS = (
    "number", "acronym", "title", "start_date", "end_date", "timezone", "venue", "city",
    "country_code", "held_alongside",
)  # fmt: skip
# What every edition of a series shares.
SERIES_FIELDS = ("convener", "partners", "disclaimer")


@dataclass
class Summary:
    """What the clone brought over, for the organiser's message and the audit log."""

    networks: int = 0
    sessions: int = 0
    items: int = 0
    documents: int = 0
    questions: int = 0
    registration: bool = False
    # Sessions whose day fell after the new last day and were put on the last day.
    moved_to_last_day: int = 0
    # Items and slots of networks archived since (they take no part in new meetings).
    left_out: int = 0


def source_meeting(acronym):
    """The meeting to copy, with everything a clone reads, in a fixed number of queries."""
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.acronym == acronym)
        .options(
            selectinload(Meeting.networks),
            selectinload(Meeting.sessions).selectinload(Session.items),
            selectinload(Meeting.documents),
        )
    ).first()


def _ordinal(n):
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def suggestions(source):
    """The next number of the series, and an acronym and title to match (to edit freely)."""
    number = (
        db.session.scalar(
            select(func.max(Meeting.number)).where(Meeting.series_id == source.series_id)
        )
        or source.number
    ) + 1
    acronym = re.sub(rf"{source.number}$", str(number), source.acronym)
    if acronym == source.acronym:
        acronym = f"{source.acronym}{number}"
    title = re.sub(rf"\b{_ordinal(source.number)}\b", _ordinal(number), source.title)
    return {
        "number": number,
        "acronym": acronym,
        "title": title,
        "timezone": source.timezone,
        "copy_networks": True,
        "copy_sessions": True,
        "copy_documents": True,
        "copy_registration": True,
    }


def clone(source, data, by):
    """Make the new edition from ``source`` and the form's ``data``; ``(meeting, Summary)``.

    One transaction: the caller commits, so a failure leaves nothing half-made.
    """
    summary = Summary()
    shift = data["start_date"] - source.start_date
    meeting = Meeting(
        series_id=source.series_id,
        status=DRAFT,
        is_demo=False,
        **{f: data[f] for f in OWN_FIELDS},
        **{f: getattr(source, f) for f in SERIES_FIELDS},
    )
    if data.get("copy_networks"):
        meeting.networks = [n for n in source.networks if not n.is_archived]
        summary.networks = len(meeting.networks)
    invited = {n.id for n in meeting.networks}

    def takes_part(network_id):
        return network_id is None or network_id in invited

    items = {}
    if data.get("copy_sessions"):
        for old in source.sessions:
            meeting.sessions.append(_session(old, meeting, shift, summary))
            session = meeting.sessions[-1]
            for old_item in old.items:
                if not takes_part(old_item.network_id):
                    summary.left_out += 1
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
                summary.items += 1
            summary.sessions += 1
    if data.get("copy_documents"):
        for old in source.documents:
            if not takes_part(old.network_id):
                summary.left_out += 1
                continue
            meeting.documents.append(
                Document(
                    kind=old.kind,
                    title=old.title,
                    language=old.language,
                    network_id=old.network_id,
                    access=old.access,
                    embargoed=old.embargoed,
                    position=old.position,
                    agenda_item=items.get(old.agenda_item_id),
                )
            )
            summary.documents += 1
        if source.materials_deadline:
            meeting.materials_deadline = source.materials_deadline + shift
    db.session.add(meeting)
    db.session.flush()
    if data.get("copy_registration"):
        _registration(source, meeting, shift, summary)
    audit.record(
        "meeting.clone",
        f"{source.acronym} → {meeting.acronym}",
        target=meeting,
        actor=by,
        commit=False,
        source=source.acronym,
        networks=summary.networks,
        sessions=summary.sessions,
        items=summary.items,
        documents=summary.documents,
        questions=summary.questions,
        registration=summary.registration,
    )
    return meeting, summary


def _session(old, meeting, shift, summary):
    day = old.day + shift
    if day > meeting.end_date:
        day = meeting.end_date
        summary.moved_to_last_day += 1
    return Session(
        number=old.number,
        title=old.title,
        description=old.description,
        objectives=old.objectives,
        day=max(day, meeting.start_date),
        starts_at=old.starts_at,
        ends_at=old.ends_at,
        room=old.room,
        is_public=old.is_public,
    )


def _registration(source, meeting, shift, summary):
    old = source.registration_settings
    if old is not None:
        db.session.add(
            RegistrationSettings(
                meeting_id=meeting.id,
                opens_at=old.opens_at + shift if old.opens_at else None,
                closes_at=old.closes_at + shift if old.closes_at else None,
                capacity=old.capacity,
                network_quota=old.network_quota,
                endorsement_required=old.endorsement_required,
                auto_promote=old.auto_promote,
                travel_days=old.travel_days,
                participants_list=old.participants_list,
            )
        )
        summary.registration = True
    questions = db.session.scalars(
        select(Question).where(Question.meeting_id == source.id).order_by(Question.position)
    ).all()
    for question in questions:
        db.session.add(
            Question(
                meeting_id=meeting.id,
                position=question.position,
                kind=question.kind,
                label=question.label,
                help=question.help,
                required=question.required,
                choices=list(question.choices or []),
            )
        )
        summary.questions += 1
