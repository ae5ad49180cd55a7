"""Registration rules: the window, seats and quotas, the waiting list, the workflow.

Seat changes of one meeting are serialised by ``lock_seats``: it starts the transaction
with a write to the meeting's settings row, so two registrations can never both take the
last seat, on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (a row lock) alike.
"""

import hashlib
import logging
import secrets
from datetime import UTC
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from wenevents import mail
from wenevents.accounts.models import DELEGATE, User, utcnow
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.registration.models import (
    APPROVED,
    DECLINED,
    DETAIL_FIELDS,
    ENDORSED,
    REJECTED,
    SEAT_HOLDING,
    SUBMITTED,
    UNCONFIRMED,
    WAITLISTED,
    WITHDRAWN,
    Question,
    Registration,
    RegistrationEvent,
    RegistrationSettings,
)
from wenevents.uploads import storage

CHOICE_KINDS = ("single_choice", "multiple_choice")
# Changing one of these after approval sends the registration back for a decision.
KEY_FIELDS = ("given_name", "family_name", "organisation", "network_id", "participation_role")


log = logging.getLogger(__name__)


class RegistrationError(ValueError):
    """A step refused for a reason the person can act on."""


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def settings_for(meeting):
    return db.session.get(RegistrationSettings, meeting.id)


def find(meeting, email):
    return db.session.scalar(
        select(Registration).where(
            Registration.meeting_id == meeting.id, Registration.email == email.strip().lower()
        )
    )


# Seats -----------------------------------------------------------------------------------


def lock_seats(meeting_id):
    """Begin a transaction that holds the meeting's seat lock until commit or rollback.

    Call with nothing pending in the session. On SQLite, BEGIN IMMEDIATE takes the write
    lock before anything is read, so the counts read next cannot be stale (a deferred
    transaction would fail with "database is locked" instead of waiting).
    """
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    db.session.execute(
        update(RegistrationSettings)
        .where(RegistrationSettings.meeting_id == meeting_id)
        .values(seat_version=RegistrationSettings.seat_version + 1)
    )


def seats_taken(meeting_id, network_id=None):
    query = select(func.count()).where(
        Registration.meeting_id == meeting_id, Registration.status.in_(SEAT_HOLDING)
    )
    if network_id is not None:
        query = query.where(Registration.network_id == network_id)
    return db.session.scalar(query)


def has_room(settings, network_id):
    """Whether one more seat fits the capacity and the network's quota (lock held)."""
    if settings.capacity is not None and seats_taken(settings.meeting_id) >= settings.capacity:
        return False
    return not (
        network_id is not None
        and settings.network_quota is not None
        and seats_taken(settings.meeting_id, network_id) >= settings.network_quota
    )


def _seat_or_waitlist(registration, settings):
    """Give a confirmed registration a seat, or the end of the waiting list."""
    if has_room(settings, registration.network_id):
        return ENDORSED if registration.endorsed_at else SUBMITTED
    registration.waitlisted_at = utcnow()
    return WAITLISTED


def promote_next(meeting_id, by=None, exclude=None):
    """Promote the first waiting registration that fits (lock held); return it or None.

    ``exclude``: one just sent to the list, which must not come straight back.
    """
    settings = db.session.get(RegistrationSettings, meeting_id)
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting_id,
            Registration.status == WAITLISTED,
            Registration.id != (exclude or 0),
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    for registration in waiting:
        if has_room(settings, registration.network_id):
            status = ENDORSED if registration.endorsed_at else SUBMITTED
            _move(registration, status, by, _("Promoted from the waiting list"))
            registration.waitlisted_at = None
            return registration
    return None


def by_network(meeting, networks):
    """``[(network, registrations, seats held), …]`` for a focal point's networks."""
    ids = [n.id for n in networks]
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.network_id.in_(ids),
            Registration.status != UNCONFIRMED,
        )
        .order_by(Registration.created_at)
    ).all()
    groups = []
    for network in networks:
        mine = [r for r in registrations if r.network_id == network.id]
        groups.append((network, mine, sum(1 for r in mine if r.holds_seat)))
    return groups


# Steps -------------------------------------------------------------------------------------


def _move(registration, status, by, note=""):
    registration.events.append(
        RegistrationEvent(
            from_status=registration.status,
            to_status=status,
            actor_id=by.id if by else None,
            actor_email=by.email if by else "",
            note=note[:1000],
        )
    )
    registration.status = status


