"""Registering for a meeting, confirming the address, one's own registration, and the
focal point's page of their network's registrations."""

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wenevents.accounts import services as accounts
from wenevents.accounts.models import utcnow
from wenevents.accounts.permissions import acts_for, deny
from wenevents.extensions import db, limiter
from wenevents.htmx import is_htmx, render
from wenevents.meetings.services import published_meeting
from wenevents.registration import forms, services
from wenevents.registration.models import Registration
from wenevents.security import link_invalid, stash_token
from wenevents.uploads.downloads import file_response

bp = Blueprint("registration", __name__)


def _form(meeting, settings, questions, **kwargs):
    return forms.form_class(questions)(**kwargs).setup(meeting, settings.travel_days)


def _open_meeting(acronym):
    meeting = published_meeting(acronym) or abort(404)
    settings = services.settings_for(meeting) or abort(404)
    return meeting, settings


@bp.route("/<acronym:acronym>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_LIMIT"], methods=["POST"])
def register(acronym):
    """The registration form; the answer is the same whether or not the address is known."""
    meeting, settings = _open_meeting(acronym)
    questions = services.questions(meeting)
    form = _form(meeting, settings, questions)
    if request.method == "GET" and current_user.is_authenticated:
        form.email.data = form.email.data or current_user.email
    is_open = settings.is_open(utcnow())
    if is_open and form.validate_on_submit() & form.check_files(questions):
        signed_in = current_user._get_current_object() if current_user.is_authenticated else None
        registration, _created = services.register(meeting, form.values(questions), signed_in)
        if signed_in is not None and registration.email == signed_in.email:
            return redirect(url_for("registration.mine", acronym=acronym), 303)
        return render("registration/sent.html", meeting=meeting, email=registration.email)
    return render(
        "registration/register.html",
        meeting=meeting,
        settings=settings,
        form=form,
        questions=questions,
        is_open=is_open,
    )


@bp.post("/<acronym:acronym>/register/check/<field>")
def check_field(acronym, field):
    """Inline validation as a field is left: the field again, with its message if any."""
    meeting, settings = _open_meeting(acronym)
    questions = services.questions(meeting)
    form = _form(meeting, settings, questions)
    if field not in form._fields or field == "csrf_token":
        abort(404)
    form.validate()
    if not is_htmx():
        return redirect(url_for("registration.register", acronym=acronym), 303)
    return render("registration/register.html", block="one_field", f=form[field])


@bp.get("/registrations/confirm/<token>")
def confirm_link(token):
    """Keep the emailed token in the session, out of the address bar and Referer."""
    return stash_token("registration_token", token, "registration.confirm")


@bp.route("/registrations/confirm", methods=["GET", "POST"])
def confirm():
    """Confirm the address with one button (a GET never changes anything)."""
    registration = services.by_confirm_token(session.get("registration_token"))
    if registration is None:
        return link_invalid()
    if request.method == "POST":
        registration = services.confirm(registration)
        # One object throughout: sign_in puts the session token on it for Flask-Login.
        user = registration.user
        if user is None:  # withdrawn meanwhile: nothing was confirmed
            return link_invalid()
        accounts.sign_in(user)
        flash(_("Your address is confirmed."), "success")
        return redirect(url_for("registration.mine", acronym=registration.meeting.acronym), 303)
    return render("registration/confirm.html", registration=registration)


def _my_registration(acronym):
    meeting = published_meeting(acronym) or abort(404)
    registration = services.find(meeting, current_user.email)
    return meeting, registration


@bp.get("/<acronym:acronym>/registration")
@login_required
def mine(acronym):
    """One's own registration: status, history, edit, withdraw, confirmation to print."""
    meeting, registration = _my_registration(acronym)
    if registration is None:
        return redirect(url_for("registration.register", acronym=acronym), 303)
    return render("registration/mine.html", meeting=meeting, registration=registration)


