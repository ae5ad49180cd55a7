"""The registration form in the reader's language: its questions, their choices, the mail."""

from tests.conftest import outbox
from wenevents.extensions import db
from wenevents.registration.models import Question, Registration

from .conftest import register_page


def test_question_shows_its_french_label_and_choices_and_stores_the_english(
    app, client, meeting, register
):
    question = Question(
        meeting_id=meeting.id,
        kind="single_choice",
        label="Which session will you chair?",
        choices=["Morning", "Afternoon"],
        translations={"fr": {"label": "Quelle séance présiderez-vous ?",
                             "choices": ["Matin", "Après-midi"]}},
    )  # fmt: skip
    db.session.add(question)
    db.session.commit()

    page = client.get("/fr" + register_page(meeting)).text

    assert "Quelle séance présiderez-vous ?" in page
    assert 'value="Afternoon"' in page and "Après-midi</label>" in page
    register(client, **{f"q{question.id}": "Afternoon", "language": "fr"})
    registration = db.session.scalar(db.select(Registration))
    assert registration.answers == {str(question.id): "Afternoon"}


def test_question_without_a_spanish_version_shows_the_english_marked(client, meeting):
    question = Question(meeting_id=meeting.id, kind="short_text", label="Passport number")
    db.session.add(question)
    db.session.commit()

    page = client.get("/es" + register_page(meeting)).text

    assert '<span lang="en">Passport number</span>' in page


def test_language_field_defaults_to_the_pages_language(client, meeting):
    page = client.get("/es" + register_page(meeting)).text

    assert '<option selected value="es">' in page or '<option value="es" selected>' in page


def test_confirmation_mail_is_written_in_the_registrations_language(app, client, register):
    register(client, language="fr")

    [message] = outbox(app)
    assert message["Subject"].startswith("Veuillez confirmer votre inscription")
    assert "/fr/" in message.get_content()
