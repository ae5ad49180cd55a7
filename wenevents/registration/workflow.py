"""A confirmed registration's life: endorsed or declined by its network, approved,
rejected, waitlisted or promoted by the organisers, edited or withdrawn by its delegate.

Each step re-reads the registration under its meeting's lock (``locks.lock_meeting``)
before checking that its status allows the step, so two people acting at once are safe:
the second sees what the first did. The steps flush and never commit; the view commits
once, and the person's mail goes after that (notices.py). A refused step raises
RegistrationError, and the view then does not commit (the lock ends with the transaction).
"""

from flask_babel import gettext as _

from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.locks import lock_meeting
from wenevents.registration import notices, queries, questions, seats
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    DETAIL_FIELDS,
    ENDORSED,
    ENDORSED_WHILE_WAITING,
    REJECTED,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
    Registration,
    RegistrationSettings,
)

# A registration in these states is over: nothing more can be done with it.
CLOSED = (DECLINED, REJECTED, WITHDRAWN)
# Changing one of these after approval sends the registration back for a decision.
KEY_FIELDS = ("given_name", "family_name", "organisation", "network_id", "participation_role")


class RegistrationError(ValueError):
    """A step refused for a reason the person can act on."""


def _locked(registration, allowed, message):
    """The registration re-read under its meeting's lock, if its status allows the step."""
    lock_meeting(registration.meeting_id)
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if registration.status not in allowed:
        raise RegistrationError(message)
    return registration


def endorse(registration, by):
    """A focal point of the registration's network vouches for it."""
    registration = _locked(
        registration, (SUBMITTED, WAITLISTED), _("Only a submitted registration can be endorsed.")
    )
    registration.endorsed_at = utcnow()
    if registration.status == SUBMITTED:
        registration.move(ENDORSED, by)
    else:
        registration.move(WAITLISTED, by, ENDORSED_WHILE_WAITING)
    audit.record("registration.endorse", registration.email, target=registration, actor=by)
    notices.notify(registration)


def decline(registration, by, reason=""):
    """A focal point declines to endorse; the seat (if any) goes to the next in line.

    Returns the registration promoted into the freed seat, or None.
    """
    registration = _locked(
        registration,
        (SUBMITTED, ENDORSED, WAITLISTED),
        _("This registration cannot be declined now."),
    )
    return _finish(registration, DECLINED, by, reason, "registration.decline")


def approve(registration, by):
    settings = queries.settings_for(registration.meeting)
    if settings and settings.endorsement_required and registration.network_id is not None:
        allowed, message = (ENDORSED,), _("The network has not endorsed this registration yet.")
    else:
        allowed = (SUBMITTED, ENDORSED)
        message = _("Only a submitted or endorsed registration can be approved.")
    registration = _locked(registration, allowed, message)
    registration.move(APPROVED, by)
    audit.record("registration.approve", registration.email, target=registration, actor=by)
    notices.notify(registration)


def needs_override(registration, settings=None):
    """Whether approving needs an organiser's override: the network's endorsement is
    required, and its focal point has not given it (nor declined)."""
    settings = settings if settings is not None else queries.settings_for(registration.meeting)
    return bool(
        settings
        and settings.endorsement_required
        and registration.network_id is not None
        and registration.status == SUBMITTED
    )


def approve_override(registration, by, reason):
    """An organiser approves a registration its network's focal point never endorsed, with
    the reason: in the history (who, when, why), on the audit log and in the delegate's
    mail. A focal point's decline is never overridden this way."""
    reason = (reason or "").strip()
    if not by.is_organiser:
        raise PermissionError("only organisers may approve without the endorsement")
    if not reason:
        raise RegistrationError(
            _("Give the reason for approving without the network's endorsement.")
        )
    registration = _locked(
        registration,
        (SUBMITTED,),
        _("Only a registration awaiting its network's endorsement can be approved this way."),
    )
    note = _("Approved without the network's endorsement: %(reason)s", reason=reason[:900])
    registration.move(APPROVED, by, note)
    audit.record(
        "registration.approve_override",
        f"{registration.email}: {reason[:200]}",
        target=registration,
        actor=by,
        reason=reason[:1000],
        network=registration.network.acronym if registration.network else None,
    )
    notices.notify(registration)


