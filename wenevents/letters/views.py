"""Invitation letters: the delegate's page (``/<acronym>/registration/letter``) and the
public verification (``/verify``) an embassy uses.

The verification answers the same page for an unknown code as for a code whose letter
is gone, tells nothing else, is rate-limited per address and logged (the audit log keeps
the outcome, never the code typed).
"""

import contextlib
from datetime import date

from flask import Blueprint, abort, current_app, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from wenevents.audit.services import record
from wenevents.extensions import db, limiter
from wenevents.htmx import finish, render
from wenevents.letters import sealing, services
from wenevents.letters.documents import document_pdf
from wenevents.letters.forms import DetailsForm, VerifyForm
from wenevents.letters.models import CORRECTION, VALID
from wenevents.meetings.services import published_meeting
from wenevents.registration import queries

bp = Blueprint("letters", __name__)


def _mine(acronym):
    """The meeting and one's own registration in it (404 if none)."""
    meeting = published_meeting(acronym) or abort(404)
    registration = queries.find(meeting, current_user.email) or abort(404)
    return meeting, registration


@bp.route("/<acronym:acronym>/registration/letter", methods=["GET", "POST"])
@login_required
def mine(acronym):
    """Ask for a letter, see where it stands, correct the details, download it."""
    meeting, registration = _mine(acronym)
    letter_request = services.request_of(registration)
    form = DetailsForm(meeting=meeting)
    unreadable = False
    if request.method == "GET" and letter_request is not None:
        try:
            form = DetailsForm(meeting=meeting, data=_as_form(services.details(letter_request)))
        except sealing.Unreadable:
            unreadable = True  # asked again below, rather than a 500
    status = 200
    if request.method == "POST":
        if registration.status != "approved":
            abort(403)
        if form.validate_on_submit():
            try:
                services.submit(registration, form.values())
                db.session.commit()
            except (IntegrityError, StaleDataError):
                # The same form sent twice at once: the other one is stored.
                db.session.rollback()
                return _private(make_response(_("Your request was already being sent."), 409))
            return finish(
                _(
                    "Your request is sent: the organisers will issue the letter "
                    "or ask you to correct something."
                ),
                url_for(".mine", acronym=acronym),
            )
        status = 422
    html = render(
        "letters/mine.html",
        meeting=meeting,
        registration=registration,
        letter_request=letter_request,
        letters=[
            letter
            for letter in (letter_request.letters if letter_request else [])
            if services.standing(letter) == VALID
        ],
        form=form,
        unreadable=unreadable,
        CORRECTION=CORRECTION,
    )
    return _private(make_response(html, status))


def _private(response):
    """Passport details on the page: kept by no cache, not even the browser's."""
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _as_form(values):
    return {
        **values,
        "birth_date": date.fromisoformat(values["birth_date"]),
        "passport_expiry": date.fromisoformat(values["passport_expiry"]),
    }


@bp.get("/<acronym:acronym>/registration/letter/<int:number>.pdf")
@login_required
def my_letter(acronym, number):
    """One's own valid letter as a PDF."""
    _meeting, registration = _mine(acronym)
    letter_request = services.request_of(registration) or abort(404)
    letter = next(
        (
            one
            for one in letter_request.letters
            if one.number == number and services.standing(one) == VALID
        ),
        None,
    ) or abort(404)
    return pdf_response(letter)


def pdf_response(letter):
    try:
        response = make_response(document_pdf(letter))
    except sealing.Unreadable:
        abort(503, description=_("The letter cannot be written now: its details cannot be read."))
    response.mimetype = "application/pdf"
    name = f"{letter.meeting.acronym}-{letter.kind}-{letter.number:04d}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Passport details: never kept by any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<acronym:acronym>/registration/certificate.pdf")
@login_required
def my_certificate(acronym):
    """One's certificate of attendance, once checked in (issued on first asking)."""
    _meeting, registration = _mine(acronym)
    try:
        letter = services.certificate_of(registration)
    except services.NotAllowed:
        abort(404)
    db.session.commit()
    return pdf_response(letter)


# -- Verification -------------------------------------------------------------------------


def _verify_limit():
    return current_app.config["VERIFY_LIMIT"]


@bp.get("/verify")
@limiter.limit(_verify_limit, exempt_when=lambda: not request.args.get("code"))
def verify():
    """Type a letter's code; see whether it stands, and for whom."""
    form = VerifyForm(request.args)
    if not request.args.get("code"):
        return render("letters/verify.html", form=VerifyForm(formdata=None), checked=False)
    return _verified(form.code.data if form.validate() else "")


@bp.get("/verify/<code>")
@limiter.limit(_verify_limit)
def verify_code(code):
    """The address a letter's QR code holds."""
    return _verified(code)


def _verified(code):
    letter = services.letter_by_code(code)
    found = letter is not None
    record(
        "letters.verified",
        "found" if found else "not found",
        target=letter.meeting if found else None,
    )
    db.session.commit()
    context = {"form": VerifyForm(formdata=None), "checked": True, "letter": None}
    if found:
        status = services.standing(letter)
        context.update(letter=letter, status=status, printed=None)
        # Who it names only while it stands: a letter revoked to protect its holder
        # says no more than that.
        if status == VALID:
            with contextlib.suppress(sealing.Unreadable):
                context["printed"] = services.printed(letter)
    response = make_response(render("letters/verify.html", **context))
    response.headers["Cache-Control"] = "no-store"
    # The code is in the address: it must not travel on in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