def files_folder():
    return Path(current_app.config["UPLOAD_DIR"]) / "registrations"


def store_answer_files(answers, existing=None):
    """Store the files among ``answers``; a question left without a new file keeps its old.

    Files are stored before the row that names them, so a row never points at nothing.
    """
    existing = existing or {}
    limit = current_app.config["REGISTRATION_FILE_MAX_BYTES"]
    stored = {}
    for key, value in answers.items():
        if isinstance(value, FileStorage) and value.filename:
            stored[key] = storage.store(value.stream, value.filename, files_folder(), limit)
            stored[key] = stored[key].as_answer()
        elif isinstance(value, FileStorage) or (value is None and key in existing):
            stored[key] = existing.get(key)
        else:
            stored[key] = value
    return stored


def answer_file(registration, question_id):
    """The path and record of a file answer, or (None, None)."""
    answer = (registration.answers or {}).get(str(question_id))
    if not isinstance(answer, dict):
        return None, None
    return storage.path_of(answer.get("file"), files_folder()), answer


def register(meeting, values, signed_in=None):
    """Record a registration. Returns ``(registration, created)``.

    The same email registering again (even at the same moment) gets the existing one
    back, never a second. Someone signed in with the same address is confirmed at once;
    anyone else confirms by the emailed link.
    """
    email = values["email"].strip().lower()
    registration = Registration(
        meeting_id=meeting.id, email=email, **{k: values[k] for k in DETAIL_FIELDS}
    )
    registration.answers = store_answer_files(values.get("answers", {}))
    raw = secrets.token_urlsafe(32)
    registration.confirm_token_hash = _digest(raw)
    _move(registration, UNCONFIRMED, signed_in)
    db.session.add(registration)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find(meeting, email)
        if existing.status == WITHDRAWN:
            return _register_again(existing, values, signed_in), True
        _mail_again(existing)
        return existing, False
    if signed_in is not None and signed_in.email == email:
        confirm(registration, signed_in)
    else:
        _mail_confirm(registration, raw)
    return registration, True


def _register_again(registration, values, signed_in):
    """Someone who withdrew registers again: the same row, with the new details."""
    for field in DETAIL_FIELDS:
        setattr(registration, field, values[field])
    registration.answers = store_answer_files(values.get("answers", {}))
    registration.endorsed_at = registration.confirmed_at = registration.waitlisted_at = None
    registration.reason = ""
    raw = secrets.token_urlsafe(32)
    registration.confirm_token_hash = _digest(raw)
    _move(registration, UNCONFIRMED, signed_in, _("Registered again"))
    db.session.commit()
    if signed_in is not None and signed_in.email == registration.email:
        return confirm(registration, signed_in)
    _mail_confirm(registration, raw)
    return registration


def _mail_confirm(registration, raw):
    mail.send(
        registration.email,
        _("Confirm your registration for %(meeting)s", meeting=registration.meeting.title),
        "registration_confirm",
        after_response=True,
        registration=registration,
        link=url_for("registration.confirm_link", token=raw, _external=True),
    )


def _mail_again(registration):
    """The address registered already: say so to that address, not on the page."""
    raw = secrets.token_urlsafe(32)
    if registration.status == UNCONFIRMED:
        # A plain UPDATE, not a versioned flush: several of these may run at once, and
        # the newest link is the one that works.
        db.session.execute(
            update(Registration)
            .where(Registration.id == registration.id)
            .values(confirm_token_hash=_digest(raw))
        )
        db.session.commit()
    mail.send(
        registration.email,
        _("Your registration for %(meeting)s", meeting=registration.meeting.title),
        "registration_exists",
        after_response=True,
        registration=registration,
        link=(
            url_for("registration.confirm_link", token=raw, _external=True)
            if registration.status == UNCONFIRMED
            else url_for("registration.mine", acronym=registration.meeting.acronym, _external=True)
        ),
    )


def by_confirm_token(raw):
    if not raw or len(raw) > 100:
        return None
    return db.session.scalar(
        select(Registration).where(
            Registration.confirm_token_hash == _digest(raw), Registration.status == UNCONFIRMED
        )
    )


