"""Organisers give a series and a meeting their French and Spanish versions in the same
forms as the English: stored in ``translations``, an empty one removed, one too long
refused at its field with nothing changed, and the stored ones shown when the form opens."""

import pytest

from tests.conftest import HTMX, audit_entries, csrf_token, field_error, organiser_client
from tests.factories import make_meeting, make_series
from wenevents.extensions import db
from wenevents.meetings.models import Meeting, MeetingSeries

# Here ``organiser`` is the client signed in as the organiser.
organiser = organiser_client

TOO_LONG = "x" * 301


@pytest.fixture
def series(app):
    return make_series(slug="gmwen", name="Global Meeting")


def meeting_data(meeting, **overrides):
    """What the edit form of ``meeting`` sends, its English as stored, with ``overrides``."""
    values = {
        "series_id": str(meeting.series_id), "number": str(meeting.number),
        "acronym": meeting.acronym, "title": meeting.title, "start_date": "2023-11-21",
        "end_date": "2023-11-22", "timezone": "America/Panama", "venue": "Ateneo",
        "city": "Panama City", "country_code": "PA", "held_alongside": "", "convener": "",
        "partners": "", "funding": "", "description": "About.", "disclaimer": "",
        **overrides,
    }  # fmt: skip
    return {f"m{meeting.id}-{name}": value for name, value in values.items()}


def edit_meeting(client, meeting, **overrides):
    page = client.get(f"/manage/meetings/{meeting.acronym}/edit").text
    data = {"csrf_token": csrf_token(page), **meeting_data(meeting, **overrides)}
    return client.post(f"/manage/meetings/{meeting.acronym}/edit", data=data, headers=HTMX)


def stored(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_).translations


# -- A meeting ---------------------------------------------------------------------------


def test_meeting_form_stores_french_and_spanish_versions(organiser, series):
    meeting = make_meeting(series=series, acronym="gmw4", title="Fourth Global Meeting")

    response = edit_meeting(
        organiser, meeting, title_fr="Quatrième réunion mondiale",
        title_es="Cuarta reunión mundial", venue_fr="Athénée", description_es="Acerca de.",
        disclaimer_fr="Les vues exprimées…",
    )  # fmt: skip

    assert response.status_code == 200
    assert stored(Meeting, meeting.id) == {
        "fr": {"title": "Quatrième réunion mondiale", "venue": "Athénée",
               "disclaimer": "Les vues exprimées…"},
        "es": {"title": "Cuarta reunión mundial", "description": "Acerca de."},
    }  # fmt: skip
    assert audit_entries("meeting.update")[-1].details["fields"] == [
        "description", "venue", "title_fr", "title_es", "description_es", "venue_fr",
        "disclaimer_fr",
    ]  # fmt: skip


def test_meeting_form_empty_version_removes_it(organiser, series):
    meeting = make_meeting(
        series=series, acronym="gmw4", venue="Ateneo", description="About.",
        translations={"fr": {"title": "Réunion", "venue": "Athénée"}, "es": {"title": "Reunión"}},
    )  # fmt: skip

    response = edit_meeting(organiser, meeting, title_fr="", venue_fr="Athénée", title_es="")

    assert response.status_code == 200
    assert stored(Meeting, meeting.id) == {"fr": {"venue": "Athénée"}}
    assert audit_entries("meeting.update")[-1].details["fields"] == ["title_fr", "title_es"]


def test_meeting_form_version_too_long_changes_nothing(organiser, series):
    meeting = make_meeting(
        series=series, acronym="gmw4", title="Kept", translations={"es": {"title": "Guardado"}}
    )

    response = edit_meeting(organiser, meeting, title="Changed", title_fr=TOO_LONG, title_es="")

    assert response.status_code == 422
    assert field_error(response.text, f"m{meeting.id}-title_fr") == (
        "Field cannot be longer than 300 characters."
    )
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == "Kept"
    assert stored(Meeting, meeting.id) == {"es": {"title": "Guardado"}}
    assert audit_entries("meeting.update") == []


