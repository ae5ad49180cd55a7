"""Registering for a meeting, confirming the address, one's own registration, and the
focal point's page of their network's registrations.

The meeting of a URL (``<acronym>``) is a published one. It is looked up inside each view,
after the sign-in check (``login_required``), so that a URL of no meeting is answered as
before: the sign-in page for someone signed out, a 404 otherwise.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block

from wenevents.accounts import services as accounts
from wenevents.accounts.forms import ChoosePasswordForm
from wenevents.audit import services as audit
from wenevents.clock import utcnow
from wenevents.downloads import file_response
from wenevents.extensions import db, limiter
from wenevents.forms import Form
from wenevents.htmx import finish, is_htmx, render, retarget
from wenevents.meetings.services import published_meeting
from wenevents.permissions import acts_for, deny
from wenevents.registration import (
    forms,
    materials,
    queries,
    questions,
    registering,
    rules,
    seats,
    workflow,
)
from wenevents.registration.models import Registration
from wenevents.security import link_invalid, stash_token
from wenevents.text import to_id
from wenevents.web import acting_user

bp = Blueprint("registration", __name__)


def _meeting(acronym):
    return published_meeting(acronym) or abort(404)


def _open(acronym):
    """The meeting, its settings and its questions; one that takes no registrations is 404."""
    meeting = _meeting(acronym)
    settings = queries.settings_for(meeting) or abort(404)
    return meeting, settings, questions.questions_of(meeting.id)


def _form(meeting, settings, asked, **kwargs):
    return forms.form_class(asked)(**kwargs).setup(meeting, settings.travel_days)


@bp.route("/<acronym:acronym>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT"], methods=["POST"])
def register(acronym):
    """The registration form; the answer is the same whether or not the address is known."""
    meeting, settings, asked = _open(acronym)
    form = _form(meeting, settings, asked)
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = form.email.data or current_user.email
    is_open, status = settings.is_open(utcnow()), 200
    if is_open and form.validate_on_submit() & form.check_files(asked):
        signed_in = acting_user() if current_user.is_authenticated else None
        try:
            registration, _created = registering.register(meeting, form.values(asked), signed_in)
        except questions.NoRoom as error:  # nothing stored: the form again, as filled in
            db.session.rollback()
            form[error.field].errors, status = [*form[error.field].errors, str(error)], 507
        else:
            db.session.commit()
            if signed_in is not None and registration.email == signed_in.email:
                return redirect(url_for(".mine", acronym=acronym), 303)
            return render("registration/sent.html", meeting=meeting, email=registration.email)
    html = render(
        "registration/register.html",
        meeting=meeting,
        settings=settings,
        form=form,
        questions=asked,
        is_open=is_open,
    )
    return html, status


@bp.post("/<acronym:acronym>/register/check/<field>")
def check_field(acronym, field):
    """Inline validation as a field is left: the field again, with its message if any."""
    form = _form(*_open(acronym))
    if field not in form._fields or field == "csrf_token":
        abort(404)
    form.validate()

    def one_field():
        return render("registration/register.html", block="one_field", f=form[field])

    return finish(None, url_for(".register", acronym=acronym), one_field)


@bp.get("/registrations/confirm/<token>")
def confirm_link(token):
    """Keep the emailed token in the session, out of the address bar and Referer."""
    return stash_token("registration_token", token, "registration.confirm")


@bp.route("/registrations/confirm", methods=["GET", "POST"])
def confirm():
    """Confirm the address with one button (a GET never changes anything).

    A new (or password-less) delegate's account chooses its password here and is then
    signed in; any other account is only confirmed and sent to sign in with its password.
    """
    registration = registering.by_confirm_token(session.get("registration_token"))
    if registration is None:
        return link_invalid()
    chooses = registering.signs_in_by_link(registering.account_of(registration))
    form = ChoosePasswordForm() if chooses else Form()
    if form.validate_on_submit():
        password = form.password.data if chooses else None
        try:
            registration = registering.confirm_by_link(registration, password)
        except workflow.RegistrationError as error:
            form.password.errors.append(str(error))
        else:
            return _confirmed(registration, password)
    return render(
        "registration/confirm.html", registration=registration, form=form, chooses=chooses
    )


def _confirmed(registration, password):
    # Committed before the password is hashed (slow): the meeting's lock is not held then.
    db.session.commit()
    if registration.user is None:  # withdrawn meanwhile: nothing was confirmed
        return link_invalid()
    user = registering.choose_password(registration, password)
    db.session.commit()
    session.pop("registration_token", None)
    mine = url_for("registration.mine", acronym=registration.meeting.acronym)
    if user is None:
        flash(_("Your address is confirmed. Sign in to see your registration."), "success")
        return redirect(url_for("accounts.login", next=mine), 303)
    accounts.sign_in(user)
    flash(_("Your address is confirmed and your password is set."), "success")
    return redirect(mine, 303)


def _mine(acronym):
    """The meeting of the URL and one's own registration for it (or None)."""
    meeting = _meeting(acronym)
    return meeting, queries.find(meeting, current_user.email)


