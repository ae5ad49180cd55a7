"""Organisers give a document slot its title (the meeting page lists the document by it) and
the title's French and Spanish versions on the slot's page: stored in ``translations``, an
empty one removed, one too long refused at its field with nothing changed, the stored ones
shown; nobody else may."""

import pytest

from tests.conftest import audit_entries, csrf_token, field_error
from tests.factories import make_document
from tests.uploads.conftest import PDF, slot, upload
from wenevents.extensions import db
from wenevents.uploads.models import Document


@pytest.fixture
def report(world):
    return make_document(world.meeting, kind="report", title="Meeting report")


def page_of(document):
    return f"/gm/materials/{document.id}/versions"


def set_title(client, document, **values):
    token = csrf_token(client.get(page_of(document)).text)
    data = {"csrf_token": token, "title": document.title, **values}
    return client.post(f"/gm/materials/{document.id}/title", data=data)


def stored(document):
    db.session.expire_all()
    document = db.session.get(Document, document.id)
    return document.title, document.translations


def test_document_title_form_stores_french_and_spanish_versions(organiser, report):
    response = set_title(
        organiser, report, title_fr="Rapport de la réunion", title_es="Informe de la reunión"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == page_of(report)
    assert stored(report) == (
        "Meeting report",
        {"fr": {"title": "Rapport de la réunion"}, "es": {"title": "Informe de la reunión"}},
    )
    [entry] = audit_entries("materials.title")
    assert (entry.summary, entry.details) == (
        "gm: Meeting report (en)",
        {"fields": ["title_fr", "title_es"]},
    )


def test_document_title_form_changes_the_english_title_too(organiser, report):
    response = set_title(organiser, report, title="Final report", title_fr="", title_es="")

    assert response.status_code == 303
    assert stored(report) == ("Final report", {})
    assert audit_entries("materials.title")[0].details == {"fields": ["title"]}


def test_document_title_form_empty_version_removes_it(organiser, world):
    report = make_document(
        world.meeting, title="Meeting report",
        translations={"fr": {"title": "Rapport"}, "es": {"title": "Informe"}},
    )  # fmt: skip

    response = set_title(organiser, report, title_fr="", title_es="Informe")

    assert response.status_code == 303
    assert stored(report) == ("Meeting report", {"es": {"title": "Informe"}})


def test_document_title_form_version_too_long_changes_nothing(organiser, world):
    report = make_document(world.meeting, title="Kept", translations={"fr": {"title": "Gardé"}})

    response = set_title(organiser, report, title="Changed", title_fr="", title_es="x" * 301)

    assert response.status_code == 422
    assert field_error(response.text, "title_es") == "Field cannot be longer than 300 characters."
    assert stored(report) == ("Kept", {"fr": {"title": "Gardé"}})
    assert audit_entries("materials.title") == []


def test_document_title_form_needs_the_english_title(organiser, report):
    response = set_title(organiser, report, title="", title_fr="Rapport")

    assert response.status_code == 422
    assert field_error(response.text, "title") == "This field is required."
    assert stored(report) == ("Meeting report", {})


def test_document_page_shows_stored_versions(organiser, world):
    report = make_document(
        world.meeting, title="Meeting report", translations={"es": {"title": "Informe"}}
    )

    html = organiser.get(page_of(report)).text

    assert (
        '<input id="title" lang="en" maxlength="300" name="title" required type="text" '
        'value="Meeting report">'
    ) in html
    assert (
        '<input id="title_es" lang="es" maxlength="300" name="title_es" type="text" '
        'value="Informe">'
    ) in html
    assert '<label for="title_fr">Title (French)</label>' in html


def test_uploader_may_not_set_a_title(client, auth, world, people):
    auth.login("fp@naweg.example.org")
    upload(client, "gm", f"slides-{world.item_a.id}", [(PDF, "NAWEG talk.pdf")])
    slides = slot(world.meeting)
    token = csrf_token(client.get(page_of(slides)).text)

    page = client.get(page_of(slides)).text
    response = client.post(
        f"/gm/materials/{slides.id}/title",
        data={"csrf_token": token, "title": "Mine", "title_fr": "À moi"},
    )

    assert 'name="title_fr"' not in page
    assert response.status_code == 403
    assert stored(slides) == ("Work of NAWEG (NAWEG)", {})
    [entry] = audit_entries("access.denied")
    assert entry.summary == f"title of materials {slides.id}"
