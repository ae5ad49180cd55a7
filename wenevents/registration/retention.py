"""Personal data, only as long as needed.

A meeting's registrations are removed ``Meeting.retention_months`` after its last day
(``Meeting.personal_data_removal_date``, in the meeting's own zone). Each registration row
goes whole: contact details, travel dates and needs, answers, the reason given, the
confirmation token; its history goes with it (its notes are people's words and its steps
name who took them); the files its answers attached are deleted from disk once that is
committed; and the delivered (or given up) mail to an address that no registration names
any more is deleted too (mail carries no meeting, so an address still registered for
another meeting keeps its mail until that one goes).

What stays is anonymous: how many registrations there were of each network (none for
observers), country and status (``RegistrationTally``), for the series' history, and when
the removal was done (``Meeting.personal_data_removed_at``). Someone who closes their
account has their registrations removed the same way at once (``remove_registrations_of``).

``purge_due()`` is the daily work (the worker's, and ``wenevents purge-personal-data``):
each meeting in a transaction of its own, under the meeting's lock, audited with counts
only. Running it again changes nothing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from wenevents import locks
from wenevents.audit import services as audit
from wenevents.audit.models import AuditEntry
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.mail.models import FAILED, SENT, OutgoingMail
from wenevents.meetings.models import Meeting
from wenevents.registration import questions
from wenevents.registration.models import (
    SEAT_HOLDING,
    STATUSES,
    WAITLISTED,
    Registration,
    RegistrationEvent,
    RegistrationTally,
)

# Mail that is over (delivered, or given up on): what the removal deletes. Queued mail and
# mail being sent are left to the worker.
MAIL_OVER = (SENT, FAILED)
# A registration that holds or waits for a seat at a meeting still to come is the
# person's to withdraw before their account can close.
OPEN_STATUSES = (*SEAT_HOLDING, WAITLISTED)
# What the audit log says in place of a removed person's address.
REMOVED = "(personal data removed)"
# How many values one IN (…) takes: well under every database's limit on parameters.
CHUNK = 500


@dataclass(frozen=True)
class Removal:
    """What was (in a dry run: would be) removed of one meeting: counts, never names."""

    meeting: str  # its acronym
    due: date
    registrations: int
    files: int
    mails: int


@dataclass(frozen=True)
class Status:
    """What the organisers' registrations page says of a meeting's personal data."""

    removal_date: date
    months: int
    due: bool  # the date has come; the next daily run removes what is held
    held: int  # registrations holding personal data now
    removed_at: datetime | None
    kept: list  # [(status, count)], the anonymous counts kept, in the statuses' order
    kept_by_network: list  # [(network or None, count)], by acronym, observers last

    @property
    def kept_total(self):
        return sum(count for _status, count in self.kept)


def local_today(meeting, now):
    """``now`` (naive UTC, as stored) as a date in the meeting's own zone."""
    return now.replace(tzinfo=UTC).astimezone(meeting.tz).date()


def is_due(meeting, now=None):
    """Whether the meeting's removal date has come (in its own zone)."""
    return local_today(meeting, now or utcnow()) >= meeting.personal_data_removal_date


def due_meetings(now=None):
    """The meetings past their removal date that still hold registrations, oldest first."""
    held = select(Registration.id).where(Registration.meeting_id == Meeting.id).exists()
    candidates = db.session.scalars(
        select(Meeting).where(held).order_by(Meeting.end_date, Meeting.id)
    ).all()
    return [meeting for meeting in candidates if is_due(meeting, now)]