def confirm(registration, user=None):
    """The address is confirmed: link the account (or make one), then a seat or the list.

    Everything that changes the registration happens under the seat lock, so the same
    link pressed twice at once confirms once (the second finds it confirmed).
    """
    if registration.status != UNCONFIRMED:
        return registration
    meeting_id, registration_id = registration.meeting_id, registration.id
    user = user or _account_for(registration)
    user_id = user.id
    db.session.commit()

    lock_seats(meeting_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status != UNCONFIRMED:  # confirmed (or withdrawn) meanwhile
        db.session.rollback()
        return db.session.get(Registration, registration_id)
    user = db.session.get(User, user_id)
    settings = db.session.get(RegistrationSettings, meeting_id)
    registration.user = user
    registration.confirmed_at = utcnow()
    registration.confirm_token_hash = None
    _move(registration, _seat_or_waitlist(registration, settings), user, _("Address confirmed"))
    db.session.commit()
    _notify(registration)
    return registration


def _account_for(registration):
    """The account with the registration's address, made as a delegate's if there is none."""
    email = registration.email
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        db.session.add(User(email=email, name=registration.name, role=DELEGATE))
        try:
            db.session.commit()
        except IntegrityError:  # the same link confirmed twice at once: the other made it
            db.session.rollback()
        user = db.session.scalar(select(User).where(User.email == email))
    return user


def _locked(registration, allowed, message):
    """The registration re-read under its meeting's seat lock, if its status allows the step.

    Checking only after the lock is what makes two organisers (or an organiser and the
    delegate) acting at once safe: the second sees what the first did.
    """
    meeting_id, registration_id = registration.meeting_id, registration.id
    db.session.commit()
    lock_seats(meeting_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status not in allowed:
        db.session.rollback()
        raise RegistrationError(message)
    return registration


def endorse(registration, by):
    """A focal point of the registration's network vouches for it."""
    registration = _locked(
        registration, (SUBMITTED, WAITLISTED), _("Only a submitted registration can be endorsed.")
    )
    registration.endorsed_at = utcnow()
    if registration.status == SUBMITTED:
        _move(registration, ENDORSED, by)
    else:
        registration.events.append(
            RegistrationEvent(
                from_status=WAITLISTED,
                to_status=WAITLISTED,
                actor_id=by.id,
                actor_email=by.email,
                note=_("Endorsed while waiting"),
            )
        )
    audit.record(
        "registration.endorse", registration.email, target=registration, actor=by, commit=False
    )
    db.session.commit()
    _notify(registration)


def decline(registration, by, reason=""):
    """A focal point declines to endorse; the seat (if any) goes to the next in line."""
    registration = _locked(
        registration,
        (SUBMITTED, ENDORSED, WAITLISTED),
        _("This registration cannot be declined now."),
    )
    _finish(registration, DECLINED, by, reason, "registration.decline")


def approve(registration, by):
    settings = settings_for(registration.meeting)
    if settings and settings.endorsement_required and registration.network_id is not None:
        allowed, message = (ENDORSED,), _("The network has not endorsed this registration yet.")
    else:
        allowed = (SUBMITTED, ENDORSED)
        message = _("Only a submitted or endorsed registration can be approved.")
    registration = _locked(registration, allowed, message)
    _move(registration, APPROVED, by)
    audit.record(
        "registration.approve", registration.email, target=registration, actor=by, commit=False
    )
    db.session.commit()
    _notify(registration)


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
    _move(registration, WAITLISTED, by)
    promoted = _promote_first_waiting(registration.meeting_id, exclude=registration.id)
    audit.record(
        "registration.waitlist", registration.email, target=registration, actor=by, commit=False
    )
    db.session.commit()
    _notify(registration)
    if promoted is not None:
        _notify(promoted, promoted=True)


def promote(registration, by):
    """An organiser promotes one waiting registration, if a seat is free for it."""
    registration = _locked(
        registration, (WAITLISTED,), _("Only a waiting registration can be promoted.")
    )
    settings = db.session.get(RegistrationSettings, registration.meeting_id)
    if not has_room(settings, registration.network_id):
        db.session.rollback()
        raise RegistrationError(_("No seat is free for this registration (capacity or quota)."))
    _move(
        registration,
        ENDORSED if registration.endorsed_at else SUBMITTED,
        by,
        _("Promoted from the waiting list"),
    )
    registration.waitlisted_at = None
    audit.record(
        "registration.promote", registration.email, target=registration, actor=by, commit=False
    )
    db.session.commit()
    _notify(registration, promoted=True)


def withdraw(registration, by):
    """The delegate withdraws; a freed seat goes to the next in line."""
    registration = _locked(
        registration,
        (UNCONFIRMED, SUBMITTED, ENDORSED, APPROVED, WAITLISTED),
        _("This registration is closed already."),
    )
    _finish(registration, WITHDRAWN, by, "", "registration.withdraw")


def _promote_first_waiting(meeting_id, exclude=None):
    """With automatic promotion, give a freed seat to the first who fits (lock held).

    Call after the seat-holder's status changed in the session (flushed by the query).
    """
    settings = db.session.get(RegistrationSettings, meeting_id)
    if settings is None or not settings.auto_promote:
        return None
    return promote_next(meeting_id, exclude=exclude)


def _finish(registration, status, by, reason, action):
    """End a registration (lock held, see _locked); the seat it freed goes to the next."""
    freed = registration.holds_seat
    registration.confirm_token_hash = None
    registration.reason = reason[:1000]
    registration.waitlisted_at = None
    _move(registration, status, by, reason)
    audit.record(action, registration.email, target=registration, actor=by, commit=False)
    promoted = _promote_first_waiting(registration.meeting_id) if freed else None
    db.session.commit()
    _notify(registration)
    if promoted is not None:
        _notify(promoted, promoted=True)


def update_details(registration, values, by, version=None):
    """The delegate (or an organiser) edits details, under the seat lock.

    ``version``: the one the form was opened on; a newer one means someone else changed
    the registration meanwhile, and the edit is refused rather than silently merged.
    Moving to another network needs that network's endorsement and a seat in its quota;
    other key changes send an approved registration back for a decision.
    """
    if registration.status in (DECLINED, REJECTED, WITHDRAWN):
        raise RegistrationError(_("This registration is closed; it can no longer be changed."))
    if "answers" in values:
        values = {**values, "answers": store_answer_files(values["answers"], registration.answers)}
    meeting_id, registration_id = registration.meeting_id, registration.id
    db.session.commit()
    lock_seats(meeting_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if version is not None and registration.version != version:
        db.session.rollback()
        raise RegistrationError(
            _("Your registration was changed since you opened this page. Here it is as it is now.")
        )
    changed = [f for f in DETAIL_FIELDS if values[f] != getattr(registration, f)]
    if "network_id" in changed and registration.holds_seat:
        settings = db.session.get(RegistrationSettings, meeting_id)
        new = values["network_id"]
        if (
            new is not None
            and settings is not None
            and settings.network_quota is not None
            and seats_taken(meeting_id, new) >= settings.network_quota
        ):
            db.session.rollback()
            raise RegistrationError(
                _("That network has no seat free; your registration stays as it was.")
            )
    for field in changed:
        setattr(registration, field, values[field])
    if "answers" in values and values["answers"] != registration.answers:
        registration.answers = values["answers"]
        changed.append("answers")
    key_changes = sorted(set(changed) & set(KEY_FIELDS))
    if "network_id" in changed:
        registration.endorsed_at = None  # the new network has not vouched for anyone yet
    if key_changes and (
        registration.status == APPROVED
        or (registration.status == ENDORSED and "network_id" in changed)
    ):
        status = ENDORSED if registration.endorsed_at else SUBMITTED
        _move(
            registration,
            status,
            by,
            _("Details changed: %(fields)s", fields=", ".join(key_changes)),
        )
    db.session.commit()
    return changed


def _require(registration, allowed, message):
    if registration.status not in allowed:
        raise RegistrationError(message)


def _notify(registration, promoted=False):
    """Tell the person what happened, in their language once translations exist."""
    template = "promoted" if promoted else registration.status
    subjects = {
        SUBMITTED: _("Registration received: %(meeting)s"),
        ENDORSED: _("Your network endorsed your registration: %(meeting)s"),
        APPROVED: _("Registration approved: %(meeting)s"),
        REJECTED: _("Registration not accepted: %(meeting)s"),
        DECLINED: _("Your network did not endorse your registration: %(meeting)s"),
        WAITLISTED: _("On the waiting list: %(meeting)s"),
        WITHDRAWN: _("Registration withdrawn: %(meeting)s"),
        "promoted": _("A seat is yours: %(meeting)s"),
    }
    if template not in subjects:
        return
    try:
        _send_notice(registration, template, subjects[template])
    except Exception:  # the step is saved; a mail server's failure must not undo the page
        log.exception("notice %s to %s not sent", template, registration.email)


def _send_notice(registration, template, subject):
    attachments = []
    if registration.status == APPROVED:
        from wenevents.exports.ics import meeting_calendar

        attachments.append(("meeting.ics", "text/calendar", meeting_calendar(registration.meeting)))
    mail.send(
        registration.email,
        subject % {"meeting": registration.meeting.title},
        f"registration_{template}",
        registration=registration,
        link=url_for("registration.mine", acronym=registration.meeting.acronym, _external=True),
        attachments=attachments,
    )


# Organisers: settings, questions, participants list ---------------------------------------


def to_utc(local, meeting):
    """A wall-clock time in the meeting's zone, as stored (naive UTC)."""
    if local is None:
        return None
    return local.replace(tzinfo=meeting.tz).astimezone(UTC).replace(tzinfo=None)


def to_local(stored, meeting):
    if stored is None:
        return None
    return stored.replace(tzinfo=UTC).astimezone(meeting.tz).replace(tzinfo=None)


SETTING_FIELDS = (
    "capacity",
    "network_quota",
    "endorsement_required",
    "auto_promote",
    "travel_days",
    "participants_list",
)


def save_settings(meeting, values, by):
    """Create or change a meeting's registration settings; audit what changed."""
    settings = settings_for(meeting)
    if settings is None:
        settings = RegistrationSettings(meeting_id=meeting.id)
        db.session.add(settings)
    new = {field: values[field] for field in SETTING_FIELDS}
    new["opens_at"] = to_utc(values["opens_at"], meeting)
    new["closes_at"] = to_utc(values["closes_at"], meeting)
    changed = sorted(f for f, v in new.items() if getattr(settings, f, None) != v)
    for field in changed:
        setattr(settings, field, new[field])
    audit.record(
        "registration.settings",
        meeting.acronym,
        target=meeting,
        actor=by,
        fields=changed,
        commit=False,
    )
    db.session.commit()
    return settings


def questions(meeting):
    return questions_of(meeting.id)


def save_question(meeting, question, values, by):
    """Add (``question`` None) or change an extra question; choices only where they apply."""
    if question is None:
        last = db.session.scalar(
            select(func.max(Question.position)).where(Question.meeting_id == meeting.id)
        )
        question = Question(meeting_id=meeting.id, position=(last or 0) + 1)
        db.session.add(question)
    question.kind = values["kind"]
    question.label = values["label"]
    question.help = values["help"] or ""
    question.required = values["required"]
    question.choices = values["choices"] if values["kind"] in CHOICE_KINDS else []
    db.session.flush()
    audit.record("registration.question", question.label, target=question, actor=by, commit=False)
    db.session.commit()
    return question


def delete_question(question, by):
    """Remove a question; answers already given stay in the registrations."""
    audit.record(
        "registration.question_delete", question.label, target=question, actor=by, commit=False
    )
    db.session.delete(question)
    db.session.commit()


def move_question(question, step, by):
    """Swap a question with its neighbour above (step -1) or below (+1)."""
    siblings = questions_of(question.meeting_id)
    index = siblings.index(question)
    other = index + step
    if not 0 <= other < len(siblings):
        return False
    order = siblings[:]
    order[index], order[other] = order[other], order[index]
    for position, item in enumerate(order, start=1):
        item.position = position
    audit.record(
        "registration.question_move", question.label, target=question, actor=by, commit=False
    )
    db.session.commit()
    return True


def questions_of(meeting_id):
    return db.session.scalars(
        select(Question).where(Question.meeting_id == meeting_id).order_by(Question.position)
    ).all()


def participants(meeting):
    """Approved participants who agreed to be listed, by family name."""
    return db.session.scalars(
        select(Registration)
        .where(
            Registration.meeting_id == meeting.id,
            Registration.status == APPROVED,
            Registration.consent_list.is_(True),
        )
        .options(joinedload(Registration.network))
        .order_by(func.lower(Registration.family_name), func.lower(Registration.given_name))
    ).all()


def may_see_participants(user, meeting):
    """Organisers, focal points, and people with an approved registration for the meeting."""
    if not user.is_authenticated:
        return False
    if user.is_organiser or user.networks:
        return True
    registration = find(meeting, user.email)
    return registration is not None and registration.status == APPROVED