@bp.get("/<acronym:acronym>/registration")
@login_required
def mine(acronym):
    """One's own registration: status, history, edit, withdraw, confirmation to print."""
    meeting, registration = _mine(acronym)
    if registration is None:
        return redirect(url_for(".register", acronym=acronym), 303)
    return render(
        "registration/mine.html",
        meeting=meeting,
        registration=registration,
        answers=queries.shown_answers(questions.questions_of(meeting.id), registration),
        slides=materials.slides_for(registration, acting_user()),
        role_labels=forms.ROLE_LABELS,
        language_labels=forms.LANGUAGE_LABELS,
        editable=registration.status not in workflow.CLOSED,
    )


@bp.route("/<acronym:acronym>/registration/edit", methods=["GET", "POST"])
@login_required
def edit(acronym):
    """Change one's details; key changes send an approved registration back for a decision."""
    meeting, registration = _mine(acronym)
    settings, asked = queries.settings_for(meeting), questions.questions_of(meeting.id)
    form = _form(meeting, settings, asked, obj=registration or abort(404))
    if request.method == "GET":
        form.show(registration, asked)
    form.email.data = registration.email  # the address is the registration's identity
    status, mine = 200, url_for(".mine", acronym=acronym)
    if form.validate_on_submit() & form.check_files(asked, registration.answers):
        try:
            version = to_id(form.version.data)  # the one the page was opened on, if any
            workflow.update_details(registration, form.values(asked), acting_user(), version)
        except questions.NoRoom as error:
            db.session.rollback()
            form[error.field].errors, status = [*form[error.field].errors, str(error)], 507
        except workflow.RegistrationError as error:
            return finish(str(error), mine, category="error")
        else:
            db.session.commit()
            return finish(_("Your details are saved."), mine)
    context = {"registration": registration, "form": form, "questions": asked}
    return render("registration/edit.html", meeting=meeting, **context), status


@bp.get("/<acronym:acronym>/registration/files/<int:question_id>")
@login_required
def my_file(acronym, question_id):
    """A file one attached to one's own registration."""
    path, answer = questions.answer_file(_mine(acronym)[1] or abort(404), question_id)
    if path is None:
        abort(404)
    return file_response(path, answer["name"], answer["type"])