def purge_due(now=None, dry_run=False):
    """Remove the personal data of every meeting past its removal date; ``[Removal]``.

    The daily work: each meeting is committed on its own (its lock, its removal, its audit
    entry), so one that fails leaves the others done. ``dry_run``: say what would go and
    change nothing. Meetings with nothing left to remove are not listed.
    """
    now = now or utcnow()
    done = []
    for meeting_id in [meeting.id for meeting in due_meetings(now)]:
        # End the read: the meeting's lock comes first in its transaction.
        db.session.commit()
        try:
            if dry_run:
                removal = planned(db.session.get(Meeting, meeting_id))
                db.session.rollback()
            else:
                locks.lock_meeting(meeting_id)
                meeting = db.session.get(Meeting, meeting_id)
                removal = purge_meeting(meeting, now) if is_due(meeting, now) else None
                db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if removal is not None:
            done.append(removal)
    return done


def purge_meeting(meeting, now=None):
    """Remove the personal data of ``meeting``'s registrations, keeping their counts;
    the ``Removal``, or None when none is held. Audited; does not commit. The caller holds
    the meeting's lock."""
    now = now or utcnow()
    rows = _held(Registration.meeting_id == meeting.id)
    if not rows:
        return None
    files, mails = _remove(rows)
    meeting.personal_data_removed_at = now
    removal = Removal(
        meeting.acronym, meeting.personal_data_removal_date, len(rows), len(files), mails
    )
    audit.record(
        "registration.purge",
        f"{meeting.acronym}: {len(rows)} registrations, {len(files)} files, {mails} mails",
        target=meeting,
        actor=None,
        registrations=len(rows),
        files=len(files),
        mails=mails,
        retention_months=meeting.retention_months,
    )
    return removal


def planned(meeting):
    """What ``purge_meeting`` would remove of ``meeting`` now, read only; or None."""
    rows = _held(Registration.meeting_id == meeting.id)
    if not rows:
        return None
    files = set().union(*(questions.files_named(row.answers) for row in rows))
    gone = _unregistered({row.email for row in rows}, other_than=meeting.id)
    mails = sum(
        db.session.scalar(
            select(func.count(OutgoingMail.id)).where(
                OutgoingMail.recipient.in_(chunk), OutgoingMail.status.in_(MAIL_OVER)
            )
        )
        for chunk in _chunks(sorted(gone))
    )
    return Removal(
        meeting.acronym, meeting.personal_data_removal_date, len(rows), len(files), mails
    )


def status(meeting, counts, now=None):
    """The removal date, what is held and what was kept, for the organisers' page, from
    the page's ``queries.counts`` (no query of its own)."""
    by_status, by_network = Counter(), Counter()
    for (status, network_id), count in counts.kept.items():
        by_status[status] += count
        by_network[counts.networks.get(network_id)] += count
    order = {status: n for n, status in enumerate(STATUSES)}
    networks = sorted(
        by_network.items(), key=lambda item: (item[0] is None, item[0] and item[0].acronym)
    )
    return Status(
        removal_date=meeting.personal_data_removal_date,
        months=meeting.retention_months,
        due=is_due(meeting, now),
        held=counts.total,
        removed_at=meeting.personal_data_removed_at,
        kept=sorted(by_status.items(), key=lambda item: order.get(item[0], len(order))),
        kept_by_network=networks,
    )


# A person closing their account (registration/receivers.py) ------------------------------


def _theirs(user):
    return or_(Registration.email == user.email, Registration.user_id == user.id)


def open_registrations_of(user, now=None):
    """``user``'s registrations that hold or wait for a seat at a meeting not yet over:
    theirs to withdraw before their account can close."""
    now = now or utcnow()
    found = db.session.scalars(
        select(Registration)
        .where(_theirs(user), Registration.status.in_(OPEN_STATUSES))
        .options(joinedload(Registration.meeting))
    ).all()
    return [r for r in found if local_today(r.meeting, now) <= r.meeting.end_date]


def remove_registrations_of(user):
    """Remove every registration of ``user`` (their address or their account), keeping
    the counts, as the daily removal does; ``{"registrations": n, "files": n, "mails": n}``.
    Takes the locks of their meetings; does not commit."""
    meeting_ids = sorted(
        set(db.session.scalars(select(Registration.meeting_id).where(_theirs(user))))
    )
    for meeting_id in meeting_ids:  # in one order, so two closures never wait on each other
        locks.lock_meeting(meeting_id)
    rows = _held(_theirs(user))
    if not rows:
        return {"registrations": 0, "files": 0, "mails": 0}
    files, mails = _remove(rows)
    return {"registrations": len(rows), "files": len(files), "mails": mails}


