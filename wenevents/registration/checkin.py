"""Checking delegates in at the venue: by a badge's token (scanned, or typed by a badge
reader that works as a keyboard) or by name; live counts per network.

Who may: organisers, and the accounts an organiser made check-in helpers of the meeting
(``CheckinHelper``), who may do nothing else. A check-in is one UPDATE (no new version of
the registration: a delegate's edit elsewhere is not made stale by it) and an audit entry.
"""

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from wenevents.accounts.models import User
from wenevents.accounts.services import normalise_email
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.registration.badges import BadBadge, expiry, read_badge
from wenevents.registration.models import APPROVED, CheckinHelper, Registration
from wenevents.registration.queries import _escape_like

MAX_FOUND = 20
MAX_TERMS = 4


def may_check_in(user, meeting):
    """Organisers always; a helper only until the meeting's badges expire (the end of the
    day after it): the list of who came is not theirs to read afterwards."""
    if not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    if utcnow() >= expiry(meeting):
        return False
    return (
        db.session.scalar(
            select(CheckinHelper.id).where(
                CheckinHelper.meeting_id == meeting.id, CheckinHelper.user_id == user.id
            )
        )
        is not None
    )


@dataclass
class Outcome:
    """What a check-in attempt found: ``registration`` (None for a bad badge), ``done``
    (checked in now), ``already`` (checked in before, at ``registration.checked_in_at``),
    ``problem`` (a bad badge's reason: tampered, expired, revoked)."""

    registration: Registration | None
    done: bool = False
    already: bool = False
    problem: str = ""


def check_in(registration, by):
    """Check ``registration`` in now (it must be approved); already in: said, unchanged.
    Not committed."""
    if registration.status != APPROVED:
        return Outcome(registration, problem="revoked")
    if registration.checked_in_at is not None:
        return Outcome(registration, already=True)
    now = utcnow()
    # Only if nobody checked them in meanwhile (two helpers, one delegate).
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_id=by.id, updated_at=Registration.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(registration)
    if not changed:
        return Outcome(registration, already=True)
    record(
        "registration.checked_in",
        f"{registration.meeting.acronym}: {registration.name}",
        target=registration,
        actor=by,
    )
    return Outcome(registration, done=True)


def check_in_badge(meeting, token, by):
    """Check in the holder of the badge whose QR code says ``token``."""
    try:
        registration = read_badge(token.strip(), meeting)
    except BadBadge as bad:
        record("registration.badge_refused", f"{meeting.acronym}: {bad.reason}", target=meeting)
        return Outcome(None, problem=bad.reason)
    return check_in(registration, by)


def approved_one(meeting, registration_id):
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.id == registration_id,
            Registration.meeting_id == meeting.id,
            Registration.status == APPROVED,
        )
        .options(joinedload(Registration.network))
    )


def find(meeting, text):
    """Approved registrations whose name or organisation has every word of ``text``; at
    most MAX_FOUND, by family name."""
    terms = text.split()[:MAX_TERMS]
    if not terms:
        return []
    query = (
        select(Registration)
        .where(Registration.meeting_id == meeting.id, Registration.status == APPROVED)
        .options(joinedload(Registration.network))
        .order_by(Registration.family_name, Registration.given_name, Registration.id)
        .limit(MAX_FOUND)
    )
    for term in terms:
        pattern = f"%{_escape_like(term)}%"
        query = query.where(
            or_(
                *(
                    func.lower(column).like(pattern.lower(), escape="\\")
                    for column in (
                        Registration.given_name,
                        Registration.family_name,
                        Registration.organisation,
                    )
                )
            )
        )
    return db.session.scalars(query).all()


@dataclass
class Counts:
    total: int
    checked_in: int
    by_network: list  # (acronym or "", checked in, approved), by acronym


def counts(meeting):
    """Checked in of approved, in total and per network; one query."""
    rows = db.session.execute(
        select(
            Registration.network_id,
            func.count(),
            func.count(Registration.checked_in_at),
        )
        .where(Registration.meeting_id == meeting.id, Registration.status == APPROVED)
        .group_by(Registration.network_id)
    ).all()
    acronyms = {n.id: n.acronym for n in meeting.networks}
    by_network = sorted(
        ((acronyms.get(network_id, ""), checked, total) for network_id, total, checked in rows),
        key=lambda row: (row[0] == "", row[0]),
    )
    return Counts(
        total=sum(total for _n, total, _c in rows),
        checked_in=sum(checked for _n, _t, checked in rows),
        by_network=by_network,
    )


# -- Helpers ------------------------------------------------------------------------------


class NoSuchAccount(ValueError):
    """No active account has that address."""


def helpers(meeting):
    return db.session.scalars(
        select(CheckinHelper)
        .where(CheckinHelper.meeting_id == meeting.id)
        .options(joinedload(CheckinHelper.user))
        .order_by(CheckinHelper.id)
    ).all()


def add_helper(meeting, email, by):
    """Let the account with ``email`` check delegates in at ``meeting``. Not committed."""
    user = db.session.scalar(
        select(User).where(User.email == normalise_email(email), User.is_disabled.is_(False))
    )
    if user is None:
        raise NoSuchAccount(email)
    if not any(h.user_id == user.id for h in helpers(meeting)):
        db.session.add(CheckinHelper(meeting_id=meeting.id, user_id=user.id))
        record(
            "registration.checkin_helper_added",
            f"{meeting.acronym}: {user.email}",
            target=meeting,
            actor=by,
        )
    return user


def remove_helper(meeting, helper_id, by):
    """Not committed; False when there was no such helper."""
    helper = db.session.get(CheckinHelper, helper_id)
    if helper is None or helper.meeting_id != meeting.id:
        return False
    email = helper.user.email
    db.session.execute(delete(CheckinHelper).where(CheckinHelper.id == helper.id))
    record(
        "registration.checkin_helper_removed",
        f"{meeting.acronym}: {email}",
        target=meeting,
        actor=by,
    )
    return True
