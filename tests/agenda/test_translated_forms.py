"""The agenda editor's session and item forms take the French and Spanish versions beside
the English, with htmx and without: stored in ``translations``, an empty one removed, one
too long refused at its field with nothing changed, the stored ones shown when a form opens."""

import re
from datetime import time

import pytest

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import make_item, make_meeting, make_network, make_session
from wenevents.agenda.models import AgendaItem, Session
from wenevents.extensions import db

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client

EDITOR = "/manage/gm/agenda/"


@pytest.fixture
def meeting(app):
    return make_meeting(acronym="gm", networks=[make_network(acronym="SAWEN")])


def stored(model, id_):
    db.session.expire_all()
    thing = db.session.get(model, id_)
    return thing.title, thing.translations


def version_of(page, prefix):
    return re.search(rf'name="{prefix}-version" type="hidden" value="(\d+)"', page).group(1)


# -- Sessions ----------------------------------------------------------------------------


def session_data(client, session, headers=None, **overrides):
    """What the session's edit form sends, its English as stored, with ``overrides``."""
    page = client.get(f"{EDITOR}sessions/{session.id}", headers=headers).text
    prefix = f"s{session.id}"
    values = {
        "version": version_of(page, prefix), "title": session.title,
        "day": session.day.isoformat(), "starts_at": session.starts_at.strftime("%H:%M"),
        "ends_at": session.ends_at.strftime("%H:%M"), "room": "", "chair": "",
        "description": session.description, "objectives": session.objectives,
        "is_public": "y", **overrides,
    }  # fmt: skip
    data = {f"{prefix}-{name}": value for name, value in values.items()}
    return {"csrf_token": csrf_token(client.get(EDITOR).text), **data}


def edit_session(client, session, headers=None, **overrides):
    data = session_data(client, session, headers, **overrides)
    return client.post(f"{EDITOR}sessions/{session.id}", data=data, headers=headers)


@pytest.mark.parametrize("headers", [HTMX, None], ids=["htmx", "no-js"])
def test_session_form_stores_french_and_spanish_versions(organiser, meeting, headers):
    session = make_session(meeting, title="Seizures", description="Recent cases.")

    response = edit_session(
        organiser, session, headers, title_fr="Saisies", title_es="Decomisos",
        description_es="Casos recientes.", objectives_fr="Partager les leçons.",
    )  # fmt: skip

    assert response.status_code == (200 if headers else 303)
    assert stored(Session, session.id) == (
        "Seizures",
        {"fr": {"title": "Saisies", "objectives": "Partager les leçons."},
         "es": {"title": "Decomisos", "description": "Casos recientes."}},
    )  # fmt: skip
    assert audit_entries("agenda.session_changed")[-1].details == {
        "translations": ["title_fr", "title_es", "description_es", "objectives_fr"]
    }


def test_session_form_empty_version_removes_it(organiser, meeting):
    session = make_session(
        meeting, title="Seizures",
        translations={"fr": {"title": "Saisies", "description": "Cas."},
                      "es": {"title": "Decomisos"}},
    )  # fmt: skip

    response = edit_session(
        organiser, session, HTMX, title_fr="", description_fr="Cas.", title_es=""
    )

    assert response.status_code == 200
    assert stored(Session, session.id) == ("Seizures", {"fr": {"description": "Cas."}})


def test_session_form_version_too_long_changes_nothing(organiser, meeting):
    session = make_session(meeting, title="Kept", translations={"fr": {"title": "Gardé"}})

    response = edit_session(
        organiser, session, HTMX, title="Changed", title_fr="", title_es="x" * 301
    )

    assert response.status_code == 422
    assert field_error(response.text, f"s{session.id}-title_es") == (
        "Field cannot be longer than 300 characters."
    )
    assert stored(Session, session.id) == ("Kept", {"fr": {"title": "Gardé"}})
    assert audit_entries("agenda.session_changed") == []


def test_session_form_shows_stored_versions(organiser, meeting):
    session = make_session(
        meeting, translations={"fr": {"title": "Saisies"}, "es": {"objectives": "Compartir."}}
    )
    prefix = f"s{session.id}"

    fragment = organiser.get(f"{EDITOR}sessions/{session.id}", headers=HTMX).text

    assert fragment.lstrip().startswith(f'<li id="session-{session.id}"')
    assert (
        f'<input id="{prefix}-title_fr" lang="fr" maxlength="300" name="{prefix}-title_fr" '
        'type="text" value="Saisies">'
    ) in fragment
    assert (
        f'<textarea id="{prefix}-objectives_es" lang="es" maxlength="5000" '
        f'name="{prefix}-objectives_es" rows="3">\r\nCompartir.</textarea>'
    ) in fragment
    assert f'<label for="{prefix}-description_fr">Description (French)</label>' in fragment