def test_meeting_edit_form_shows_stored_versions(organiser, series):
    meeting = make_meeting(
        series=series, acronym="gmw4",
        translations={"fr": {"title": "Réunion", "description": "À propos."},
                      "es": {"venue": "Ateneo"}},
    )  # fmt: skip
    prefix = f"m{meeting.id}"

    html = organiser.get("/manage/meetings/gmw4/edit").text

    assert (
        f'<input id="{prefix}-title_fr" lang="fr" maxlength="300" name="{prefix}-title_fr" '
        'type="text" value="Réunion">'
    ) in html
    assert (
        f'<input id="{prefix}-venue_es" lang="es" maxlength="200" name="{prefix}-venue_es" '
        'type="text" value="Ateneo">'
    ) in html
    assert (
        f'<textarea id="{prefix}-description_fr" lang="fr" maxlength="10000" '
        f'name="{prefix}-description_fr" rows="6">\r\nÀ propos.</textarea>'
    ) in html
    assert f'<label for="{prefix}-title_es">Title (Spanish)</label>' in html


def test_new_meeting_form_stores_versions(organiser, series):
    page = organiser.get("/manage/meetings/new").text
    data = {
        "csrf_token": csrf_token(page), "series_id": str(series.id), "number": "5",
        "acronym": "gmwen5", "title": "Fifth Global Meeting", "title_fr": "Cinquième réunion",
        "title_es": "", "start_date": "2026-11-24", "end_date": "2026-11-25",
        "timezone": "Asia/Tashkent", "city": "Samarkand", "country_code": "UZ",
    }  # fmt: skip

    response = organiser.post("/manage/meetings/new", data=data)

    assert response.status_code == 303
    meeting = db.session.scalars(db.select(Meeting).filter_by(acronym="gmwen5")).one()
    assert meeting.translations == {"fr": {"title": "Cinquième réunion"}}


# -- A series ----------------------------------------------------------------------------


def test_series_form_stores_french_and_spanish_versions(organiser):
    token = csrf_token(organiser.get("/manage/meetings/").text)

    response = organiser.post(
        "/manage/meetings/series",
        data={"csrf_token": token, "series-name": "Regional meetings", "series-slug": "regional",
              "series-name_fr": "Réunions régionales", "series-name_es": "Reuniones regionales",
              "series-description": "", "series-description_es": "Cada año."},
        headers=HTMX,
    )  # fmt: skip

    assert response.status_code == 204
    series = db.session.scalars(db.select(MeetingSeries)).one()
    assert series.translations == {
        "fr": {"name": "Réunions régionales"},
        "es": {"name": "Reuniones regionales", "description": "Cada año."},
    }
    assert audit_entries("series.create")[-1].details == {
        "translations": ["name_fr", "name_es", "description_es"]
    }


def edit_series(client, series, **overrides):
    url = f"/manage/meetings/series/{series.id}"
    values = {"name": series.name, "slug": series.slug, "description": "", **overrides}
    data = {"csrf_token": csrf_token(client.get(url).text)}
    data.update({f"series-{name}": value for name, value in values.items()})
    return client.post(url, data=data)


def test_series_form_empty_version_removes_it(organiser):
    series = make_series(
        translations={"fr": {"name": "Série", "description": "Chaque année."},
                      "es": {"name": "Serie"}},
    )  # fmt: skip

    response = edit_series(
        organiser, series, name_fr="", name_es="", description_fr="Chaque année."
    )

    assert response.status_code == 303
    assert stored(MeetingSeries, series.id) == {"fr": {"description": "Chaque année."}}
    assert audit_entries("series.update")[-1].details == {"translations": ["name_fr", "name_es"]}


def test_series_form_version_too_long_changes_nothing(organiser):
    series = make_series(name="Kept", translations={"fr": {"name": "Gardé"}})

    response = edit_series(organiser, series, name="Changed", name_es="y" * 201)

    # The series page answers a refused form with itself, as for its English fields.
    assert response.status_code == 200
    assert field_error(response.text, "series-name_es") == (
        "Field cannot be longer than 200 characters."
    )
    db.session.expire_all()
    assert db.session.get(MeetingSeries, series.id).name == "Kept"
    assert stored(MeetingSeries, series.id) == {"fr": {"name": "Gardé"}}


def test_series_edit_form_shows_stored_versions(organiser):
    series = make_series(translations={"es": {"name": "Serie", "description": "Cada año."}})

    html = organiser.get(f"/manage/meetings/series/{series.id}").text

    assert (
        '<input id="series-name_es" lang="es" maxlength="200" name="series-name_es" type="text" '
        'value="Serie">'
    ) in html
    assert (
        '<textarea id="series-description_es" lang="es" maxlength="5000" '
        'name="series-description_es" rows="4">\r\nCada año.</textarea>'
    ) in html
    assert (
        '<input id="series-name_fr" lang="fr" maxlength="200" name="series-name_fr" type="text" '
        'value="">'
    ) in html