def reject(registration, by, reason):
    if not reason.strip():
        raise RegistrationError(_("Give the reason for the rejection: the person is told."))
    registration = _locked(
        registration,
        (SUBMITTED, ENDORSED, APPROVED, WAITLISTED),
        _("This registration cannot be rejected now."),
    )
    _finish(registration, REJECTED, by, reason, "registration.reject")


def waitlist(registration, by):
    """An organiser moves a registration to the end of the waiting list.

    The seat it frees goes to the first one waiting before it, when promotion is automatic.
    """
    registration = _locked(
        registration,
        (SUBMITTED, ENDORSED, APPROVED),
        _("Only a registration with a seat can be moved to the waiting list."),
    )
    registration.waitlisted_at = utcnow()
    registration.move(WAITLISTED, by)
    promoted = seats.promote_first_waiting(registration.meeting_id, exclude=registration.id)
    audit.record("registration.waitlist", registration.email, target=registration, actor=by)
    notices.notify(registration)
    if promoted is not None:
        notices.notify(promoted, promoted=True)


def promote(registration, by):
    """An organiser promotes one waiting registration, if a seat is free for it."""
    registration = _locked(
        registration, (WAITLISTED,), _("Only a waiting registration can be promoted.")
    )
    settings = db.session.get(RegistrationSettings, registration.meeting_id)
    if not seats.has_room(settings, registration.network_id):
        raise RegistrationError(_("No seat is free for this registration (capacity or quota)."))
    seats.promote(registration, by)
    audit.record("registration.promote", registration.email, target=registration, actor=by)
    notices.notify(registration, promoted=True)


def withdraw(registration, by):
    """The delegate withdraws; a freed seat goes to the next in line."""
    registration = _locked(
        registration,
        (UNCONFIRMED, SUBMITTED, ENDORSED, APPROVED, WAITLISTED),
        _("This registration is closed already."),
    )
    _finish(registration, WITHDRAWN, by, "", "registration.withdraw")


def _finish(registration, status, by, reason, action):
    """End a registration (lock held, see _locked); the seat it freed goes to the next,
    who is returned (None if nobody was promoted)."""
    freed = registration.holds_seat
    registration.confirm_token_hash = None
    registration.reason = reason[:1000]
    registration.waitlisted_at = None
    registration.move(status, by, reason)
    audit.record(action, registration.email, target=registration, actor=by)
    promoted = seats.promote_first_waiting(registration.meeting_id) if freed else None
    notices.notify(registration)
    if promoted is not None:
        notices.notify(promoted, promoted=True)
    return promoted


def update_details(registration, values, by, version=None):
    """The delegate (or an organiser) edits details; returns the fields that changed.

    ``version``: the one the form was opened on; a newer one means someone else changed
    the registration meanwhile, and the edit is refused rather than silently merged.
    Moving to another network needs that network's endorsement and a seat in its quota;
    other key changes send an approved registration back for a decision.

    Files sent are stored before the lock (held briefly); they go again if the edit is
    not committed, and the files it replaced go once it is (questions.py).
    """
    if registration.status in CLOSED:
        raise RegistrationError(_("This registration is closed; it can no longer be changed."))
    if "answers" in values:
        values = {**values, "answers": questions.store_sent_files(values["answers"])}
    lock_meeting(registration.meeting_id)
    registration = db.session.get(Registration, registration.id, populate_existing=True)
    if version is not None and registration.version != version:
        raise RegistrationError(
            _("Your registration was changed since you opened this page. Here it is as it is now.")
        )
    changed = [f for f in DETAIL_FIELDS if values[f] != getattr(registration, f)]
    if (
        "network_id" in changed
        and registration.holds_seat
        and seats.quota_full(registration.meeting_id, values["network_id"])
    ):
        raise RegistrationError(
            _("That network has no seat free; your registration stays as it was.")
        )
    for field in changed:
        setattr(registration, field, values[field])
    if "answers" in values and questions.set_answers(registration, values["answers"]):
        changed.append("answers")
    key_changes = sorted(set(changed) & set(KEY_FIELDS))
    if "network_id" in changed:
        registration.endorsed_at = None  # the new network has not vouched for anyone yet
    if key_changes and (
        registration.status == APPROVED
        or (registration.status == ENDORSED and "network_id" in changed)
    ):
        registration.move(
            seats.seated_status(registration),
            by,
            _("Details changed: %(fields)s", fields=", ".join(key_changes)),
        )
    db.session.flush()
    return changed
