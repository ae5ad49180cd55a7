"""A meeting's own questions, and the answers given to them, files included.

A file answer is stored on disk when the form is sent, before its row is committed. The
files follow the transaction instead of committing it here: those stored in this
transaction are removed if it ends without a commit (a refused step, a failed commit), and
those an edit replaced are removed once the edit is committed. So the view still commits
once, and no file outlives a row that does not name it.
"""

import errno
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from wenevents import storage
from wenevents.audit import services as audit
from wenevents.extensions import db
from wenevents.forms import save_translations
from wenevents.languages import TRANSLATED
from wenevents.registration.models import Question, Registration

CHOICE_KINDS = ("single_choice", "multiple_choice")


class RegistrationError(ValueError):
    """A step refused for a reason the person can act on."""


# The questions ------------------------------------------------------------------------


def questions_of(meeting_id):
    return db.session.scalars(
        select(Question).where(Question.meeting_id == meeting_id).order_by(Question.position)
    ).all()


def save_question(meeting, question, values, by):
    """Add (``question`` None) or change an extra question, with the French and Spanish
    versions ``values`` has; choices (and theirs) only where they apply."""
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
    if values["kind"] not in CHOICE_KINDS:
        values = {**values, **{f"choices_{code}": [] for code in TRANSLATED}}
    translated = save_translations(question, values, ("label", "help", "choices"))
    db.session.flush()
    details = {"translations": translated} if translated else {}
    audit.record("registration.question", question.label, target=question, actor=by, **details)
    return question


def delete_question(question, by):
    """Remove a question; answers already given stay in the registrations."""
    audit.record("registration.question_delete", question.label, target=question, actor=by)
    db.session.delete(question)


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
    audit.record("registration.question_move", question.label, target=question, actor=by)
    return True


# File answers -------------------------------------------------------------------------


def files_folder():
    return Path(current_app.config["UPLOAD_DIR"]) / "registrations"


class NoRoom(RegistrationError):
    """The disk had no room for a file answer; nothing was stored."""

    def __init__(self, key):
        super().__init__(
            _(
                "There is no room left to store this file just now. Nothing was stored; "
                "please try again later, or tell the organisers."
            )
        )
        self.field = f"q{key}"


def store_sent_files(answers):
    """``answers`` with each file sent replaced by the record of its stored copy.

    Each file is kept only if this transaction is committed (see the module's note).
    """
    limit = current_app.config["REGISTRATION_FILE_MAX_BYTES"]
    stored_names = db.session.info.setdefault(_STORED, [])
    result = {}
    for key, value in answers.items():
        if isinstance(value, FileStorage) and value.filename:
            try:
                stored = storage.store(value.stream, value.filename, files_folder(), limit)
            except OSError as error:
                if error.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise NoRoom(key) from None
                raise
            stored_names.append(stored.name)
            result[key] = stored.as_answer()
        else:
            result[key] = value
    return result


def keep_unsent(answers, existing):
    """A file question answered without a new file keeps the file it had."""
    existing = existing or {}
    return {
        key: existing.get(key)
        if isinstance(value, FileStorage) or (value is None and key in existing)
        else value
        for key, value in answers.items()
    }


def set_answers(registration, answers, replace=False):
    """Give ``registration`` the (stored) ``answers``; whether they changed.

    A file question answered without a file keeps its file, unless ``replace`` (a new
    registration on the row: the answers given now are all it has). The files the old
    answers named and the new ones do not are removed once committed.
    """
    answers = keep_unsent(answers, None if replace else registration.answers)
    if answers == registration.answers:
        return False
    replaced = files_named(registration.answers) - files_named(answers)
    db.session.info.setdefault(_REPLACED, set()).update(replaced)
    registration.answers = answers
    return True


def files_named(answers):
    """The stored names of the files ``answers`` name."""
    return {
        value["file"]
        for value in (answers or {}).values()
        if isinstance(value, dict) and isinstance(value.get("file"), str)
    }


def stored_answer_files():
    """The stored names of every file any registration's answers name."""
    named = set()
    for answers in db.session.scalars(select(Registration.answers)):
        named |= files_named(answers)
    return named


def remove_when_committed(names):
    """Remove these stored files once this transaction is committed (never if it is rolled
    back: the rows naming them are still there then)."""
    db.session.info.setdefault(_REPLACED, set()).update(names)


def answer_file(registration, question_id):
    """The path and record of a file answer, or (None, None)."""
    answer = (registration.answers or {}).get(str(question_id))
    if not isinstance(answer, dict):
        return None, None
    return storage.path_of(answer.get("file"), files_folder()), answer


def _remove_files(names):
    for name in names:
        path = storage.path_of(name, files_folder())
        if path is not None:
            path.unlink(missing_ok=True)


# The files this session's transaction stored, and those it will make unneeded.
_STORED, _REPLACED = "registration_files_stored", "registration_files_replaced"


@event.listens_for(Session, "after_commit")
def _committed(session):
    session.info.pop(_STORED, None)
    if replaced := session.info.pop(_REPLACED, None):
        _remove_files(replaced)


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is not None:
        return
    session.info.pop(_REPLACED, None)
    if stored := session.info.pop(_STORED, None):  # left by a rollback: no row names them
        _remove_files(stored)
