"""A new edition of a series from a previous one, as Indico's "clone event" does.

What carries over is the skeleton, never what belonged to the old edition's people or
public: the invited networks (archived ones left out), the sessions and their items
without chairs or presenters, the document slots without files or links, the
registration settings and questions, and the languages materials are expected in. Every
date moves with the meeting: a session on the old second day goes on the new second day,
the registration window and the upload deadline keep their distance from the first day.
The new edition is a draft with no agenda release, so nothing of it is public until an
organiser publishes it.
"""

import re
from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from wenevents import signals
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.meetings.models import DRAFT, Meeting

# What the organiser types for the new edition; the rest comes from the old one.
OWN_FIELDS = (
    "number", "acronym", "title", "start_date", "end_date", "timezone", "venue", "city",
    "country_code", "held_alongside",
)  # fmt: skip
# What every edition of a series shares.
SERIES_FIELDS = ("convener", "partners", "disclaimer", "privacy_notice")
# The boxes of the clone form for the higher domains' parts (their cloners read them).
PARTS = ("copy_sessions", "copy_documents", "copy_registration")


@dataclass
class Summary:
    """What the clone brought over, for the organiser's message and the audit log.

    The networks are the meeting's own; the rest are the counts the higher domains'
    cloners return (agenda/cloning.py, registration/cloning.py, uploads/cloning.py).
    """

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

    def add(self, counts):
        """Add a cloner's ``{field: count}`` (a flag such as ``registration`` is set)."""
        known = {f.name for f in fields(self)}
        for name, value in counts.items():
            if name not in known:
                raise ValueError(f"unknown clone count {name!r}")
            old = getattr(self, name)
            setattr(self, name, (old or value) if isinstance(old, bool) else old + value)


def source_meeting(acronym):
    """The meeting to copy, with its networks (each cloner loads what it copies)."""
    return db.session.scalars(
        select(Meeting).where(Meeting.acronym == acronym).options(selectinload(Meeting.networks))
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

    The meeting and its networks are copied here; every higher domain copies its own rows
    on ``signals.meeting_cloned``. One transaction: the caller commits, so a failure
    leaves nothing half-made.
    """
    summary = Summary()
    shift = data["start_date"] - source.start_date
    meeting = Meeting(
        series_id=source.series_id,
        status=DRAFT,
        is_demo=False,
        **{f: data[f] for f in OWN_FIELDS},
        **{f: getattr(source, f) for f in SERIES_FIELDS},
        # Settings, not content: the languages its materials are expected in, and how
        # long its registrations' personal data is kept.
        materials_languages=source.materials_languages,
        retention_months=source.retention_months,
    )
    if data.get("copy_networks"):
        meeting.networks = [n for n in source.networks if not n.is_archived]
        summary.networks = len(meeting.networks)
    db.session.add(meeting)
    db.session.flush()
    parts = {part: bool(data.get(part)) for part in PARTS}
    for counts in signals.answers(
        signals.meeting_cloned, source, copy=meeting, shift=shift, parts=parts, copied={}
    ):
        summary.add(counts or {})
    db.session.flush()
    audit.record(
        "meeting.clone",
        f"{source.acronym} → {meeting.acronym}",
        target=meeting,
        actor=by,
        source=source.acronym,
        networks=summary.networks,
        sessions=summary.sessions,
        items=summary.items,
        documents=summary.documents,
        questions=summary.questions,
        registration=summary.registration,
    )
    return meeting, summary


def takes_part(meeting, network_id):
    """Whether a row of ``network_id`` (None: of no network) belongs in the new edition:
    its network is invited to it (so never an archived one)."""
    return network_id is None or any(n.id == network_id for n in meeting.networks)
