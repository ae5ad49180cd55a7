"""Organisers give their own questions French and Spanish versions in the question's form:
the label, the help and the choices (one per line, each in the place of the English one),
stored in ``translations``; an empty one removed; bad ones refused at their field with
nothing changed; the stored ones shown when the form opens."""

import pytest

from tests.conftest import HTMX, audit_entries, csrf_token, field_error
from wenevents.extensions import db
from wenevents.registration.models import Question


def settings_url(meeting):
    return f"/manage/{meeting.acronym}/registration/settings"


def make_question(meeting, **kwargs):
    values = {"kind": "single_choice", "label": "Field trip", "help": "",
              "choices": ["Canal", "Forest"], "position": 1, **kwargs}  # fmt: skip
    question = Question(meeting_id=meeting.id, **values)
    db.session.add(question)
    db.session.commit()
    return question


def edit(client, meeting, question, headers=None, **overrides):
    """Post the question's form, its English as stored, with ``overrides``."""
    values = {
        "kind": question.kind, "label": question.label, "help": question.help,
        "choices": "\n".join(question.choices), **overrides,
    }  # fmt: skip
    data = {f"q{question.id}-{name}": value for name, value in values.items()}
    token = csrf_token(client.get(settings_url(meeting)).text)
    url = f"/manage/{meeting.acronym}/registration/questions/{question.id}"
    return client.post(url, data={"csrf_token": token, **data}, headers=headers)


def stored(question):
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    return question.label, question.choices, question.translations


@pytest.mark.parametrize("headers", [HTMX, None], ids=["htmx", "no-js"])
def test_question_form_stores_french_and_spanish_versions(client, organiser, meeting, headers):
    question = make_question(meeting)

    response = edit(
        client, meeting, question, headers, label_fr="Excursion", label_es="Excursión",
        help_es="Elija una.", choices_fr="Canal\n\nForêt\n", choices_es=" Canal \nBosque",
    )  # fmt: skip

    assert response.status_code == (200 if headers else 303)
    assert stored(question) == (
        "Field trip",
        ["Canal", "Forest"],
        {"fr": {"label": "Excursion", "choices": ["Canal", "Forêt"]},
         "es": {"label": "Excursión", "help": "Elija una.", "choices": ["Canal", "Bosque"]}},
    )  # fmt: skip
    assert audit_entries("registration.question")[-1].details == {
        "translations": [
            "label_fr", "label_es", "help_es", "choices_fr", "choices_es",
        ]
    }  # fmt: skip


def test_new_question_form_stores_versions(client, organiser, meeting):
    token = csrf_token(client.get(settings_url(meeting)).text)
    data = {
        "csrf_token": token, "new-label": "Visa needed?", "new-label_fr": "Visa nécessaire ?",
        "new-kind": "yes_no", "new-choices_fr": "ignored\nfor a yes or no",
    }  # fmt: skip

    response = client.post(
        f"/manage/{meeting.acronym}/registration/questions", data=data, headers=HTMX
    )

    assert response.status_code == 200
    question = db.session.scalars(db.select(Question)).one()
    assert question.translations == {"fr": {"label": "Visa nécessaire ?"}}


def test_question_form_empty_version_removes_it(client, organiser, meeting):
    question = make_question(
        meeting,
        translations={"fr": {"label": "Excursion", "choices": ["Canal", "Forêt"]},
                      "es": {"help": "Elija una."}},
    )  # fmt: skip

    response = edit(
        client, meeting, question, HTMX, label_fr="Excursion", choices_fr="", help_es=""
    )

    assert response.status_code == 200
    assert stored(question) == ("Field trip", ["Canal", "Forest"], {"fr": {"label": "Excursion"}})


def test_question_without_choices_loses_their_versions(client, organiser, meeting):
    question = make_question(
        meeting, translations={"fr": {"label": "Excursion", "choices": ["Canal", "Forêt"]}}
    )

    response = edit(
        client, meeting, question, HTMX, kind="short_text", label_fr="Excursion",
        choices_fr="Canal\nForêt",
    )  # fmt: skip

    assert response.status_code == 200
    assert stored(question) == ("Field trip", [], {"fr": {"label": "Excursion"}})


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"label_es": "x" * 301}, "label_es", "Field cannot be longer than 300 characters."),
        ({"help_fr": "x" * 501}, "help_fr", "Field cannot be longer than 500 characters."),
        ({"choices_fr": "Canal\nForêt\nMontagne"}, "choices_fr",
         "Give one line for each English choice (2), in the same order."),
        ({"choices_es": "Bosque"}, "choices_es",
         "Give one line for each English choice (2), in the same order."),
    ],
)  # fmt: skip
def test_question_form_bad_version_changes_nothing(
    client, organiser, meeting, overrides, field, message
):
    question = make_question(meeting, translations={"fr": {"label": "Excursion"}})

    response = edit(client, meeting, question, HTMX, label="Changed", **overrides)

    # The question's form answers a refused edit with itself, as for its English fields.
    assert response.status_code == 200
    assert field_error(response.text, f"q{question.id}-{field}") == message
    assert stored(question) == ("Field trip", ["Canal", "Forest"], {"fr": {"label": "Excursion"}})
    assert audit_entries("registration.question") == []


def test_question_form_shows_stored_versions(client, organiser, meeting):
    question = make_question(
        meeting,
        translations={"fr": {"label": "Excursion", "choices": ["Canal", "Forêt"]},
                      "es": {"help": "Elija una."}},
    )  # fmt: skip
    prefix = f"q{question.id}"

    fragment = client.get(
        f"/manage/{meeting.acronym}/registration/questions/{question.id}", headers=HTMX
    ).text

    assert fragment.lstrip().startswith(f'<li id="question-{question.id}"')
    assert (
        f'<input id="{prefix}-label_fr" lang="fr" maxlength="300" name="{prefix}-label_fr" '
        'type="text" value="Excursion">'
    ) in fragment
    assert (
        f'<input id="{prefix}-help_es" lang="es" maxlength="500" name="{prefix}-help_es" '
        'type="text" value="Elija una.">'
    ) in fragment
    assert (
        f'<textarea aria-describedby="{prefix}-choices_fr-help" id="{prefix}-choices_fr" '
        f'lang="fr" maxlength="3000" name="{prefix}-choices_fr" rows="3">\r\nCanal\nForêt'
        "</textarea>"
    ) in fragment
    assert f'<label for="{prefix}-choices_es">Choices (Spanish)</label>' in fragment
