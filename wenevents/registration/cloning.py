"""Registration's part of a new edition (meetings/cloning.py): the settings and questions.

The registration window moves with the dates; nobody's registration carries over.
"""

from sqlalchemy import select

from wenevents.extensions import db
from wenevents.registration.models import Question, RegistrationSettings


def copy_registration(source, copy, shift, parts, **_kwargs):
    """Receiver of ``signals.meeting_cloned``."""
    counts = {"registration": False, "questions": 0}
    if not parts["copy_registration"]:
        return counts
    old = db.session.get(RegistrationSettings, source.id)
    if old is not None:
        db.session.add(
            RegistrationSettings(
                meeting_id=copy.id,
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
        counts["registration"] = True
    questions = db.session.scalars(
        select(Question).where(Question.meeting_id == source.id).order_by(Question.position)
    ).all()
    for question in questions:
        db.session.add(
            Question(
                meeting_id=copy.id,
                position=question.position,
                kind=question.kind,
                label=question.label,
                help=question.help,
                required=question.required,
                choices=list(question.choices or []),
            )
        )
        counts["questions"] += 1
    return counts
