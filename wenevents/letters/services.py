"""Invitation letters: a delegate's request, the organisers' decision, the letters issued,
revoked or superseded, and an embassy's verification by code.

Passport details are sealed (sealing.py) the moment they arrive and opened only to show
them to the delegate and organisers, and to write the letter itself. They never go to a
log, an audit entry, a mail or an export. The registration's purge deletes the request
and its letters with it (foreign keys, ON DELETE CASCADE).
"""

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from wenevents import mail
from wenevents.audit.services import record
from wenevents.clock import utcnow
from wenevents.extensions import db
from wenevents.languages import writing_in
from wenevents.letters import sealing
from wenevents.letters.models import (
    APPROVED,
    CERTIFICATE,
    CORRECTION,
    INVITATION,
    REQUEST_STATUSES,
    REQUESTED,
    REVOKED,
    SUPERSEDED,
    VALID,
    Letter,
    LetterRequest,
)
from wenevents.locks import meeting_lock
from wenevents.registration.models import APPROVED as REGISTRATION_APPROVED
from wenevents.registration.models import Registration
from wenevents.urls import public_url

# Verification codes: ten characters that do not read alike (no 0/O, 1/I/L), shown in
# two groups of five (``K4MZ8-Q2XPR``); about 50 bits, drawn at random.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class NotAllowed(Exception):
    """Only an approved registration may ask for a letter."""


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text):
    """What someone typed, scanned or pasted (the QR code's whole address too), as stored:
    ``k4mz8-q2xpr`` → ``K4MZ8Q2XPR``."""
    text = (text or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return "".join(c for c in text.upper() if c.isalnum())[:40]


def standing(letter):
    """Whether the document stands now: an invitation whose registration is no longer
    approved (withdrawn, rejected, gone) no longer does, whatever its own status."""
    if letter.status == VALID and letter.kind == INVITATION:
        registration = letter.registration
        if registration is None or registration.status != REGISTRATION_APPROVED:
            return REVOKED
    return letter.status


class Changed(Exception):
    """The request changed since the organiser's page showed it: nothing was done."""


def shown_code(code):
    return f"{code[:5]}-{code[5:]}"


# -- The delegate's request -------------------------------------------------------------


def request_of(registration):
    return db.session.scalar(
        select(LetterRequest)
        .where(LetterRequest.registration_id == registration.id)
        .options(joinedload(LetterRequest.letters))
    )


def details(letter_request):
    """The request's passport details, opened."""
    return sealing.unseal(letter_request.sealed)


def submit(registration, values):
    """Ask for a letter, or correct the details asked for; the organisers decide again.
    A letter already issued stays valid until another replaces it. Not committed."""
    if registration.status != REGISTRATION_APPROVED:
        raise NotAllowed(registration.status)
    sealed = sealing.seal(values)
    letter_request = request_of(registration)
    if letter_request is None:
        letter_request = LetterRequest(
            registration_id=registration.id, meeting_id=registration.meeting_id
        )
        db.session.add(letter_request)
    letter_request.sealed = sealed
    letter_request.status = REQUESTED
    letter_request.message = ""
    # The audit entry says that it happened, never what was given.
    record(
        "letters.requested",
        f"{registration.meeting.acronym}: letter requested",
        target=registration,
    )
    return letter_request


# -- The organisers' decision -------------------------------------------------------------


def requests_of(meeting, status=""):
    query = (
        select(LetterRequest)
        .where(LetterRequest.meeting_id == meeting.id)
        .options(joinedload(LetterRequest.registration).joinedload(Registration.network))
        .order_by(LetterRequest.updated_at.desc(), LetterRequest.id.desc())
    )
    if status in REQUEST_STATUSES:
        query = query.where(LetterRequest.status == status)
    return db.session.scalars(query).unique().all()


def counts(meeting):
    found = dict(
        db.session.execute(
            select(LetterRequest.status, func.count())
            .where(LetterRequest.meeting_id == meeting.id)
            .group_by(LetterRequest.status)
        ).all()
    )
    return {status: found.get(status, 0) for status in REQUEST_STATUSES}


def approve(letter_request, by, seen_version=None):
    """Issue a letter from the request as it stands: the next number of the meeting, a new
    code; an earlier valid letter of the same request is superseded. ``seen_version``: the
    request's version the organiser read (details a delegate changed since are not issued
    unread: Changed). Only for an approved registration (NotAllowed). Not committed."""
    registration = letter_request.registration
    if seen_version is not None and seen_version != letter_request.version:
        raise Changed
    if registration.status != REGISTRATION_APPROVED:
        raise NotAllowed(registration.status)
    values = details(letter_request)
    with meeting_lock(letter_request.meeting_id):
        number = _next_number(letter_request.meeting_id, INVITATION)
        db.session.execute(
            update(Letter)
            .where(Letter.request_id == letter_request.id, Letter.status == VALID)
            .values(status=SUPERSEDED)
        )
        letter = Letter(
            kind=INVITATION,
            request=letter_request,
            registration_id=registration.id,
            meeting_id=letter_request.meeting_id,
            number=number,
            code=new_code(),
            language=registration.language,
            sealed=sealing.seal(
                {"name": values["passport_name"], "nationality": values["nationality"]}
            ),
            issued_by_id=by.id if by else None,
        )
        db.session.add(letter)
        letter_request.status = APPROVED
        letter_request.message = ""
        db.session.flush()
    record(
        "letters.issued",
        f"{registration.meeting.acronym}: letter {number}",
        target=registration,
        actor=by,
    )
    _tell(registration, "letter_issued", letter=letter)
    return letter


def _next_number(meeting_id, kind):
    """The next number of ``kind`` in the meeting (under its lock)."""
    found = db.session.scalar(
        select(func.max(Letter.number)).where(Letter.meeting_id == meeting_id, Letter.kind == kind)
    )
    return (found or 0) + 1


def certificate_of(registration):
    """The registration's certificate of attendance, issued on first asking (it must have
    been checked in); the same one afterwards. Not committed."""
    if registration.checked_in_at is None:
        raise NotAllowed("not checked in")
    with meeting_lock(registration.meeting_id):
        # Under the lock: a double click makes one certificate. A revoked one is not
        # replaced by asking again.
        existing = db.session.scalar(
            select(Letter)
            .where(Letter.registration_id == registration.id, Letter.kind == CERTIFICATE)
            .order_by(Letter.id.desc())
            .limit(1)
        )
        if existing is not None:
            if existing.status != VALID:
                raise NotAllowed("revoked")
            return existing
        letter = Letter(
            kind=CERTIFICATE,
            registration_id=registration.id,
            meeting_id=registration.meeting_id,
            number=_next_number(registration.meeting_id, CERTIFICATE),
            code=new_code(),
            language=registration.language,
            sealed=sealing.seal(
                {"name": registration.name, "nationality": registration.country_code}
            ),
        )
        db.session.add(letter)
        db.session.flush()
    record(
        "letters.certificate",
        f"{registration.meeting.acronym}: certificate {letter.number}",
        target=registration,
    )
    return letter


def ask_correction(letter_request, message, by, seen_version=None):
    """Send the request back with what to correct (said to the delegate). Not committed."""
    if seen_version is not None and seen_version != letter_request.version:
        raise Changed
    letter_request.status = CORRECTION
    letter_request.message = message.strip()[:1000]
    registration = letter_request.registration
    record(
        "letters.correction_asked",
        f"{registration.meeting.acronym}: correction asked",
        target=registration,
        actor=by,
    )
    _tell(registration, "letter_correction", message=letter_request.message)


def revoke(letter, reason, by):
    """The letter no longer stands (verification says so, with no reason shown). Not
    committed; False if it was not valid."""
    if letter.status != VALID:
        return False
    letter.status = REVOKED
    letter.revoked_at = utcnow()
    letter.revoked_reason = reason.strip()[:500]
    record(
        "letters.revoked",
        f"{letter.meeting.acronym}: {letter.kind} {letter.number}",
        target=letter.registration,
        actor=by,
    )
    return True


def _tell(registration, template, **context):
    """Mail the delegate that their letter is ready, or what to correct: never the passport
    details (the page shows them, after signing in)."""
    with writing_in(registration.language):
        meeting = registration.meeting.tr("title")
        subject = (
            _("Your invitation letter for %(meeting)s", meeting=meeting)
            if template == "letter_issued"
            else _("Your invitation letter for %(meeting)s: a correction", meeting=meeting)
        )
        mail.queue(
            registration.email,
            subject,
            template,
            registration=registration,
            link=public_url("letters.mine", acronym=registration.meeting.acronym),
            **context,
        )


# -- Verification ---------------------------------------------------------------------------


def letter_by_code(code):
    """The letter a code names, with its meeting; None for an unknown code."""
    code = normal_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        select(Letter)
        .where(Letter.code == code)
        .options(joinedload(Letter.meeting), joinedload(Letter.registration))
    )


def printed(letter):
    """``{"name", "nationality"}`` as the letter printed them."""
    return sealing.unseal(letter.sealed)
