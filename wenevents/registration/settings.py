"""Organisers set how a meeting takes registrations, and ask their own questions."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wenevents.accounts.permissions import organiser_required
from wenevents.extensions import db
from wenevents.htmx import is_htmx, render
from wenevents.meetings.models import Meeting
from wenevents.registration import services
from wenevents.registration.models import Question
from wenevents.registration.settings_forms import QuestionForm, SettingsForm

bp = Blueprint(
    "registration_settings", __name__, url_prefix="/manage/<acronym:acronym>/registration"
)


def _meeting(acronym):
    """Any meeting, drafts too: organisers prepare registration before publishing."""
    return db.one_or_404(db.select(Meeting).filter_by(acronym=acronym))


def _question(meeting, question_id):
    question = db.get_or_404(Question, question_id)
    if question.meeting_id != meeting.id:
        abort(404)
    return question


def _page(meeting, form, new_question=None):
    return render(
        "registration/settings.html",
        meeting=meeting,
        form=form,
        questions=services.questions(meeting),
        new_question=new_question or QuestionForm(formdata=None, prefix="new"),
    )


@bp.route("/settings", methods=["GET", "POST"])
@organiser_required
def edit(acronym):
    """The window, seats, quota, endorsement, promotion and who sees the participants."""
    meeting = _meeting(acronym)
    settings = services.settings_for(meeting)
    form = SettingsForm(obj=settings)
    if request.method == "GET":
        if settings:
            form.opens_at.data = services.to_local(settings.opens_at, meeting)
            form.closes_at.data = services.to_local(settings.closes_at, meeting)
        else:
            form.travel_days.data, form.auto_promote.data = 3, True
            form.endorsement_required.data = True
    if form.validate_on_submit():
        services.save_settings(meeting, form.data, by=current_user._get_current_object())
        flash(_("Registration settings saved."), "success")
        return redirect(url_for("registration_settings.edit", acronym=acronym), 303)
    return _page(meeting, form)


@bp.post("/questions")
@organiser_required
def add_question(acronym):
    """Add a question at the end; the list comes back with it (htmx) or the page."""
    meeting = _meeting(acronym)
    form = QuestionForm(prefix="new")
    if form.validate_on_submit():
        services.save_question(
            meeting, None, _question_values(form), current_user._get_current_object()
        )
        return _questions_answer(meeting, QuestionForm(formdata=None, prefix="new"))
    if not is_htmx():  # the whole page, with the messages at the new question's fields
        return _page(meeting, SettingsForm(obj=services.settings_for(meeting)), form)
    return _questions_answer(meeting, form)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@organiser_required
def edit_question(acronym, question_id):
    """Edit a question in place."""
    meeting = _meeting(acronym)
    question = _question(meeting, question_id)
    form = QuestionForm(obj=question, prefix=f"q{question.id}")
    if request.method == "GET":
        form.choices.data = "\n".join(question.choices)
    elif form.validate_on_submit():
        services.save_question(
            meeting, question, _question_values(form), current_user._get_current_object()
        )
        if not is_htmx():
            return redirect(url_for("registration_settings.edit", acronym=acronym), 303)
        return render("registration/settings.html", block="question", meeting=meeting, q=question)
    return render(
        "registration/settings.html", block="question_form", meeting=meeting, q=question, qform=form
    )


@bp.post("/questions/<int:question_id>/delete")
@organiser_required
def delete_question(acronym, question_id):
    meeting = _meeting(acronym)
    services.delete_question(_question(meeting, question_id), current_user._get_current_object())
    return _questions_answer(meeting)


@bp.post("/questions/<int:question_id>/move")
@organiser_required
def move_question(acronym, question_id):
    """Up or down one place: buttons that work from the keyboard and without JavaScript."""
    meeting = _meeting(acronym)
    step = -1 if request.form.get("direction") == "up" else 1
    services.move_question(
        _question(meeting, question_id), step, current_user._get_current_object()
    )
    return _questions_answer(meeting)


def _question_values(form):
    return {**form.data, "choices": form.choice_list()}


def _questions_answer(meeting, new_form=None):
    if not is_htmx():
        return redirect(url_for("registration_settings.edit", acronym=meeting.acronym), 303)
    return render(
        "registration/settings.html",
        block="questions",
        meeting=meeting,
        questions=services.questions(meeting),
        new_question=new_form or QuestionForm(formdata=None, prefix="new"),
    )