# The removal itself ---------------------------------------------------------------------

_COLUMNS = (
    Registration.id,
    Registration.meeting_id,
    Registration.email,
    Registration.network_id,
    Registration.country_code,
    Registration.status,
    Registration.answers,
)


def _held(condition):
    """The registrations matching ``condition``, as plain rows of what the removal needs
    (no objects: the rows are deleted under the session's feet)."""
    return db.session.execute(select(*_COLUMNS).where(condition).order_by(Registration.id)).all()


def _remove(rows):
    """Count ``rows`` into the tallies and delete them with their history; their files go
    once committed. Returns ``(stored file names, mails deleted)``."""
    _tally(rows)
    files = set().union(*(questions.files_named(row.answers) for row in rows))
    events, registrations = RegistrationEvent.__table__, Registration.__table__
    for chunk in _chunks([row.id for row in rows]):
        db.session.execute(delete(events).where(events.c.registration_id.in_(chunk)))
        db.session.execute(delete(registrations).where(registrations.c.id.in_(chunk)))
    questions.remove_when_committed(files)
    _scrub_audit(rows)
    return files, _forget_mail(_unregistered({row.email for row in rows}))


def _scrub_audit(rows):
    """The audit log keeps who did what to a registration, not whose it was: the entries
    about ``rows`` lose the address they name (their summary and details), and so do
    the ones the person wrote acting on their own registration."""
    table = AuditEntry.__table__
    for chunk in _chunks(rows):
        db.session.execute(
            update(table)
            .where(
                table.c.target_type == "registration",
                table.c.target_id.in_([str(row.id) for row in chunk]),
            )
            .values(summary=REMOVED, details={})
        )
        db.session.execute(
            update(table)
            .where(
                table.c.actor_email.in_([row.email for row in chunk]), table.c.actor_id.is_(None)
            )
            .values(actor_email=REMOVED)
        )


def _tally(rows):
    """Add ``rows`` to their meetings' counts per network, country and status."""
    counts = Counter((r.meeting_id, r.network_id, r.country_code, r.status) for r in rows)
    meetings = {key[0] for key in counts}
    existing = {
        (t.meeting_id, t.network_id, t.country_code, t.status): t
        for t in db.session.scalars(
            select(RegistrationTally).where(RegistrationTally.meeting_id.in_(meetings))
        )
    }
    for key, count in counts.items():
        if key in existing:
            existing[key].count += count
        else:
            meeting_id, network_id, country_code, status = key
            db.session.add(
                RegistrationTally(
                    meeting_id=meeting_id,
                    network_id=network_id,
                    country_code=country_code,
                    status=status,
                    count=count,
                )
            )
    db.session.flush()


def _unregistered(addresses, other_than=None):
    """The ``addresses`` no registration names (none of a meeting other than
    ``other_than``, when given: what its removal would leave)."""
    still = set()
    for chunk in _chunks(sorted(addresses)):
        query = select(Registration.email).where(Registration.email.in_(chunk))
        if other_than is not None:
            query = query.where(Registration.meeting_id != other_than)
        still |= set(db.session.scalars(query))
    return addresses - still


def _forget_mail(addresses):
    """Delete the mail that is over to ``addresses`` (its attempts go with it, ON DELETE
    CASCADE); how many."""
    deleted = 0
    table = OutgoingMail.__table__
    for chunk in _chunks(sorted(addresses)):
        result = db.session.execute(
            delete(table).where(table.c.recipient.in_(chunk), table.c.status.in_(MAIL_OVER))
        )
        deleted += result.rowcount
    return deleted


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
