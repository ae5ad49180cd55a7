"""Organisers set how a meeting takes registrations, and ask their own questions."""

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _

from wenevents.extensions import db
from wenevents.htmx import finish, is_htmx, render
from wenevents.permissions import organiser_required
from wenevents.registration import options, queries, questions
from wenevents.registration.models import Question
from wenevents.registration.settings_forms import QuestionForm, SettingsForm
from wenevents.web import acting_user

bp = Blueprint(
    "registration_settings", __name__, url_prefix="/manage/<acronym:acronym>/registration"
)


def _meeting(acronym):
    """Any meeting, drafts too: organisers prepare registration before publishing. Looked
    up after the organiser check, so that a URL of no meeting says no more than a draft's."""
    return queries.meeting_by_acronym(acronym) or abort(404)


def _question(meeting, question_id):
    question = db.get_or_404(Question, question_id)
    if question.meeting_id != meeting.id:
        abort(404)
    return question


def _page(meeting, form=None, new_question=None, editing=None):
    """The whole settings page; ``editing``: (question, form) opened in the list, as the
    no-JavaScript *Edit* link shows it."""
    question, qform = editing or (None, None)
    return render(
        "registration/settings.html",
        meeting=meeting,
        form=form or _settings_form(meeting),
        questions=questions.questions_of(meeting.id),
        new_question=new_question or QuestionForm(formdata=None, prefix="new"),
        qform=qform,
        qform_id=question.id if question else None,
    )


def _settings_form(meeting):
    """The settings as stored, times in the meeting's zone (not what this request posted)."""
    settings = queries.settings_for(meeting)
    form = SettingsForm(formdata=None, obj=settings)
    if settings:
        form.opens_at.data = options.to_local(settings.opens_at, meeting)
        form.closes_at.data = options.to_local(settings.closes_at, meeting)
    else:
        form.travel_days.data, form.auto_promote.data = 3, True
        form.endorsement_required.data = True
    return form


@bp.route("/settings", methods=["GET", "POST"])
@organiser_required
def edit(acronym):
    """The window, seats, quota, endorsement, promotion and who sees the participants."""
    meeting = _meeting(acronym)
    if request.method == "GET":
        return _page(meeting, _settings_form(meeting))
    form = SettingsForm(obj=queries.settings_for(meeting))
    if not form.validate_on_submit():
        return _page(meeting, form)
    options.save_settings(meeting, form.data, by=acting_user())
    db.session.commit()
    return finish(_("Registration settings saved."), url_for(".edit", acronym=acronym))


@bp.post("/questions")
@organiser_required
def add_question(acronym):
    """Add a question at the end; the list comes back with it (htmx) or the page."""
    meeting = _meeting(acronym)
    form = QuestionForm(prefix="new")
    if form.validate_on_submit():
        questions.save_question(meeting, None, form.values(), acting_user())
        db.session.commit()
        return _questions_answer(meeting, QuestionForm(formdata=None, prefix="new"))
    if not is_htmx():  # the whole page, with the messages at the new question's fields
        return _page(meeting, new_question=form)
    return _questions_answer(meeting, form)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@organiser_required
def edit_question(acronym, question_id):
    """Edit a question in place: htmx swaps its form into the list; without JavaScript
    the settings page comes with the question opened (and its messages, if refused)."""
    meeting = _meeting(acronym)
    question = _question(meeting, question_id)
    form = QuestionForm(obj=question, prefix=f"q{question.id}")
    if request.method == "GET":
        form.choices.data = "\n".join(question.choices)
    elif form.validate_on_submit():
        questions.save_question(meeting, question, form.values(), acting_user())
        db.session.commit()
        back = url_for(".edit", acronym=acronym)
        return finish(None, back, lambda: _question_block(meeting, question))
    if not is_htmx():
        return _page(meeting, editing=(question, form))
    return render(
        "registration/settings.html",
        block="question_form",
        meeting=meeting,
        q=question,
        qform=form,
    )


@bp.post("/questions/<int:question_id>/delete")
@organiser_required
def delete_question(acronym, question_id):
    meeting = _meeting(acronym)
    questions.delete_question(_question(meeting, question_id), acting_user())
    db.session.commit()
    return _questions_answer(meeting)


@bp.post("/questions/<int:question_id>/move")
@organiser_required
def move_question(acronym, question_id):
    """Up or down one place: buttons that work from the keyboard and without JavaScript."""
    meeting = _meeting(acronym)
    step = -1 if request.form.get("direction") == "up" else 1
    questions.move_question(_question(meeting, question_id), step, acting_user())
    db.session.commit()
    return _questions_answer(meeting)


def _question_block(meeting, question):
    return render("registration/settings.html", block="question", meeting=meeting, q=question)


def _questions_answer(meeting, new_form=None):
    """The list of questions again (htmx), or the settings page."""
    return finish(
        None,
        url_for(".edit", acronym=meeting.acronym),
        lambda: render(
            "registration/settings.html",
            block="questions",
            meeting=meeting,
            questions=questions.questions_of(meeting.id),
            new_question=new_form or QuestionForm(formdata=None, prefix="new"),
        ),
    )
