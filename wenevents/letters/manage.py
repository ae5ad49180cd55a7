"""Organisers: the letter requests of a meeting, each request's decision, the letters
issued (revoke, download), and the letter's text per language."""

from flask import Blueprint, abort, g, make_response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from wenevents import web
from wenevents.extensions import db
from wenevents.forms import Form
from wenevents.htmx import finish, render
from wenevents.languages import LANGUAGES, writing_in
from wenevents.letters import sealing, services
from wenevents.letters.documents import PLACEHOLDERS, default_text, text_for
from wenevents.letters.forms import CorrectionForm, RevokeForm, TextForm
from wenevents.letters.models import (
    INVITATION,
    REQUEST_STATUSES,
    Letter,
    LetterRequest,
    LetterText,
)
from wenevents.letters.views import pdf_response
from wenevents.permissions import organisers_only
from wenevents.registration.queries import meeting_by_acronym
from wenevents.text import to_id
from wenevents.web import acting_user

bp = Blueprint("letters_manage", __name__, url_prefix="/manage/<acronym:acronym>/letters")
organisers_only(bp)
web.meeting_of_url(bp, meeting_by_acronym)


@bp.get("/")
def index():
    status = request.args.get("status", "")
    status = status if status in REQUEST_STATUSES else ""
    return render(
        "letters/manage_index.html",
        meeting=g.meeting,
        requests=services.requests_of(g.meeting, status),
        counts=services.counts(g.meeting),
        status=status,
        languages=LANGUAGES,
    )


def _request(request_id):
    # An id no column holds names nothing (404), never a 500.
    letter_request = db.session.get(LetterRequest, to_id(request_id) or abort(404))
    if letter_request is None or letter_request.meeting_id != g.meeting.id:
        abort(404)
    return letter_request


def _detail(letter_request, status=200, **forms):
    try:
        details = services.details(letter_request)
    except sealing.Unreadable:
        details = None  # the page says the key does not open them
    html = render(
        "letters/manage_detail.html",
        meeting=g.meeting,
        letter_request=letter_request,
        details=details,
        correction=forms.get("correction") or CorrectionForm(formdata=None),
        revoke=forms.get("revoke") or RevokeForm(formdata=None),
        shown_code=services.shown_code,
        standing=services.standing,
    )
    response = make_response(html, status)
    # Passport details on the page: kept by no cache, not even the browser's.
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _seen():
    """The request's version the organiser's page showed (None: not given)."""
    return to_id(request.form.get("seen"))


def _decided(letter_request, decide, message):
    """Run ``decide()``, commit, and end with ``message``; a request changed meanwhile, a
    registration no longer approved or a race are said, and nothing is stored."""
    back = url_for(".detail", request_id=letter_request.id)
    try:
        result = decide()
        db.session.commit()
    except services.Changed:
        db.session.rollback()
        return finish(
            _("The delegate changed the details meanwhile: read them again before deciding."),
            back,
            category="error",
        )
    except services.NotAllowed:
        db.session.rollback()
        return finish(
            _("The registration is no longer approved: no letter can be issued."),
            back,
            category="error",
        )
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        return finish(
            _("Someone else decided meanwhile: read the request again."), back, category="error"
        )
    return finish(message(result), back)


@bp.get("/<int:request_id>")
def detail(request_id):
    return _detail(_request(request_id))


@bp.post("/<int:request_id>/approve")
def approve(request_id):
    letter_request = _request(request_id)
    if not Form().validate_on_submit():
        abort(400)
    return _decided(
        letter_request,
        lambda: services.approve(letter_request, acting_user(), seen_version=_seen()),
        lambda letter: _(
            "Letter %(number)s is issued; the delegate is told.", number=letter.number
        ),
    )


@bp.post("/<int:request_id>/correction")
def correction(request_id):
    letter_request = _request(request_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _detail(letter_request, 422, correction=form)
    return _decided(
        letter_request,
        lambda: services.ask_correction(
            letter_request, form.message.data, acting_user(), seen_version=_seen()
        ),
        lambda _result: _("The delegate is asked to correct the details."),
    )


def _letter(letter_id):
    """An invitation letter of the meeting (certificates have no organisers' page yet)."""
    letter = db.session.get(Letter, to_id(letter_id) or abort(404))
    if letter is None or letter.meeting_id != g.meeting.id or letter.kind != INVITATION:
        abort(404)
    return letter


@bp.post("/issued/<int:letter_id>/revoke")
def revoke(letter_id):
    letter = _letter(letter_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail(letter.request, 422, revoke=form)
    services.revoke(letter, form.reason.data, acting_user())
    db.session.commit()
    return finish(
        _("Letter %(number)s is revoked: its verification says so.", number=letter.number),
        url_for(".detail", request_id=letter.request_id),
    )


@bp.get("/issued/<int:letter_id>.pdf")
def letter_pdf(letter_id):
    return pdf_response(_letter(letter_id))


@bp.route("/text/<any(en, fr, es):language>", methods=["GET", "POST"])
def text(language):
    """The letter's text in one language, with its placeholders."""
    form = TextForm()
    status = 200
    if request.method == "GET":
        with writing_in(language):
            form = TextForm(data={"body": text_for(g.meeting, language) or default_text()})
    elif form.validate_on_submit():
        row = db.session.scalar(
            select(LetterText).where(
                LetterText.meeting_id == g.meeting.id, LetterText.language == language
            )
        ) or LetterText(meeting_id=g.meeting.id, language=language)
        row.body = form.body.data or ""  # a form posted without the field: an empty text
        db.session.add(row)
        db.session.commit()
        return finish(_("The letter’s text is saved."), url_for(".text", language=language))
    else:
        status = 422
    return render(
        "letters/text.html",
        meeting=g.meeting,
        form=form,
        language=language,
        placeholders=PLACEHOLDERS,
    ), status