@bp.route("/<acronym:acronym>/registration/edit", methods=["GET", "POST"])
@login_required
def edit(acronym):
    """Change one's details; key changes send an approved registration back for a decision."""
    meeting, registration = _my_registration(acronym)
    if registration is None:
        abort(404)
    settings = services.settings_for(meeting)
    questions = services.questions(meeting)
    form = _form(meeting, settings, questions, obj=registration)
    if request.method == "GET":
        form.network_id.data = str(registration.network_id or "")
        for q in questions:
            if q.kind != "file":  # a file input shows no value
                form[f"q{q.id}"].data = registration.answers.get(str(q.id))
    form.email.data = registration.email  # the address is the registration's identity
    if request.method == "GET":
        form.version.data = str(registration.version)
    if form.validate_on_submit() & form.check_files(questions, registration.answers):
        try:
            services.update_details(
                registration,
                form.values(questions),
                current_user._get_current_object(),
                version=_version(form.version.data),
            )
        except services.RegistrationError as error:
            flash(str(error), "error")
        else:
            flash(_("Your details are saved."), "success")
        return redirect(url_for("registration.mine", acronym=acronym), 303)
    return render(
        "registration/edit.html",
        meeting=meeting,
        registration=registration,
        form=form,
        questions=questions,
    )


@bp.get("/<acronym:acronym>/registration/files/<int:question_id>")
@login_required
def my_file(acronym, question_id):
    """A file one attached to one's own registration."""
    _meeting, registration = _my_registration(acronym)
    if registration is None:
        abort(404)
    path, answer = services.answer_file(registration, question_id)
    if path is None:
        abort(404)
    return file_response(path, answer["name"], answer["type"])


def _version(value):
    """The version the edit page was opened on, if it says one."""
    value = str(value or "")
    return int(value) if value.isdigit() else None


@bp.post("/<acronym:acronym>/registration/withdraw")
@login_required
def withdraw(acronym):
    """Withdraw; the seat goes to the next person waiting."""
    _meeting, registration = _my_registration(acronym)
    if registration is None:
        abort(404)
    try:
        services.withdraw(registration, current_user._get_current_object())
    except services.RegistrationError as error:
        abort(409, description=str(error))
    flash(_("Your registration is withdrawn."), "success")
    return redirect(url_for("registration.mine", acronym=acronym), 303)


# The focal point's page ----------------------------------------------------------------


@bp.get("/<acronym:acronym>/network-registrations")
@login_required
def network_registrations(acronym):
    """Registrations of the networks one acts for, with their counts against the quota."""
    meeting = published_meeting(acronym) or abort(404)
    networks = [n for n in meeting.networks if acts_for(current_user, n)]
    if not networks:
        deny(f"network registrations of {acronym}")
    return render(
        "registration/network.html",
        meeting=meeting,
        settings=services.settings_for(meeting),
        groups=services.by_network(meeting, networks),
    )


@bp.post("/registrations/<int:registration_id>/<any(endorse, decline):action>")
@login_required
def endorse_or_decline(registration_id, action):
    """A focal point of the registration's network endorses or declines it, in place."""
    registration = db.get_or_404(Registration, registration_id)
    if registration.network is None or not acts_for(current_user, registration.network):
        deny(f"{action} registration {registration_id}", target=registration)
    user = current_user._get_current_object()
    try:
        if action == "endorse":
            services.endorse(registration, user)
        else:
            services.decline(registration, user, request.form.get("reason", "")[:1000])
    except services.RegistrationError as error:
        abort(409, description=str(error))
    registration = db.session.get(Registration, registration_id)
    if is_htmx():
        return render("registration/network.html", block="row", registration=registration)
    return redirect(
        url_for("registration.network_registrations", acronym=registration.meeting.acronym), 303
    )


@bp.get("/<acronym:acronym>/participants")
def participants(acronym):
    """Approved participants who agreed to be listed, to whom the organisers allow."""
    meeting = published_meeting(acronym) or abort(404)
    settings = services.settings_for(meeting)
    visibility = settings.participants_list if settings else "hidden"
    if visibility == "hidden":
        abort(404)
    if visibility == "participants" and not services.may_see_participants(current_user, meeting):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        deny(f"participants list of {acronym}")
    return render(
        "registration/participants.html",
        meeting=meeting,
        participants=services.participants(meeting),
    )
