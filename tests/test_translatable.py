"""wenevents.forms.translatable: each translated field gets a French and a Spanish version
right after it, like it but optional; a form filled from an object shows the stored
versions; save_translations stores what was sent and says what changed."""

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from wenevents.forms import Form, save_translations, translatable


@translatable("title", "notes")
class Example(Form):
    title = StringField("Title", validators=[InputRequired(), Length(max=10)])
    room = StringField("Room")
    notes = TextAreaField("Notes", validators=[Length(max=20)], description="Plain text.")


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def example(formdata=None, **kwargs):
    return Example(formdata=formdata, meta={"csrf": False}, **kwargs)


def thing(translations=None, **values):
    values = {"title": "", "room": "", "notes": "", **values}
    return SimpleNamespace(
        translations=translations or {}, translated_fields=("title", "notes"), **values
    )


def test_versions_follow_their_field_in_the_forms_order(request_context):
    form = example()

    assert [field.name for field in form] == [
        "title", "title_fr", "title_es", "room", "notes", "notes_fr", "notes_es",
    ]  # fmt: skip
    assert [str(form[name].label.text) for name in ("title_fr", "notes_es")] == [
        "Title (French)",
        "Notes (Spanish)",
    ]


def test_versions_are_the_same_kind_of_field_optional_and_marked_with_their_language(
    request_context,
):
    form = example()

    assert (type(form.title_fr), type(form.notes_es)) == (StringField, TextAreaField)
    assert form.title_fr() == (
        '<input id="title_fr" lang="fr" maxlength="10" name="title_fr" type="text" value="">'
    )
    assert form.notes_es.description == ""
    assert not form.title_es.flags.required


def test_versions_keep_the_length_limit_and_are_optional(request_context):
    form = example(MultiDict({"title": "Hi", "title_fr": "x" * 11, "notes_es": "y" * 21}))

    assert form.validate() is False
    assert form.errors == {
        "title_fr": ["Field cannot be longer than 10 characters."],
        "notes_es": ["Field cannot be longer than 20 characters."],
    }


def test_form_filled_from_an_object_shows_its_stored_versions(request_context):
    stored = thing(title="Hi", translations={"fr": {"title": "Salut"}, "es": {"notes": "Nota"}})

    form = example(obj=stored)

    assert (form.title_fr.data, form.title_es.data, form.notes_es.data) == ("Salut", "", "Nota")


def test_form_posted_without_the_versions_keeps_the_stored_ones(request_context):
    stored = thing(translations={"fr": {"title": "Salut"}})

    form = example(MultiDict({"title": "Hello"}), obj=stored)

    assert (form.title.data, form.title_fr.data) == ("Hello", "Salut")


def test_save_translations_stores_removes_and_says_what_changed():
    stored = thing(
        translations={"fr": {"title": "Salut", "notes": "Note"}, "es": {"title": "Hola"}}
    )

    changed = save_translations(
        stored, {"title_fr": "Salut", "title_es": " ", "notes_fr": "", "notes_es": " Nota "}
    )

    assert changed == ["title_es", "notes_fr", "notes_es"]
    assert stored.translations == {"fr": {"title": "Salut"}, "es": {"notes": "Nota"}}


def test_save_translations_stores_a_list_as_a_list():
    stored = thing(translations={"fr": {"choices": ["Un", "Deux"]}})

    changed = save_translations(
        stored, {"choices_fr": ["Un", "Deux"], "choices_es": ["Uno", " ", "Dos"]}, ("choices",)
    )

    assert changed == ["choices_es"]
    assert stored.translations == {
        "fr": {"choices": ["Un", "Deux"]},
        "es": {"choices": ["Uno", "Dos"]},
    }
    assert save_translations(stored, {"choices_fr": []}, ("choices",)) == ["choices_fr"]
    assert stored.translations == {"es": {"choices": ["Uno", "Dos"]}}