def test_add_session_stores_versions(organiser, meeting):
    data = {
        "csrf_token": csrf_token(organiser.get(EDITOR).text), "new-title": "Opening",
        "new-title_fr": "Ouverture", "new-title_es": "Apertura", "new-day": "2023-11-21",
        "new-starts_at": "09:00", "new-ends_at": "10:00", "new-is_public": "y",
    }  # fmt: skip

    response = organiser.post(f"{EDITOR}sessions", data=data)

    assert response.status_code == 303
    session = db.session.scalars(db.select(Session)).one()
    assert session.translations == {"fr": {"title": "Ouverture"}, "es": {"title": "Apertura"}}


# -- Items -------------------------------------------------------------------------------


def item_data(client, item, **overrides):
    """What the item's edit form sends, its English as stored, with ``overrides``."""
    page = client.get(f"{EDITOR}items/{item.id}").text
    prefix = f"i{item.id}"
    values = {
        "version": version_of(page, prefix), "kind": item.kind, "title": item.title,
        "network": "", "presenters": "", "duration_minutes": "10",
        "session": str(item.session_id), **overrides,
    }  # fmt: skip
    data = {f"{prefix}-{name}": value for name, value in values.items()}
    return {"csrf_token": csrf_token(page), **data}


def edit_item(client, item, headers=None, **overrides):
    data = item_data(client, item, **overrides)
    return client.post(f"{EDITOR}items/{item.id}", data=data, headers=headers)


@pytest.mark.parametrize("headers", [HTMX, None], ids=["htmx", "no-js"])
def test_item_form_stores_french_and_spanish_versions(organiser, meeting, headers):
    item = make_item(make_session(meeting), kind="discussion", title="Opening")

    response = edit_item(organiser, item, headers, title_fr="Ouverture", title_es="Apertura")

    assert response.status_code == (200 if headers else 303)
    assert stored(AgendaItem, item.id) == (
        "Opening",
        {"fr": {"title": "Ouverture"}, "es": {"title": "Apertura"}},
    )
    assert audit_entries("agenda.item_changed")[-1].details == {
        "translations": ["title_fr", "title_es"]
    }


def test_item_form_empty_version_removes_it(organiser, meeting):
    item = make_item(
        make_session(meeting), kind="discussion", title="Opening",
        translations={"fr": {"title": "Ouverture"}, "es": {"title": "Apertura"}},
    )  # fmt: skip

    response = edit_item(organiser, item, HTMX, title_fr="Ouverture", title_es="")

    assert response.status_code == 200
    assert stored(AgendaItem, item.id) == ("Opening", {"fr": {"title": "Ouverture"}})


def test_item_form_version_too_long_changes_nothing(organiser, meeting):
    item = make_item(
        make_session(meeting), kind="discussion", title="Kept",
        translations={"es": {"title": "Guardado"}},
    )  # fmt: skip

    response = edit_item(organiser, item, HTMX, title="Changed", title_fr="x" * 301)

    assert response.status_code == 422
    assert field_error(response.text, f"i{item.id}-title_fr") == (
        "Field cannot be longer than 300 characters."
    )
    assert stored(AgendaItem, item.id) == ("Kept", {"es": {"title": "Guardado"}})


def test_item_form_shows_stored_versions(organiser, meeting):
    item = make_item(
        make_session(meeting, starts_at=time(9), ends_at=time(10)), kind="discussion",
        title="Opening", translations={"es": {"title": "Apertura"}},
    )  # fmt: skip
    prefix = f"i{item.id}"

    html = organiser.get(f"{EDITOR}items/{item.id}").text

    assert (
        f'<input id="{prefix}-title_es" lang="es" maxlength="300" name="{prefix}-title_es" '
        'type="text" value="Apertura">'
    ) in html
    assert (
        f'<input id="{prefix}-title_fr" lang="fr" maxlength="300" name="{prefix}-title_fr" '
        'type="text" value="">'
    ) in html


def test_add_item_stores_versions(organiser, meeting):
    session = make_session(meeting)
    prefix = f"add{session.id}"
    data = {
        "csrf_token": csrf_token(organiser.get(EDITOR).text), f"{prefix}-kind": "discussion",
        f"{prefix}-title": "Opening", f"{prefix}-title_fr": "Ouverture",
        f"{prefix}-title_es": "", f"{prefix}-network": "", f"{prefix}-presenters": "",
        f"{prefix}-duration_minutes": "10",
    }  # fmt: skip

    response = organiser.post(f"{EDITOR}sessions/{session.id}/items", data=data, headers=HTMX)

    assert response.status_code == 200
    item = db.session.scalars(db.select(AgendaItem)).one()
    assert item.translations == {"fr": {"title": "Ouverture"}}