@bp.route("/<acronym:acronym>/registration/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(acronym):
    """Withdraw once confirmed (``confirmed=yes`` from the page this answers otherwise, with
    or without JavaScript); the seat goes to the next person waiting."""
    meeting, registration = _mine(acronym)
    mine = url_for(".mine", acronym=acronym)
    if registration is None:
        abort(404)
    if request.method == "GET" or request.form.get("confirmed") != "yes":
        if registration.status in workflow.CLOSED:
            return finish(_("This registration is closed already."), mine, category="info")
        return render("registration/withdraw.html", meeting=meeting, registration=registration)
    try:
        workflow.withdraw(registration, acting_user())
    except workflow.RegistrationError as error:
        abort(409, description=str(error))
    db.session.commit()
    return finish(_("Your registration is withdrawn."), mine)


# The focal point's page ----------------------------------------------------------------


@bp.get("/<acronym:acronym>/network-registrations")
@login_required
def network_registrations(acronym):
    """Registrations of the networks one acts for, with their counts against the quota."""
    meeting = _meeting(acronym)
    networks = [n for n in meeting.networks if acts_for(current_user, n)]
    if not networks:
        deny(f"network registrations of {acronym}")
    return render(
        "registration/network.html",
        meeting=meeting,
        settings=queries.settings_for(meeting),
        groups=seats.by_network(meeting, networks),
    )


@bp.post("/registrations/<int:registration_id>/<any(endorse, decline):action>")
@login_required
def endorse_or_decline(registration_id, action):
    """A focal point of the registration's network endorses or declines it, in place."""
    registration = db.get_or_404(Registration, registration_id)
    if registration.network is None or not acts_for(current_user, registration.network):
        deny(f"{action} registration {registration_id}", target=registration)
    promoted = None
    try:
        if action == "endorse":
            workflow.endorse(registration, acting_user())
        else:
            reason = request.form.get("reason", "")[:1000]
            promoted = workflow.decline(registration, acting_user(), reason)
    except workflow.RegistrationError as error:
        abort(409, description=str(error))
    db.session.commit()
    url = url_for(".network_registrations", acronym=registration.meeting.acronym)
    return finish(None, url, lambda: _decided(registration_id, promoted))


def _decided(registration_id, promoted):
    """Every row and seat count the decision changed on the page, out of band: a decline
    that freed a seat promoted the next one waiting (maybe of another network)."""
    registration = db.session.get(Registration, registration_id)
    shown = [r for r in (promoted,) if r and r.network and acts_for(current_user, r.network)]
    networks = {r.network_id: r.network for r in (registration, *shown)}
    meeting = registration.meeting
    return render(
        "registration/network.html",
        block="decided",
        registration=registration,
        promoted=shown,
        settings=queries.settings_for(meeting),
        seat_counts=[(n, seats.seats_taken(meeting.id, n.id)) for n in networks.values()],
    )


@bp.get("/<acronym:acronym>/participants")
def participants(acronym):
    """The participants who agreed to be listed, to whom the organisers allow."""
    meeting = _meeting(acronym)
    settings = queries.settings_for(meeting)
    visibility = settings.participants_list if settings else "hidden"
    if visibility == "hidden":
        abort(404)
    if visibility == "participants" and not rules.is_participant(current_user, meeting):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        summary = f"participants list of {acronym}"
        return not_participant("participants", _("Participants"), meeting, summary)
    return render(
        "registration/participants.html",
        meeting=meeting,
        participants=queries.participants(meeting),
    )


def not_participant(what, title, meeting=None, summary="", target=None):
    """403 for someone signed in whom nobody has vouched for (rules.py), on a page that says
    what opens when and where their registrations stand; the refusal is audited.

    ``what``: which sentence (see registration/_not_participant.html). The directory and
    materials call this too (lazily: their domains sit below registration).
    """
    audit.record("access.denied", summary or what, target=target)
    db.session.commit()
    context = {
        "what": what,
        "title": title,
        "meeting": meeting,
        "registrations": rules.own_registrations(current_user, meeting),
    }
    if is_htmx():
        # As the error pages do: the note in place of the flash messages, not a whole page
        # swapped into a fragment's place.
        note = render_block("registration/not_participant.html", "note", **context)
        return retarget(make_response(note, 403), "#flash", "innerHTML")
    return make_response(render("registration/not_participant.html", **context), 403)
