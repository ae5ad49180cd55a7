"""What registration answers to the lower domains' questions (wenevents/signals.py)."""

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from wenevents.extensions import db
from wenevents.registration import personal_data, retention, rules
from wenevents.registration.models import Question, Registration, RegistrationTally
from wenevents.registration.views import not_participant
from wenevents.signals import Untranslated


def meeting_delete_blockers(meeting, **_kwargs):
    """A meeting someone registered for has been given something, even once their
    personal data is removed (its counts are its history)."""
    count = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.meeting_id == meeting.id)
    )
    kept = int(
        db.session.scalar(
            select(func.sum(RegistrationTally.count)).where(
                RegistrationTally.meeting_id == meeting.id
            )
        )
        or 0
    )
    reasons = []
    if count:
        reasons.append(
            ngettext("It has %(num)d registration.", "It has %(num)d registrations.", count)
        )
    if kept:
        reasons.append(
            ngettext(
                "It keeps the count of %(num)d registration whose personal data was removed.",
                "It keeps the counts of %(num)d registrations whose personal data was removed.",
                kept,
            )
        )
    return reasons


def network_delete_blockers(network, **_kwargs):
    """A network named by a registration, or by the counts kept of removed ones, stays."""
    count = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.network_id == network.id)
    )
    count += int(
        db.session.scalar(
            select(func.sum(RegistrationTally.count)).where(
                RegistrationTally.network_id == network.id
            )
        )
        or 0
    )
    if not count:
        return []
    return [ngettext("%(num)d registration names it.", "%(num)d registrations name it.", count)]


def participant_asked(user, **_kwargs):
    """Whether ``user`` is a participant of any meeting: the one rule, rules.py's."""
    return rules.is_participant(user)


def participant_refused(what, title="", **_kwargs):
    """The page telling someone not yet a participant when it opens and where their
    registrations stand (a 403)."""
    return not_participant(what, title)


def untranslated_content(_sender, meetings=(), **_kwargs):
    """The questions of the registration form, in their order, in one query; each links to
    its form on the registration settings page."""
    acronyms = {meeting.id: meeting.acronym for meeting in meetings}
    questions = db.session.scalars(
        select(Question)
        .where(Question.meeting_id.in_(acronyms))
        .order_by(Question.meeting_id, Question.position, Question.id)
    ).all()
    entries = []
    for question in questions:
        if missing := Untranslated.missing_in(question):
            entries.append(
                Untranslated(
                    question.meeting_id,
                    "question",
                    question.label,
                    "",
                    missing,
                    "registration_settings.edit_question",
                    {
                        "acronym": acronyms[question.meeting_id],
                        "question_id": question.id,
                        "_anchor": f"question-{question.id}",
                    },
                )
            )
    return entries


def personal_data_of(user, **_kwargs):
    """Their registrations, with answers and history, for the copy of their data."""
    return {"registrations": personal_data.registrations_of(user)}


def account_close_blockers(user, **_kwargs):
    """A registration holding or waiting for a seat at a meeting to come is withdrawn by
    its holder first: closing an account must not free a seat behind the organisers' back."""
    return [
        _(
            "You are registered for %(meeting)s: withdraw that registration first, on its page.",
            meeting=registration.meeting.acronym,
        )
        for registration in retention.open_registrations_of(user)
    ]


def account_closing(user, **_kwargs):
    """Their registrations go as the daily removal does (their counts stay)."""
    return retention.remove_registrations_of(user)
